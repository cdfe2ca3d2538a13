"""Text mode over the batched core: parse untrusted assistant text into arrays, voice the user.

:class:`TextDialogue` is what the Gymnasium env (B = 1), the PettingZoo envs and the text vector
env share: it turns each ``{"profile", "reply"}`` action into the core's inputs (guessed items,
reply features, format flag), steps the core, renders the user's next message, and keeps the
transcript and per-turn records that rendering and evaluation read.

With an LLM user (``user_simulator``, an :class:`~persona_env.llm_user.LLMUserSimulator`) *the
rule simulator keeps the books, the LLM speaks*: the core's structured turn still decides the
rewards, the reactions, the patience and the timeline, and its rendered message becomes the LLM's
guidance (and fallback); the words in the transcript and the observation are the LLM's, written
for all the batch's conversations in ONE backend call after each core step (and at reset), with a
seed drawn from the env's generator so trajectories are reproducible. Without one (the default)
nothing here changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from persona_env import lexicon
from persona_env.actions import AssistantAction, parse_assistant_action
from persona_env.core import REACTIONS, DialogueCore, StepOutput, UserTurnBatch
from persona_env.judges import ReplyFeatureBatch, extract_reply_features
from persona_env.profile_parsing import parse_profile
from persona_env.rewards import ItemMatcher, guess_vector
from persona_env.timeline import PersonaTimeline
from persona_env.text_spaces import sanitise
from persona_env.user_text import user_message


@dataclass(frozen=True)
class TurnRecord:
    """One scored turn, for rendering and evaluation."""

    turn: int
    user_message: str
    profile: str
    reply: str
    guessed_items: tuple[tuple[str, str], ...]
    n_unresolved: int
    terms: dict[str, float]
    notes: tuple[str, ...]
    reaction: str
    truth_persona_id: str


@dataclass
class Transcript:
    """The messages of one conversation so far, as chat messages, plus the observation text.

    The text form (one ``"User: ..."`` / ``"Assistant: ..."`` line per message, newlines inside a
    message shown as ``" / "``, sanitised to the observation charset) is built incrementally, so
    a step costs the new message, not the whole history.
    """

    messages: list[dict[str, str]] = field(default_factory=list)
    _text: str = ""

    def add(self, role: str, content: str) -> None:
        self.messages.append({"role": role, "content": content})
        line = f"{role.capitalize()}: {sanitise(content.replace(chr(10), ' / '))}"
        self._text = f"{self._text}\n{line}" if self._text else line

    def as_text(self) -> str:
        return self._text


class TextDialogue:
    """A :class:`DialogueCore` with text in and text out."""

    def __init__(self, core: DialogueCore, matcher: ItemMatcher, auto_user: bool = True,
                 user_simulator: Any = None, llm_judge: Any = None, llm_profile_judge: Any = None) -> None:
        """``auto_user``: the simulator's message is said for the user (single-agent views); else
        it is only a suggestion and the user's words come from :meth:`commit_user`.
        ``user_simulator``: None (the rule simulator's words) or an ``LLMUserSimulator`` that
        voices the rule simulator's turns (see the module docstring)."""
        self.core, self.matcher, self.auto_user = core, matcher, auto_user
        self.user_simulator = user_simulator
        #: optional LLM judges, reported as the response_llm / profile_llm_f1 terms
        self.llm_judge, self.llm_profile_judge = llm_judge, llm_profile_judge
        self.transcripts = [Transcript() for _ in range(core.B)]
        self.records: list[list[TurnRecord]] = [[] for _ in range(core.B)]
        self.suggested_user: list[str] = [""] * core.B
        self.current_user: list[str] = [""] * core.B
        #: the rule simulator's message of each conversation's current turn (the LLM's guidance)
        self.rule_user: list[str] = [""] * core.B
        #: notes on each conversation's current user message (e.g. an LLM fallback)
        self.user_notes: list[tuple[str, ...]] = [()] * core.B

    def commit_user(self, b: int, text: str) -> None:
        """The user's message for conversation ``b``'s current turn."""
        self.current_user[b] = text
        self.transcripts[b].add("user", text)

    # ------------------------------------------------------------------ reset / step
    def reset(self, rng: np.random.Generator, mask: np.ndarray | None = None,
              timelines: Sequence[PersonaTimeline] | None = None) -> list[str]:
        """Start conversations (all, or where ``mask``); returns every conversation's opening."""
        user = self.core.reset(rng, mask, timelines)
        idx = range(self.core.B) if mask is None else np.flatnonzero(mask).tolist()
        llm = self.user_simulator
        for b in idx:
            self.transcripts[b] = Transcript()
            self.records[b] = []
            self.current_user[b] = ""
            self.suggested_user[b] = user_message(user, b, self.core.cue_bank)
            if llm is None and self.auto_user:
                self.commit_user(b, self.suggested_user[b])
        if llm is not None:
            self._llm_speak(rng, user, list(idx))
        return list(self.suggested_user)

    def parse(self, action: Any, previous_replies: Sequence[str]) -> tuple[AssistantAction, Any, np.ndarray, int, Any]:
        act = parse_assistant_action(action)
        parsed = parse_profile(act.profile, self.core.schema)
        vec, n_unresolved = guess_vector(parsed, self.core.schema, self.matcher)
        feats = extract_reply_features(act.reply, previous_replies, self.core.schema,
                                       question_keywords=lexicon.QUESTION_KEYWORDS)
        return act, parsed, vec, n_unresolved, feats

    def step(self, rng: np.random.Generator, actions: Sequence[Any],
             active: np.ndarray | None = None) -> tuple[StepOutput, list[TurnRecord]]:
        """Score one action per conversation and voice each user's next message.

        ``active``: only these conversations advance (a vector env's autoreset); the others'
        actions are ignored and they get no record (``records`` holds the active ones).
        """
        core = self.core
        if len(actions) != core.B:
            raise ValueError(f"expected {core.B} actions (one per conversation), got {len(actions)}")
        live = np.ones(core.B, dtype=bool) if active is None else np.asarray(active, dtype=bool)
        idle = {"profile": "", "reply": "-"}  # placeholder for conversations that do not advance
        parsed_all = [self.parse(a if live[b] else idle,
                                 [m["content"] for m in t.messages if m["role"] == "assistant"])
                      for b, (a, t) in enumerate(zip(actions, self.transcripts))]
        guess = np.stack([p[2] for p in parsed_all])
        n_unresolved = np.array([p[3] for p in parsed_all], dtype=np.int64)
        format_ok = np.array([p[0].format_ok for p in parsed_all])
        features = ReplyFeatureBatch.stack([p[4] for p in parsed_all])
        truth_ids = [self.truth_persona_id(b) for b in range(core.B)]
        llm = self.user_simulator
        out = core.step(rng, guess, n_unresolved, format_ok, features, active=active)
        if self.llm_judge is not None or self.llm_profile_judge is not None:
            self._llm_judge_terms(out, parsed_all, [b for b in range(core.B) if live[b]])
        records = []
        for b, (act, parsed, vec, n_unres, _) in enumerate(parsed_all):
            if not live[b]:
                continue
            terms = {k: float(v[b]) for k, v in out.terms.items()}
            notes = act.notes + parsed.notes
            rec = TurnRecord(
                turn=len(self.records[b]) + 1, user_message=self.current_user[b], profile=act.profile,
                reply=act.reply, guessed_items=tuple(core.schema.items[i] for i in np.flatnonzero(vec)),
                n_unresolved=n_unres, terms=terms, notes=notes,
                reaction=REACTIONS[int(out.explanations["reaction"][b])], truth_persona_id=truth_ids[b],
            )
            self.records[b].append(rec)
            records.append(rec)
            self.transcripts[b].add("assistant", act.reply)
            message = user_message(out.user, b, core.cue_bank)
            self.suggested_user[b] = message
            self.current_user[b] = ""
            if llm is None and self.auto_user and message:
                self.commit_user(b, message)
        if llm is not None:
            self._llm_speak(rng, out.user, [b for b in range(core.B) if live[b] and self.suggested_user[b]])
        return out, records

    # ------------------------------------------------------------------ LLM judges
    def _llm_judge_terms(self, out: StepOutput, parsed_all: list, idx: list[int]) -> None:
        """Fill the ``response_llm`` / ``profile_llm_f1`` terms of conversations ``idx`` (one
        batched call per judge); an unreadable verdict stays 0 with its ``*_missing`` term at 1."""
        if not idx:
            return
        personas = [self.core.timelines[b].truth_at(len(self.records[b]) + 1) for b in idx]
        if self.llm_judge is not None:
            result = self.llm_judge.score_texts(
                [parsed_all[b][0].reply for b in idx], personas,
                [self.transcripts[b].as_text() for b in idx], [self.current_user[b] for b in idx])
            for j, b in enumerate(idx):
                missing = bool(result.missing[j])
                out.terms["response_llm"][b] = 0.0 if missing else float(result.normalised[j])
                out.terms["response_llm_missing"][b] = float(missing)
        if self.llm_profile_judge is not None:
            result = self.llm_profile_judge.score_texts([parsed_all[b][0].profile for b in idx], personas)
            for j, b in enumerate(idx):
                missing = bool(result.missing[j])
                out.terms["profile_llm_f1"][b] = 0.0 if missing else float(result.f1[j])
                out.terms["profile_llm_missing"][b] = float(missing)

    # ------------------------------------------------------------------ LLM user
    def _llm_speak(self, rng: np.random.Generator, batch: UserTurnBatch, idx: list[int]) -> None:
        """Replace the rule messages of conversations ``idx`` by the LLM user's (one batched
        call; the seed is drawn from ``rng`` even when ``idx`` is empty, so the stream of draws
        does not depend on it), then say them for the user where ``auto_user``."""
        seed = int(rng.integers(2**31 - 1))
        contexts = [self.user_context(batch, b) for b in idx]
        texts = self.user_simulator.utterances(contexts, seed=seed) if contexts else []
        notes = getattr(self.user_simulator, "last_notes", None) or [()] * len(texts)
        for b, text, note in zip(idx, texts, notes):
            self.rule_user[b] = self.suggested_user[b]
            self.suggested_user[b] = text
            self.user_notes[b] = tuple(note)
            if self.auto_user:
                self.commit_user(b, text)

    def user_context(self, batch: UserTurnBatch, b: int):
        """The :class:`~persona_env.llm_user.UserContext` of conversation ``b``'s next message
        (call after the core produced ``batch`` and before the message is committed)."""
        from persona_env.llm_user import UserContext  # local: the rule path never needs it

        core = self.core
        turn = int(batch.turn[b])
        tl = core.timelines[b]
        announcement, swapped = "", False
        if tl is not None:
            for ev in tl.events:
                if ev.turn != turn:
                    continue
                if ev.kind == "swap":
                    swapped = True
                elif ev.kind == "drift" and ev.announced and int(batch.announce_cue[b]) >= 0:
                    label = core.schema.slot(ev.slot).label if ev.slot else "something"
                    change = (f"{label}: now {', '.join(ev.new)} (before: {', '.join(ev.old)})"
                              if ev.old else f"{label}: now {', '.join(ev.new)}")
                    announcement = f"{announcement}; {change}" if announcement else change
            card = tl.truth_at(turn).card()
        else:  # pragma: no cover - a reset always sets a timeline
            card = ""
        if not announcement and int(batch.announce_cue[b]) >= 0:
            announcement = core.cue_bank.phrasing(int(batch.announce_cue[b]), float(batch.announce_u[b]))
        reaction = int(batch.reaction[b])
        return UserContext(
            persona_card=card,
            messages=tuple(dict(m) for m in self.transcripts[b].messages),
            turn=turn,
            hint=self.suggested_user[b],
            announcement=announcement,
            persona_changed=swapped,
            reaction=REACTIONS[reaction] if reaction >= 0 else "",
        )

    def truth_persona_id(self, b: int) -> str:
        return self.core.persona_id(b)
