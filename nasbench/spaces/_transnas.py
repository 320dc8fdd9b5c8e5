"""The TransNAS-Bench-101 string, shared by the macro and the micro space.

Both benchmarks write a network as ``<channels>-<skeleton>-<block>``: ``64-41414-basic`` (macro:
the skeleton varies, the block is ``basic``) and ``64-41414-1_02_333`` (micro: the skeleton is
fixed, the block is the cell). ``split`` checks what the two share and hands each space the parts
it owns.
"""

from __future__ import annotations

#: base channels of every TransNAS-Bench-101 network
CHANNELS = "64"


def split(text: object, kind: str, parts: str, example: str) -> tuple[str, str]:
    """``(skeleton, block)`` of a TransNAS string, after checking its form and base channels.

    Args:
        text: the string to read.
        kind: ``"macro"`` or ``"micro"``, for messages.
        parts: how the three parts are named in messages, e.g. ``"channels, skeleton, cell"``.
        example: a valid string of the space, for messages.

    Raises:
        ValueError: not a string, not three ``-``-separated parts, or base channels other than 64.
    """
    if not isinstance(text, str):
        raise ValueError(
            f"a TransNAS {kind} architecture is a string like {example!r}, got {type(text).__name__}"
        )
    pieces = text.split("-")
    if len(pieces) != 3:
        raise ValueError(
            f"TransNAS {kind} string {text!r} has {len(pieces)} '-'-separated parts; expected 3 "
            f"({parts}), as in {example!r}"
        )
    channels, skeleton, block = pieces
    if channels != CHANNELS:
        raise ValueError(
            f"TransNAS {kind} string {text!r}: base channels {channels!r}; expected {CHANNELS!r}"
        )
    return skeleton, block
