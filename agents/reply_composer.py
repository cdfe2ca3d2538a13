"""Template replies for the scripted agents: on topic, styled to a believed persona, one question.

The composer is deliberately plain: a request-specific suggestion (so the reply is relevant), an
optional personal touch (a believed interest or like), fillers up to the believed length, style
markers for the believed formality/emoji/humour, exactly one hedge (which suits both direct and
diplomatic users), and a question about the slot the agent wants to learn next. It rotates its
sentences by turn so consecutive replies do not repeat each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from persona_env.numeric import FILLERS as NUMERIC_FILLERS

BASES: dict[str, tuple[str, ...]] = {
    "dinner": ("For dinner, make a simple vegetable stir-fry with rice.",
               "Tonight, a quick lentil soup makes an easy dinner.",
               "A tray of roasted vegetables with rice is a calm dinner option.",
               "For a meal this week, cook a big pot of bean stew and share it."),
    "weekend": ("For the weekend, plan a relaxed day out close to home.",
                "This Saturday, visit somewhere new within an hour of you.",
                "Plan one slow morning and one small outing this weekend.",
                "For Sunday, a picnic or a long walk makes a good day out."),
    "book": ("For your next book, pick a gripping novel with short chapters.",
             "Read a short story collection first, then a longer novel.",
             "Choose a book by an author a friend loves and read a chapter a night.",
             "A well reviewed novel from the library makes a good next read."),
    "gift": ("For the gift, choose something personal they can use every day.",
             "A handwritten note with a small present makes a thoughtful gift.",
             "Buy a gift that matches something they talk about often.",
             "An experience together works well as a birthday present."),
    "fitness": ("For exercise, start with a brisk walk three times a week.",
                "Begin a short workout routine of ten minutes each morning.",
                "Add a stretch after work and a longer walk at the weekend.",
                "Join a beginner training group to keep the routine going."),
    "holiday": ("For your holiday, choose a quiet destination with easy travel.",
                "A short trip by train makes a relaxed getaway.",
                "Plan a holiday around one or two things you really want to see.",
                "Pick a destination you can reach in a day and stay a week."),
    "sleep": ("For better sleep, keep a fixed bedtime routine and a dark, quiet room.",
              "Go to bed at the same time each night and rest without screens.",
              "A short wind down routine before bed helps you rest.",
              "Keep the bedroom cool and get up at the same time to sleep better."),
    "hobby": ("For a new hobby, join a beginner class at a local club.",
              "Try a hobby you can learn in short sessions at home.",
              "Start with a beginner kit and one evening a week for the new hobby.",
              "A local club is an easy way to start and learn something new."),
}

#: numeric mode's neutral fillers plus a few more (more variety keeps replies from repeating)
FILLERS: tuple[str, ...] = NUMERIC_FILLERS + (
    "Ask a friend to join if company helps.",
    "Start small and add more once it feels easy.",
    "A simple plan is easier to follow than a perfect one.",
    "Put a reminder in your calendar so it happens.",
    "Share the plan with someone to stay on track.",
    "Look back after a week and keep what you enjoyed.",
)

#: One question per slot; each contains one of ``lexicon.QUESTION_KEYWORDS[slot]``.
QUESTIONS: dict[str, str] = {
    "age": "how old are you?",
    "gender": "what is your gender?",
    "interests": "what are your hobbies?",
    "education": "what is your education?",
    "personality_traits": "how would you describe yourself?",
    "occupation": "what do you do for work?",
    "marital_status": "are you married?",
    "family": "do you have kids?",
    "location": "where do you live?",
    "other": "what is your routine like?",
    "verbosity": "do you prefer short or detailed answers?",
    "formality": "what tone do you prefer?",
    "emoji": "do you like emoji?",
    "humour": "do you enjoy a bit of humour?",
    "directness": "how direct should I be?",
    "likes": "what do you enjoy most?",
    "dislikes": "is there anything you hate?",
    "diet": "do you have any dietary needs?",
    "budget": "what is your budget?",
}

WORD_TARGET = {"brief": 25, "moderate": 60, "detailed": 110}


@dataclass(frozen=True)
class ReplyStyle:
    verbosity: str = "moderate"
    formality: str = "neutral"
    emoji: bool = False
    playful: bool = False
    budget_tight: bool = False


def compose_reply(request_id: str, style: ReplyStyle, turn: int, personal: str | None = None,
                  question_slot: str | None = None, variant: int = 0) -> str:
    """A reply for ``request_id``; ``turn`` and ``variant`` rotate the sentences used."""
    k = turn + variant
    bases = BASES.get(request_id, BASES["hobby"])
    parts = [bases[k % len(bases)]]
    if style.formality == "formal":
        parts.insert(0, "Certainly. I would recommend the following.")
    elif style.formality == "casual":
        parts.insert(0, "Hey, here's an idea.")
    if personal:
        parts.append(f"It fits well with {personal}.")
    if style.budget_tight:
        parts.append("It is cheap, too.")
    if style.playful:
        parts.append("Fun fact: even a silly plan beats no plan.")
    closing = f"If you like, tell me: {question_slot and QUESTIONS[question_slot] or 'how does that sound?'}"
    target = WORD_TARGET.get(style.verbosity, 60)
    words = sum(len(p.split()) for p in parts) + len(closing.split())
    j = 3 * k
    while words < target:
        filler = FILLERS[j % len(FILLERS)]
        parts.append(filler)
        words += len(filler.split())
        j += 1
    parts.append(closing)
    if style.formality == "formal":
        parts.append("Kind regards.")
    text = " ".join(parts)
    if style.emoji:
        text += " \U0001F642"
    return text
