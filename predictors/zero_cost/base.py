"""What a zero-cost proxy is: a name, the shared passes it reads, and how it scores them.

A proxy module in ``predictors.zero_cost.proxies`` defines ``PROXY = Proxy(...)``. ``needs``
names the features it reads as ``"<pass>:<feature>"`` (e.g. ``"data:grad"``); the runner
(``predictors.zero_cost.runner``) runs every pass once with the union of the requested features
and hands each proxy's ``score`` the pass outputs. A score that is not a finite number is never
returned silently: ``score`` raises ``Undefined(reason)``, or the runner turns a non-finite value
into NaN and records why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


class Undefined(Exception):
    """Raised by a proxy's ``score`` when its value is undefined for this network; the message is
    the recorded reason (e.g. "the network's output does not depend on its input")."""


@dataclass(frozen=True)
class Proxy:
    """One zero-cost proxy.

    Attributes:
        name: the proxy's name; stored as the metric ``zc/<name>``.
        needs: pass features read, as ``"<pass>:<feature>"``; ``()`` for none.
        score: ``score(outputs) -> float`` or a ``{suffix: float}`` dict (components, stored as
            ``zc/<name>.<suffix>``; the key ``""`` is the proxy itself). ``outputs`` maps a pass
            name to what that pass returned.
        direction: ``"max"`` when a higher score predicts a better network.
        paper: citation.
        convention: batch, init, BN mode, sign / abs, data, loss; where NASLib / zero-cost-nas
            differ.
        input_dependent: the value is meaningless when the network's output does not depend on
            its input (then the runner returns NaN with that reason instead of calling ``score``).
    """

    name: str
    needs: tuple[str, ...]
    score: Callable[[Mapping[str, Any]], float | dict[str, float]]
    direction: str = "max"
    paper: str = ""
    convention: str = ""
    input_dependent: bool = False
    components: tuple[str, ...] = field(default_factory=tuple)

    @property
    def passes(self) -> tuple[str, ...]:
        """The pass names this proxy needs, in order of first mention."""
        return tuple(dict.fromkeys(n.split(":", 1)[0] for n in self.needs))

    def features(self, pass_name: str) -> set[str]:
        """The features this proxy reads from ``pass_name``."""
        return {n.split(":", 1)[1] for n in self.needs if n.split(":", 1)[0] == pass_name}
