"""Character sets of the text spaces, and fitting text into them.

``spaces.Text`` accepts only its charset, so observations are sanitised into
:data:`OBSERVATION_CHARSET` (printable ASCII, Latin-1 letters, common typographic punctuation,
emoji, newline; anything else becomes ``?``). Actions may contain any Unicode: the action space's
narrower :data:`ACTION_CHARSET` only bounds what ``action_space.sample()`` produces.
"""

from __future__ import annotations

import re
import string

ACTION_CHARSET: frozenset[str] = frozenset(string.ascii_letters + string.digits + string.punctuation + " \n")


def _ranges(*pairs: tuple[int, int]) -> str:
    return "".join(chr(c) for lo, hi in pairs for c in range(lo, hi + 1))


OBSERVATION_CHARSET: frozenset[str] = frozenset(
    string.ascii_letters + string.digits + string.punctuation + " \n\t"
    + _ranges((0xA0, 0xFF), (0x2010, 0x2027), (0x20AC, 0x20AC), (0x2600, 0x27BF),
              (0x1F300, 0x1F5FF), (0x1F600, 0x1F64F), (0x1F680, 0x1F6FF), (0x1F900, 0x1F9FF),
              (0xFFFD, 0xFFFD))
)



def _class(chars: frozenset[str]) -> str:
    """A regex character class body for ``chars`` (runs of consecutive code points as ranges)."""
    codes = sorted(ord(c) for c in chars)
    parts, start, prev = [], codes[0], codes[0]
    for c in codes[1:] + [-1]:
        if c != prev + 1:
            lo, hi = re.escape(chr(start)), re.escape(chr(prev))
            parts.append(lo if start == prev else f"{lo}-{hi}")
            start = c
        prev = c
    return "".join(parts)


_OUTSIDE = re.compile(f"[^{_class(OBSERVATION_CHARSET)}]")


def sanitise(text: str) -> str:
    """Replace every character outside :data:`OBSERVATION_CHARSET` by ``?``."""
    return _OUTSIDE.sub("?", text)


def fit_text(text: str, max_chars: int, clean: bool = False) -> str:
    """Sanitise ``text`` (unless ``clean``: already sanitised) and keep its newest ``max_chars``
    characters (cut at a line start)."""
    if not clean:
        text = sanitise(text)
    if len(text) <= max_chars:
        return text
    marker = "[...]\n"
    tail = text[len(text) - (max_chars - len(marker)):]
    cut = tail.find("\n")
    if 0 <= cut < len(tail) - 1:
        tail = tail[cut + 1:]
    return marker + tail
