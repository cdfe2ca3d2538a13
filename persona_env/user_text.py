"""Turns the core's structured user turns into the user's words.

A message is assembled in a fixed order -- reaction to the last reply, announced change, answer to
a direct question, implicit cues, then the request -- each part's phrasing picked by the uniform
draw the core made for it, so the text is a pure function of the core's output.
"""

from __future__ import annotations

from persona_env import lexicon
from persona_env.core import (REACTIONS, REQUEST_FOLLOW_UP, REQUEST_NEW, REQUEST_RESTATE,
                              UserTurnBatch)
from persona_env.cues import CueBank
from persona_env.requests import REQUESTS

GREETINGS: tuple[str, ...] = ("Hi.", "Hello there.", "Hey.", "Hi there!")
ALREADY_ANSWERED: tuple[str, ...] = (
    "I already told you that.",
    "I think I answered that one already.",
    "As I said earlier, you already know that.",
)


def _pick(options: tuple[str, ...], u: float) -> str:
    return options[min(int(u * len(options)), len(options) - 1)]


def user_message(batch: UserTurnBatch, b: int, bank: CueBank) -> str:
    """The text of conversation ``b``'s user message in ``batch`` ('' if it has none)."""
    schema = bank.schema
    parts: list[str] = []
    reaction = int(batch.reaction[b])
    if reaction >= 0:
        name = REACTIONS[reaction]
        u = float(batch.reaction_u[b])
        if name == "already_answered":
            parts.append(_pick(ALREADY_ANSWERED, u))
        elif name == "disliked_topic":
            topic = schema.slot("dislikes").values[int(batch.reaction_arg[b])]
            parts.append(_pick(lexicon.REACTIONS[name], u).format(topic=topic))
        elif name == "diet_violation":
            diet = schema.slot("diet").values[int(batch.reaction_arg[b])]
            parts.append(_pick(lexicon.REACTIONS[name], u).format(diet=diet))
        else:
            parts.append(_pick(lexicon.REACTIONS[name], u))
        if name == "quit":
            return " ".join(parts)
    elif int(batch.turn[b]) == 1 and int(batch.request_mode[b]) == REQUEST_NEW:
        parts.append(_pick(GREETINGS, float(batch.reaction_u[b])))
    if int(batch.announce_cue[b]) >= 0:
        parts.append(bank.phrasing(int(batch.announce_cue[b]), float(batch.announce_u[b])))
    if bool(batch.deflected[b]):
        parts.append(_pick(lexicon.DEFLECTIONS, float(batch.answer_u[b])))
    elif int(batch.answer_cue[b]) >= 0:
        parts.append(bank.phrasing(int(batch.answer_cue[b]), float(batch.answer_u[b])))
    for cue_id, u in zip(batch.cue_ids[b].tolist(), batch.cue_u[b].tolist()):
        if cue_id >= 0:
            parts.append(bank.phrasing(cue_id, u))
    mode = int(batch.request_mode[b])
    request = REQUESTS[int(batch.request_idx[b])]
    if mode in (REQUEST_NEW, REQUEST_RESTATE):
        parts.append(_pick(request.phrasings, float(batch.request_u[b])))
    elif mode == REQUEST_FOLLOW_UP:
        parts.append(_pick(lexicon.REACTIONS["follow_up"], float(batch.request_u[b])))
    return " ".join(parts)
