"""The assistant's action: a profile guess plus a reply, parsed from untrusted text.

An action is either a mapping ``{"profile": str, "reply": str}`` or one string in RLPA's format::

    <profile>
    - Occupation: nurse
    - Interests: hiking, jazz
    </profile>

    <response>
    How about a short hike this weekend?
    </response>

Tags are matched case-insensitively and may hold whitespace (``< Profile >``). Agent text is
untrusted: :func:`parse_assistant_action` never raises on a string, whatever it holds. It

* sanitises the text -- lone surrogates become U+FFFD, NUL and the other control characters except
  ``\\n`` and ``\\t`` are removed, ``\\r\\n``/``\\r`` become ``\\n``;
* strips surrounding whitespace and cuts the profile at :data:`MAX_PROFILE_CHARS` and the reply at
  :data:`MAX_REPLY_CHARS` characters (``"profile truncated to 4000 chars"``);
* recovers what it can from a malformed string: an unclosed tag runs to the next tag or the end;
  without ``<response>`` the text after ``</profile>`` is the reply; with no tags at all the whole
  text is the reply and the profile is empty.

A missing tag or an empty reply sets ``format_ok = False`` (the env's format penalty); each
problem adds a short, stable note (``"missing </response> tag"``, ``"empty reply"``). An empty
profile is noted but is a legitimate "no guess yet" (it already scores profile F1 = 0), so it is
not a format error.
Wrong Python types are programmer errors and raise, naming the accepted forms.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Longer profiles are truncated to this many characters (with a note).
MAX_PROFILE_CHARS = 4000
#: Longer replies are truncated to this many characters (with a note).
MAX_REPLY_CHARS = 2000

_ACTION_KEYS = ("profile", "reply")
_ACCEPTED = ('a mapping {"profile": str, "reply": str} or one string in RLPA\'s format '
             '"<profile>...</profile><response>...</response>"')

_SURROGATE_RE = re.compile("[\ud800-\udfff]")
# C0 controls except \t (0x09) and \n (0x0a), DEL and the C1 block
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_TAG_RE = re.compile(r"<\s*(/?)\s*(profile|response)\s*>", re.IGNORECASE)

NOTE_INVALID_CHARS = "replaced invalid characters"
NOTE_CONTROL_CHARS = "removed control characters"
NOTE_OUTSIDE_TAGS = "text outside tags ignored"
NOTE_TAG_ORDER = "<response> before <profile>"
NOTE_EMPTY_PROFILE = "empty profile"
NOTE_EMPTY_REPLY = "empty reply"


@dataclass(frozen=True)
class AssistantAction:
    """A parsed assistant action.

    Attributes:
        profile: the profile guess, sanitised and at most :data:`MAX_PROFILE_CHARS` long
            (parse it with :func:`persona_env.profile_parsing.parse_profile`).
        reply: the reply to the user, sanitised and at most :data:`MAX_REPLY_CHARS` long.
        notes: what was repaired or is missing, as short stable strings.
        format_ok: ``False`` when a tag was missing or the reply is empty.
    """

    profile: str
    reply: str
    notes: tuple[str, ...] = ()
    format_ok: bool = True


def sanitise_text(text: str) -> tuple[str, tuple[str, ...]]:
    """Make untrusted text safe to store, encode and print.

    Returns the cleaned text and notes: lone surrogates (anything UTF-8 cannot encode) become
    U+FFFD (``"replaced invalid characters"``); NUL and other control characters except ``\\n``
    and ``\\t`` are dropped (``"removed control characters"``); line endings become ``\\n``.
    """
    if not isinstance(text, str):
        raise TypeError(f"sanitise_text takes a str, got {type(text).__name__}")
    notes: list[str] = []
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text, n = _SURROGATE_RE.subn("\ufffd", text)
        if n:
            notes.append(NOTE_INVALID_CHARS)
    text, n = _CONTROL_RE.subn("", text)
    if n:
        notes.append(NOTE_CONTROL_CHARS)
    return text, tuple(notes)


def _finish(profile: str, reply: str, notes: list[str], format_ok: bool) -> AssistantAction:
    profile, reply = profile.strip(), reply.strip()
    if len(profile) > MAX_PROFILE_CHARS:
        profile = profile[:MAX_PROFILE_CHARS].rstrip()
        notes.append(f"profile truncated to {MAX_PROFILE_CHARS} chars")
    if len(reply) > MAX_REPLY_CHARS:
        reply = reply[:MAX_REPLY_CHARS].rstrip()
        notes.append(f"reply truncated to {MAX_REPLY_CHARS} chars")
    if not profile:
        notes.append(NOTE_EMPTY_PROFILE)  # noted, not penalised: "no guess yet" is allowed
    if not reply:
        notes.append(NOTE_EMPTY_REPLY)
        format_ok = False
    # de-duplicate, keeping order
    return AssistantAction(profile, reply, tuple(dict.fromkeys(notes)), format_ok)


def _parse_tagged(text: str, notes: list[str]) -> AssistantAction:
    """Split an RLPA-format string into profile and reply, best effort."""
    tags = [(m.start(), m.end(), m.group(1) == "/", m.group(2).lower()) for m in _TAG_RE.finditer(text)]

    def find(name: str, closing: bool, after: int, before: int | None = None):
        for t in tags:
            if t[3] == name and t[2] == closing and t[0] >= after and (before is None or t[0] < before):
                return t
        return None

    format_ok = True
    po = find("profile", False, 0)
    profile, reply = "", ""
    used: list[tuple[int, int]] = []  # spans consumed by the two blocks (for the outside-text note)
    if po is None:
        notes.append("missing <profile> tag")
        format_ok = False
        if not tags:
            # no tags at all: the whole text is the reply
            notes.append("missing <response> tag")
            return _finish("", text, notes, False)
        pc = find("profile", True, 0)
        ro = find("response", False, 0)
        start = 0
        if pc is not None and (ro is None or pc[0] < ro[0]):
            profile = text[:pc[0]]  # "...</profile>": the text before it is the profile
            used.append((0, pc[1]))
            start = pc[1]
    else:
        pc = find("profile", True, po[1])
        ro_after = find("response", False, pc[1] if pc else po[1])
        if pc is None:
            notes.append("missing </profile> tag")
            format_ok = False
            end = ro_after[0] if ro_after else len(text)
            profile = text[po[1]:end]
            used.append((po[0], end))
            start = end
        else:
            profile = text[po[1]:pc[0]]
            used.append((po[0], pc[1]))
            start = pc[1]
        ro = ro_after
        if ro is None:
            early = find("response", False, 0, po[0])
            if early is not None:
                notes.append(NOTE_TAG_ORDER)
                format_ok = False
                ro = early
    if ro is None:
        notes.append("missing <response> tag")
        format_ok = False
        rc = find("response", True, start)
        reply = text[start:rc[0] if rc else len(text)]
        used.append((start, rc[1] if rc else len(text)))
    else:
        rc = find("response", True, ro[1])
        if rc is None:
            notes.append("missing </response> tag")
            format_ok = False
            # an unclosed response runs to the next tag (or the end)
            nxt = next((t for t in tags if t[0] >= ro[1]), None)
            stop = nxt[0] if nxt is not None else len(text)
            reply = text[ro[1]:stop]
            used.append((ro[0], stop))
        else:
            reply = text[ro[1]:rc[0]]
            used.append((ro[0], rc[1]))
    # anything of substance outside the two blocks?
    used.sort()
    pos, outside = 0, False
    for a, b in used:
        if a > pos and text[pos:a].strip():
            outside = True
            break
        pos = max(pos, b)
    if not outside and text[pos:].strip():
        outside = True
    if outside:
        notes.append(NOTE_OUTSIDE_TAGS)
    return _finish(profile, reply, notes, format_ok)


def parse_assistant_action(action: Any) -> AssistantAction:
    """Parse an assistant action from a mapping or an RLPA-format string.

    Args:
        action: ``{"profile": str, "reply": str}`` (any :class:`~collections.abc.Mapping` with
            exactly these keys), or one string ``"<profile>...</profile>\\n\\n<response>...</response>"``.

    Returns:
        An :class:`AssistantAction`; never raises for a string or for string values, however
        malformed. Problems are reported in ``notes`` and ``format_ok``.

    Raises:
        TypeError: ``action`` is neither a mapping nor a string.
        KeyError: the mapping lacks ``"profile"`` or ``"reply"``.
        ValueError: the mapping has other keys, or a value is not a string.
    """
    if isinstance(action, str):
        text, sanitise_notes = sanitise_text(action)
        return _parse_tagged(text, list(sanitise_notes))
    if isinstance(action, Mapping):
        missing = [k for k in _ACTION_KEYS if k not in action]
        if missing:
            raise KeyError(
                f"assistant action is missing key(s) {', '.join(f'{k!r}' for k in missing)}; "
                f'expected exactly the keys "profile" and "reply": {{"profile": str, "reply": str}}'
            )
        extra = [k for k in action if k not in _ACTION_KEYS]
        if extra:
            raise ValueError(
                f"assistant action has unexpected key(s) {', '.join(repr(k) for k in extra[:5])}; "
                f'expected exactly the keys "profile" and "reply": {{"profile": str, "reply": str}}'
            )
        bad = [f"{k!r} is {type(action[k]).__name__}" for k in _ACTION_KEYS if not isinstance(action[k], str)]
        if bad:
            raise ValueError(
                f"assistant action values must be strings ({'; '.join(bad)}); "
                f'expected {{"profile": str, "reply": str}}'
            )
        notes: list[str] = []
        profile, n1 = sanitise_text(action["profile"])
        reply, n2 = sanitise_text(action["reply"])
        notes.extend(n1)
        notes.extend(n2)
        return _finish(profile, reply, notes, True)
    hint = " (decode bytes to str first)" if isinstance(action, (bytes, bytearray)) else ""
    raise TypeError(f"assistant action must be {_ACCEPTED}; got {type(action).__name__}{hint}")
