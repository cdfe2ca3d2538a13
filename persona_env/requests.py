"""The requests a simulated user opens a conversation with (and moves on to later).

A request gives the dialogue a purpose: the rule judge scores a reply's relevance by its keywords,
and a personalised answer draws on the request's ``slots``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Request:
    """One thing the user wants help with.

    Attributes:
        request_id: short identifier.
        phrasings: ways the user asks for it (at least three).
        keywords: lowercase word stems; a reply containing any of them is on topic.
        slots: the persona slots a personalised answer depends on.
    """

    request_id: str
    phrasings: tuple[str, ...]
    keywords: tuple[str, ...]
    slots: tuple[str, ...]


REQUESTS: tuple[Request, ...] = (
    Request("dinner", (
        "Any idea what I should cook tonight?",
        "I need a dinner idea, nothing too fancy.",
        "What could I make for dinner this week?",
    ), ("cook", "dinner", "recipe", "meal", "dish", "eat", "food", "pasta", "salad", "soup", "curry"),
        ("diet", "likes", "dislikes", "budget", "family")),
    Request("weekend", (
        "I have a free weekend coming up. What should I do?",
        "Got any ideas for this weekend?",
        "I want to plan something nice for Saturday.",
    ), ("weekend", "saturday", "sunday", "plan", "activity", "outing", "visit", "trip", "day out"),
        ("interests", "location", "budget", "likes", "dislikes")),
    Request("book", (
        "Can you recommend something to read?",
        "I'm looking for my next book.",
        "What should I read next?",
    ), ("book", "read", "novel", "author", "story", "chapter"),
        ("interests", "likes", "personality_traits")),
    Request("gift", (
        "I need a gift idea for a friend.",
        "What's a good present for someone's birthday?",
        "Help me pick a gift, would you?",
    ), ("gift", "present", "birthday", "buy", "wrap"),
        ("budget", "interests", "likes")),
    Request("fitness", (
        "I'd like to get a bit fitter.",
        "How can I fit some exercise into my week?",
        "I want to start a workout routine.",
    ), ("exercise", "fit", "workout", "routine", "training", "walk", "run", "gym", "stretch"),
        ("age", "other", "interests", "occupation")),
    Request("holiday", (
        "Where should I go on holiday this year?",
        "I need a break. Any holiday ideas?",
        "Can you suggest a trip for my next time off?",
    ), ("holiday", "trip", "travel", "destination", "vacation", "getaway", "beach", "city break"),
        ("budget", "interests", "family", "dislikes")),
    Request("sleep", (
        "I've been sleeping badly lately. Any tips?",
        "How do I get better sleep?",
        "I'm always tired. What can I change?",
    ), ("sleep", "bed", "rest", "night", "tired", "nap", "routine", "caffeine"),
        ("other", "occupation", "family")),
    Request("hobby", (
        "I'd like to pick up a new hobby.",
        "Suggest something new I could try in my free time.",
        "I'm bored of my usual routine. Any hobby ideas?",
    ), ("hobby", "try", "learn", "class", "club", "start", "beginner"),
        ("interests", "personality_traits", "budget", "location")),
)


def request_by_id(request_id: str) -> Request:
    for r in REQUESTS:
        if r.request_id == request_id:
            return r
    raise KeyError(f"unknown request {request_id!r}; known: {', '.join(r.request_id for r in REQUESTS)}")
