"""An LLM-backed simulated user: the rule simulator keeps the books, the LLM speaks.

:class:`LLMUserSimulator` voices the user's messages with any batched
:class:`~persona_env.llm.ChatBackend`. It does not decide anything the rewards depend on: the
batched rule simulator (:class:`~persona_env.core.DialogueCore`) still draws the truth timeline,
what the user reveals this turn, its reaction, its patience and when it leaves, and every reward
is computed from those structured turns. The LLM only turns them into natural words: its prompt
holds the persona card *at this turn*, the dialogue so far, and the rule user's message for this
turn as guidance ("you may reveal: ..."), plus a drift announcement or a persona swap when one
happens at this turn.

The system prompt carries the papers' user-simulator rules (RLPA, ALOE): role-play the user on the
card; reveal gradually, at most about 15% of the profile per reply; start cold (the first message
only states the request); be implicit, never list the profile; react to flattery, repetition and
replies that do not fit; at most three sentences; start no new topics; stay consistent with the
persona at this turn.

One :meth:`LLMUserSimulator.utterances` call makes **one** batched ``backend.generate`` call for
all the conversations it is given. Outputs are cleaned (role prefixes and special tokens stripped,
cut at a following role marker, at most three sentences and 600 characters); an output that is
empty after cleaning falls back to the rule user's message, with a note in :attr:`last_notes`.

Use it in an env with the ``user_simulator`` option::

    env = gym.make("PersonaDialog-v0", user_simulator=LLMUserSimulator(backend))
    env = gym.make("PersonaDialog-v0", user_simulator={"kind": "transformers", "model": PATH})
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

__all__ = [
    "MAX_USER_CHARS",
    "MAX_USER_SENTENCES",
    "USER_RULES",
    "LLMUserSimulator",
    "UserContext",
    "build_user_chat",
    "clean_user_text",
    "make_user_simulator",
]

#: Output caps of a simulated user message.
MAX_USER_SENTENCES = 3
MAX_USER_CHARS = 600

#: The rules every simulated user follows (the system prompt's body).
USER_RULES: tuple[str, ...] = (
    "Role-play the user on the persona card below, chatting with an AI assistant. Write only "
    "your next message, in the first person.",
    "Reveal yourself gradually: at most about 15% of your profile per message (one or two "
    "details), and only what this turn's guidance reveals.",
    "Start cold: your first message only states your request.",
    "Be implicit: hint through what you say and need; never list your profile or quote the card.",
    "React like a real user: call out flattery, say so when the assistant repeats itself, and "
    "complain briefly when a reply does not fit you (length, tone, dislikes, diet, budget).",
    "Answer direct questions in character, or decline when the guidance deflects them.",
    f"Write at most {MAX_USER_SENTENCES} sentences. Do not start new topics unless the guidance "
    "moves on.",
    "Stay consistent with the card as it is at this turn.",
)

#: What each of the rule simulator's reactions means, for the prompt.
REACTION_GUIDANCE: dict[str, str] = {
    "too_long": "the last reply was too long for you",
    "too_short": "the last reply was too short for you",
    "too_formal": "the last reply was too formal for you",
    "too_casual": "the last reply was too casual for you",
    "unwanted_emoji": "you do not want emoji in replies",
    "wants_emoji": "you would like a few emoji in replies",
    "too_jokey": "the last reply joked too much for you",
    "too_serious": "the last reply was too serious for you",
    "too_blunt": "the last reply was too blunt for you",
    "too_vague": "the last reply was too vague and hedging",
    "disliked_topic": "the last reply suggested something you dislike",
    "diet_violation": "the last reply suggested food you do not eat",
    "over_budget": "the last reply was over your budget",
    "off_topic": "the last reply did not address your request",
    "repetition": "the last reply repeated what the assistant already said",
    "flattery": "the last reply flattered you, which you find off-putting",
    "already_answered": "the assistant asked something you already told it",
    "satisfied": "the last reply suited you well",
    "neutral": "the last reply was acceptable",
    "quit": "you have run out of patience: say briefly that you are leaving and end the conversation",
}

_KICKOFF = "(The conversation starts. Write your first message to the assistant.)"


@dataclass(frozen=True)
class UserContext:
    """Everything the LLM user sees for one conversation's next message.

    Attributes:
        persona_card: the persona card of the truth at this turn (``timeline.truth_at(turn)``).
        messages: the dialogue so far, as ``{"role", "content"}`` chat messages from the env's
            point of view (``"user"`` = the simulated user, ``"assistant"`` = the agent).
        turn: the 1-based turn this message opens.
        hint: the rule simulator's message for this turn: what the user may reveal and how it
            reacts (the guidance; also the fallback text).
        announcement: a drift the user announces at this turn (``""`` when none).
        persona_changed: the persona was swapped for another one at this turn.
        reaction: the rule simulator's reaction to the last reply (``""`` at the opening).
    """

    persona_card: str
    messages: tuple[Mapping[str, str], ...]
    turn: int
    hint: str
    announcement: str = ""
    persona_changed: bool = False
    reaction: str = ""


def system_prompt(ctx: UserContext) -> str:
    """The system prompt of one conversation's next message: rules, card, this turn's guidance."""
    rules = "\n".join(f"{i}. {rule}" for i, rule in enumerate(USER_RULES, 1))
    lines = [
        "Rules:",
        rules,
        "",
        f"Your persona card (who you are at turn {ctx.turn}):",
        ctx.persona_card,
        "",
        f"This turn (turn {ctx.turn}):",
    ]
    opening = ctx.turn <= 1 and not any(m.get("role") == "user" for m in ctx.messages)
    if opening:
        lines.append("This is your first message: only state your request.")
    if ctx.persona_changed:
        lines.append("PERSONA CHANGE: from now on you are the different person on the card above; "
                     "the earlier user messages were someone else's.")
    if ctx.announcement:
        lines.append(f"ANNOUNCE A CHANGE: {ctx.announcement}. Tell the assistant about it "
                     "explicitly in this message.")
    if ctx.reaction and ctx.reaction in REACTION_GUIDANCE:
        lines.append(f"Your reaction: {REACTION_GUIDANCE[ctx.reaction]}.")
    if ctx.hint:
        lines.append(f"Guidance (say this in your own words; reveal nothing more): \"{ctx.hint}\"")
    lines.append("Reply with your message only: no role label, no quotes.")
    return "\n".join(lines)


def build_user_chat(ctx: UserContext, max_history_messages: int | None = None) -> list[dict[str, str]]:
    """The chat the backend completes for one conversation.

    The LLM plays the user, so roles are flipped: the simulated user's earlier messages are the
    model's own (``"assistant"``) turns and the agent's replies are ``"user"`` turns. The chat
    opens with a fixed kickoff user turn, so roles alternate and the last turn is always a user
    turn (the agent's latest reply, or the kickoff at the opening).
    """
    history = list(ctx.messages)
    if max_history_messages is not None and len(history) > max_history_messages:
        history = history[len(history) - max_history_messages:]
        while history and history[0].get("role") != "user":  # keep the alternation
            history = history[1:]
    chat = [{"role": "system", "content": system_prompt(ctx)}, {"role": "user", "content": _KICKOFF}]
    for m in history:
        role = "assistant" if m["role"] == "user" else "user"
        content = str(m["content"]) or "(says nothing)"
        if chat[-1]["role"] == role:  # two in a row (e.g. an empty turn): merge
            chat[-1] = {"role": role, "content": f"{chat[-1]['content']}\n{content}"}
        else:
            chat.append({"role": role, "content": content})
    if chat[-1]["role"] != "user":  # the model must answer a user turn
        chat.append({"role": "user", "content": "(The assistant is waiting for your message.)"})
    return chat


# ------------------------------------------------------------------ output cleaning
_SPECIAL = re.compile(r"<\|[^|<>]{0,40}\|>|</?s>|\[/?INST\]|<<\s*/?SYS\s*>>|<start_of_turn>|<end_of_turn>")
_ROLE_WORDS = r"(?:user|assistant|system|human|ai|bot|customer|me|you|simulated user)"
_ROLE_PREFIX = re.compile(rf"^\s*(?:\*\*)?{_ROLE_WORDS}(?:\*\*)?\s*[:>]\s*(?:\*\*)?\s*", re.IGNORECASE)
# a later role marker: the model went on to write the next turn
_ROLE_MARKER = re.compile(rf"(?:^|\n|\s)(?:\*\*)?(?:user|assistant|system|human|ai)(?:\*\*)?\s*:\s", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+")


def clean_user_text(text: str, max_sentences: int = MAX_USER_SENTENCES,
                    max_chars: int = MAX_USER_CHARS) -> str:
    """A completion as a user message: special tokens and role prefixes stripped, cut at a later
    role marker, whitespace collapsed, at most ``max_sentences`` sentences and ``max_chars``
    characters. May return ``""`` (the caller falls back)."""
    text = "" if text is None else str(text)
    # the chat template's role header may come back as "<|im_start|>user\n..."
    text = re.sub(r"<\|(?:im_start|start_header_id)\|>\s*\w*\s*(?:<\|end_header_id\|>)?", " ", text)
    text = _SPECIAL.sub(" ", text)
    text = _CONTROL.sub(" ", text).strip()
    for _ in range(3):  # "User: Me: ..." and the like
        stripped = _ROLE_PREFIX.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped.strip()
    marker = _ROLE_MARKER.search(text)
    if marker:
        text = text[:marker.start()]
    text = " ".join(text.split())
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1].strip()
    sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
    if len(sentences) > max_sentences:
        text = " ".join(sentences[:max_sentences])
    if len(text) > max_chars:
        cut = text[:max_chars]
        space = cut.rfind(" ")
        text = (cut[:space] if space > max_chars // 2 else cut).rstrip(" ,;:-")
    if not any(ch.isalnum() for ch in text):
        return ""
    return text.strip()


# ------------------------------------------------------------------ the simulator
class LLMUserSimulator:
    """Voices simulated users with a batched chat backend (see the module docstring).

    Args:
        backend: a :class:`~persona_env.llm.ChatBackend` (``generate(chats, *, max_new_tokens,
            temperature, seed) -> list[str]``).
        max_new_tokens: the generation budget of one message.
        temperature: sampling temperature (0: greedy).
        max_history_messages: keep only the newest this many messages of the dialogue in the
            prompt (None: all).
    """

    def __init__(self, backend: Any, max_new_tokens: int = 96, temperature: float = 0.7,
                 max_history_messages: int | None = None) -> None:
        if not callable(getattr(backend, "generate", None)):
            raise TypeError(f"backend must have a generate(chats, ...) method (a ChatBackend), got "
                            f"{type(backend).__name__}")
        if int(max_new_tokens) < 1:
            raise ValueError(f"max_new_tokens must be >= 1, got {max_new_tokens}")
        if not float(temperature) >= 0.0:
            raise ValueError(f"temperature must be >= 0, got {temperature}")
        self.backend = backend
        self.max_new_tokens = int(max_new_tokens)
        self.temperature = float(temperature)
        self.max_history_messages = max_history_messages
        #: per message of the last :meth:`utterances` call: notes (e.g. the rule fallback)
        self.last_notes: list[tuple[str, ...]] = []
        #: the raw completions of the last call (before cleaning), for debugging
        self.last_raw: list[str] = []

    def __repr__(self) -> str:
        name = getattr(self.backend, "name", type(self.backend).__name__)
        return (f"LLMUserSimulator({name!r}, max_new_tokens={self.max_new_tokens}, "
                f"temperature={self.temperature})")

    def chats(self, contexts: Sequence[UserContext]) -> list[list[dict[str, str]]]:
        """The prompts :meth:`utterances` sends, one chat per context."""
        return [build_user_chat(c, self.max_history_messages) for c in contexts]

    def utterances(self, contexts: Sequence[UserContext], seed: int | None = None) -> list[str]:
        """The users' next messages, one per context, from ONE batched backend call.

        A completion that is empty after :func:`clean_user_text` is replaced by the context's
        ``hint`` (the rule user's message), with a note in :attr:`last_notes`.
        """
        contexts = list(contexts)
        if not contexts:
            self.last_notes, self.last_raw = [], []
            return []
        raw = self.backend.generate(self.chats(contexts), max_new_tokens=self.max_new_tokens,
                                    temperature=self.temperature, seed=seed)
        raw = list(raw)
        if len(raw) != len(contexts):
            raise RuntimeError(f"backend returned {len(raw)} completions for {len(contexts)} chats")
        texts, notes = [], []
        for ctx, completion in zip(contexts, raw):
            text = clean_user_text(completion)
            if text:
                texts.append(text)
                notes.append(())
            else:
                texts.append(ctx.hint)
                notes.append(("LLM user produced no usable text; used the rule simulator's message",))
        self.last_raw, self.last_notes = raw, notes
        return texts


def make_user_simulator(spec: Any) -> LLMUserSimulator | None:
    """The env option ``user_simulator`` as an object: ``None`` for the rule simulator.

    Accepts ``"rule"``/``None``, an :class:`LLMUserSimulator`, a ChatBackend (wrapped with the
    defaults), or a backend spec dict for :func:`persona_env.llm.make_backend`
    (``{"kind": "transformers", "model": PATH}``; the keys ``max_new_tokens``, ``temperature`` and
    ``max_history_messages`` go to the simulator).
    """
    if spec is None or (isinstance(spec, str) and spec == "rule"):
        return None
    if isinstance(spec, LLMUserSimulator):
        return spec
    if isinstance(spec, Mapping):
        params = dict(spec)
        sim_kwargs = {k: params.pop(k) for k in ("max_new_tokens", "temperature", "max_history_messages")
                      if k in params}
        from persona_env.llm import make_backend  # local: keeps the rule path import-light

        return LLMUserSimulator(make_backend(params), **sim_kwargs)
    if not isinstance(spec, str) and callable(getattr(spec, "generate", None)):
        return LLMUserSimulator(spec)
    raise ValueError(f"user_simulator must be 'rule', an LLMUserSimulator, a ChatBackend or a backend "
                     f"spec dict such as {{'kind': 'transformers', 'model': PATH}}; got {spec!r}")
