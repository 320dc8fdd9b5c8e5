"""The GraphGym GNN design space (You, Ying, Leskovec, "Design Space for Graph Neural Networks",
NeurIPS 2020), architecture dimensions.

A GraphGym *design* is a GNN built from ``l_pre`` pre-processing MLP layers, ``l_mp`` message-passing
layers joined by a ``stage`` pattern, and ``l_post`` post-processing layers, with the same intra-layer
choices everywhere. The 8 architecture dimensions and their values, in string order::

    l_pre   1 2 3                      pre-message-passing layers
    l_mp    2 4 6 8                    message-passing layers
    l_post  1 2 3                      post-message-passing layers
    stage   stack skipsum skipconcat   how message-passing layers connect
    agg     add mean max               neighbour aggregation
    bn      True False                 batch norm
    act     relu prelu swish           activation
    drop    0.0 0.3 0.6                dropout

3 x 4 x 3 x 3 x 3 x 2 x 3 x 3 = 5,832 designs. The paper's full design space adds 4 training
dimensions (batch size, learning rate, optimizer, epochs; 314,928 designs in all); in nasbench those
are the *protocol* of a task (the ``budget`` of a metric is its epochs, and each metric's description
names the rest), so one design string identifies the same network on every task.

Design string: ``key=value`` pairs in the order above, joined by ``,``::

    l_pre=1,l_mp=2,l_post=2,stage=skipsum,agg=add,bn=True,act=prelu,drop=0.0

``parse`` also accepts the pairs in another order and spaces around them; ``format`` writes the
order above. Designs have no isomorphisms (each dimension changes the network), so ``canonical`` is
the formatted string.

Usage::

    >>> from nasbench.spaces.graphgym import SPACE as gg
    >>> d = gg.parse("l_pre=1,l_mp=2,l_post=2,stage=skipsum,agg=add,bn=True,act=prelu,drop=0.0")
    >>> d.l_mp, len(gg.neighbours(d))
    (2, 16)
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nasbench.spaces.base import SearchSpace, as_list

#: the 8 architecture dimensions in string order, each with its allowed values (as written)
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "l_pre": ("1", "2", "3"),
    "l_mp": ("2", "4", "6", "8"),
    "l_post": ("1", "2", "3"),
    "stage": ("stack", "skipsum", "skipconcat"),
    "agg": ("add", "mean", "max"),
    "bn": ("True", "False"),
    "act": ("relu", "prelu", "swish"),
    "drop": ("0.0", "0.3", "0.6"),
}
_NUMERIC = {"l_pre": int, "l_mp": int, "l_post": int, "drop": float}


@dataclass(frozen=True)
class Design:
    """One GraphGym design (architecture dimensions); see the module docstring for the values."""

    l_pre: int
    l_mp: int
    l_post: int
    stage: str
    agg: str
    bn: bool
    act: str
    drop: float

    def __post_init__(self) -> None:
        for name in DIMENSIONS:
            text = _text(getattr(self, name))
            if text not in DIMENSIONS[name]:
                raise ValueError(
                    f"GraphGym design: {name}={text} is not in the space; "
                    f"use one of {', '.join(DIMENSIONS[name])}"
                )

    def __str__(self) -> str:
        return ",".join(f"{name}={_text(getattr(self, name))}" for name in DIMENSIONS)

    @property
    def choice_ids(self) -> tuple[int, ...]:
        """Index of each dimension's value in ``DIMENSIONS``."""
        return tuple(DIMENSIONS[n].index(_text(getattr(self, n))) for n in DIMENSIONS)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _value(name: str, text: str) -> Any:
    if name == "bn":
        return text == "True"
    return _NUMERIC.get(name, str)(text)


def parse_design(text: str) -> Design:
    """Parse a design string; a malformed one raises ``ValueError`` naming the wrong part."""
    if not isinstance(text, str):
        raise ValueError(
            "a GraphGym design is a string like 'l_pre=1,l_mp=2,l_post=2,stage=skipsum,agg=add,"
            f"bn=True,act=prelu,drop=0.0', got {type(text).__name__}"
        )
    values: dict[str, Any] = {}
    for part in text.split(","):
        name, sep, raw = (p.strip() for p in part.partition("="))
        if not sep:
            raise ValueError(f"GraphGym design {text!r}: part {part.strip()!r} is not 'name=value'")
        if name not in DIMENSIONS:
            raise ValueError(
                f"GraphGym design {text!r}: unknown dimension {name!r}; use {', '.join(DIMENSIONS)}"
            )
        if name in values:
            raise ValueError(f"GraphGym design {text!r}: dimension {name!r} appears twice")
        if raw not in DIMENSIONS[name]:
            raise ValueError(
                f"GraphGym design {text!r}: {name}={raw!r} is not in the space; "
                f"use one of {', '.join(DIMENSIONS[name])}"
            )
        values[name] = _value(name, raw)
    missing = [n for n in DIMENSIONS if n not in values]
    if missing:
        raise ValueError(f"GraphGym design {text!r}: missing dimension(s) {', '.join(missing)}")
    return Design(**values)


class GraphGymSpace(SearchSpace):
    """The GraphGym architecture design space (see the module docstring)."""

    name = "graphgym"
    size = int(np.prod([len(v) for v in DIMENSIONS.values()]))
    encodings = ("onehot", "ordinal")

    def parse(self, text: str) -> Design:
        return parse_design(text)

    def format(self, arch: Any) -> str:
        return str(self.design(arch))

    def design(self, arch: Any) -> Design:
        """A ``Design`` from a string, a ``Design`` or a dict of dimension values."""
        if isinstance(arch, Design):
            return arch
        if isinstance(arch, dict):
            return parse_design(",".join(f"{k}={_text(v)}" for k, v in arch.items()))
        if isinstance(arch, str):
            return parse_design(arch)
        raise TypeError(
            f"expected a GraphGym design string, Design or dict, got {type(arch).__name__}"
        )

    def canonical(self, arch: Any) -> str:
        """The formatted string: designs have no isomorphisms."""
        return self.format(arch)

    def _from_ids(self, ids: Sequence[int]) -> str:
        return ",".join(f"{n}={DIMENSIONS[n][i]}" for n, i in zip(DIMENSIONS, ids))

    def enumerate(self) -> Iterator[str]:
        """All 5,832 designs, last dimension varying fastest."""
        for ids in itertools.product(*(range(len(v)) for v in DIMENSIONS.values())):
            yield self._from_ids(ids)

    def sample(self, n: int, seed: int | None = None) -> list[str]:
        rng = np.random.default_rng(seed)
        cols = [rng.integers(0, len(v), size=int(n)) for v in DIMENSIONS.values()]
        return [self._from_ids(ids) for ids in zip(*cols)]

    def neighbours(self, arch: Any) -> list[str]:
        """The 16 designs that differ in exactly one dimension."""
        ids = self.design(arch).choice_ids
        out = []
        for d, values in enumerate(DIMENSIONS.values()):
            for i in range(len(values)):
                if i != ids[d]:
                    out.append(self._from_ids(ids[:d] + (i,) + ids[d + 1 :]))
        return out

    def encode(self, archs: Sequence[Any] | Any, encoding: str | None = None) -> np.ndarray:
        """Encode one design or many.

        Encodings:
            ``onehot`` (24): one-hot value per dimension, dimensions in string order.
            ``ordinal`` (8): the numeric value of numeric dimensions (layer counts, dropout) and
                the value index of the others (stage, agg, bn, act), for tree models.
        """
        enc = self.check_encoding(encoding)
        items, single = as_list(archs)
        if not items:
            return np.zeros((0, 0), dtype=np.float32)
        ids = np.array([self.design(a).choice_ids for a in items], dtype=np.int64)
        if enc == "onehot":
            blocks = [
                np.eye(len(v), dtype=np.float32)[ids[:, d]]
                for d, v in enumerate(DIMENSIONS.values())
            ]
            out = np.concatenate(blocks, axis=1)
        else:
            out = ids.astype(np.float32)
            for d, name in enumerate(DIMENSIONS):
                if name in _NUMERIC:
                    table = np.array([float(v) for v in DIMENSIONS[name]], dtype=np.float32)
                    out[:, d] = table[ids[:, d]]
        return out[0] if single else out

    def to_graph(self, arch: Any) -> tuple[np.ndarray, np.ndarray]:
        """The layer graph: input, ``l_pre`` + ``l_mp`` + ``l_post`` layers in a chain, output.

        Node features: one-hot kind (input, pre, mp, post, output) followed by the one-hot of agg,
        bn, act and drop (the intra-layer choices, repeated on every layer vertex; zero on input and
        output). ``skipsum`` adds an edge from each message-passing layer's input to the next
        layer (the residual sum); ``skipconcat`` adds edges from every earlier message-passing
        input to each later layer (the dense concatenation); ``stack`` adds none.
        """
        d = self.design(arch)
        kinds = ("input", "pre", "mp", "post", "output")
        intra = ("agg", "bn", "act", "drop")
        width = len(kinds) + sum(len(DIMENSIONS[n]) for n in intra)
        layers = ["input", *["pre"] * d.l_pre, *["mp"] * d.l_mp, *["post"] * d.l_post, "output"]
        feats = np.zeros((len(layers), width), dtype=np.float32)
        ids = dict(zip(DIMENSIONS, d.choice_ids))
        for v, kind in enumerate(layers):
            feats[v, kinds.index(kind)] = 1.0
            if kind in ("pre", "mp", "post"):
                offset = len(kinds)
                for name in intra:
                    feats[v, offset + ids[name]] = 1.0
                    offset += len(DIMENSIONS[name])
        arcs = [(v, v + 1) for v in range(len(layers) - 1)]
        first_mp = 1 + d.l_pre
        mp = list(range(first_mp, first_mp + d.l_mp))
        if d.stage == "skipsum":
            arcs += [(v - 1, v + 1) for v in mp]
        elif d.stage == "skipconcat":
            arcs += [(u - 1, v + 1) for i, v in enumerate(mp) for u in mp[: i + 1]]
        return feats, np.array(sorted(set(arcs)), dtype=np.int64).T


SPACE = GraphGymSpace()
