"""Proxies by name: every module in ``predictors.zero_cost.proxies`` defining ``PROXY``."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from predictors.zero_cost.base import Proxy

#: the proxies in the order tables list them (the NAS-Bench-Suite-Zero 13, then the newer ones)
ORDER: tuple[str, ...] = (
    "grad_norm", "snip", "grasp", "fisher", "synflow", "jacov", "nwot", "epe_nas", "zen",
    "plain", "l2_norm", "params", "flops", "gradsign", "zico", "meco", "az_nas", "swap",
)


@cache
def proxies() -> dict[str, Proxy]:
    """name -> Proxy for every registered proxy module, in ``ORDER`` (then any others)."""
    from predictors.zero_cost import proxies as package

    found: dict[str, Proxy] = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        proxy = getattr(module, "PROXY", None)
        if isinstance(proxy, Proxy):
            found[proxy.name] = proxy
    ordered = {n: found[n] for n in ORDER if n in found}
    ordered.update({n: p for n, p in sorted(found.items()) if n not in ordered})
    return ordered


def available() -> list[str]:
    """The registered proxy names."""
    return list(proxies())


def get(names: str | list[str] | tuple[str, ...] | None) -> list[Proxy]:
    """Proxies by name (``None`` or ``"all"``: every one); a comma-separated string works too.

    Raises:
        KeyError: an unknown name; the message lists the known ones.
    """
    table = proxies()
    if names is None or names == "all":
        return list(table.values())
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    out = []
    for n in names:
        if n not in table:
            raise KeyError(f"unknown proxy {n!r}; use one of {', '.join(table)}")
        out.append(table[n])
    return out
