# nasbench: set-up, stores, demo and tests. Every target starts from a fresh clone.
NASBENCH_DATA ?= ../shared/data
export NASBENCH_DATA
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: venv stores demo test lint bench clean

venv: $(VENV)/.installed

$(VENV)/.installed: setup.cfg
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e ".[all]"
	touch $@

stores: venv
	$(VENV)/bin/nasbench build --all

demo: stores
	$(PY) -m nasbench.demo

test: stores
	$(PY) -m pytest -n 2 -q

lint: venv
	$(VENV)/bin/ruff check nasbench predictors benchmarks tests
	$(VENV)/bin/mypy nasbench

bench: stores
	$(PY) benchmarks/query_speed.py

clean:
	rm -rf data/stores
