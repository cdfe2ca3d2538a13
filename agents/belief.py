"""The Bayesian belief agent: the oracle upper bound for the rule-based simulator.

It decodes every cue in the user's messages with the simulator's own cue bank and likelihoods
``P(cue | value)`` (:mod:`persona_env.cues`), keeps a posterior over each single-valued slot
(prior: value frequencies of the built-in persona pool) and evidence scores for list slots, reads
the user's complaints as evidence about style and content, forgets old evidence slowly (so it can
follow a swap or a drift), asks about the slot it knows least, and writes replies that fit its
current belief.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

import numpy as np

from agents.base import format_profile, latest_user_message
from agents.reply_composer import ReplyStyle, compose_reply
from persona_env import lexicon
from persona_env.cues import CueBank, default_cue_bank
from persona_env.generator import default_pool
from persona_env.judges import extract_reply_features
from persona_env.requests import REQUESTS
from persona_env.schema import DEFAULT_SCHEMA, PersonaSchema

EPS = 1e-3

#: complaint -> (slot, value, log-evidence) updates
_REACTION_EVIDENCE: dict[str, tuple[tuple[str, str, float], ...]] = {
    "too_long": (("verbosity", "brief", 2.0), ("verbosity", "detailed", -4.0)),
    "too_short": (("verbosity", "detailed", 2.0), ("verbosity", "brief", -4.0)),
    "too_formal": (("formality", "formal", -4.0), ("formality", "casual", 1.0)),
    "too_casual": (("formality", "formal", 3.0), ("formality", "casual", -4.0)),
    "unwanted_emoji": (("emoji", "no emoji", 6.0),),
    "wants_emoji": (("emoji", "likes emoji", 6.0),),
    "too_jokey": (("humour", "serious", 6.0),),
    "too_serious": (("humour", "playful", 6.0),),
    "too_vague": (("directness", "direct", 6.0),),
    "too_blunt": (("directness", "diplomatic", 6.0),),
    "over_budget": (("budget", "tight", 4.0),),
}


def template_regex(template: str) -> re.Pattern[str]:
    pattern = re.escape(template.lower())
    pattern = pattern.replace(r"\{topic\}", r"(?P<arg>[a-z' -]+?)").replace(r"\{diet\}", r"(?P<arg>[a-z' -]+?)")
    return re.compile(pattern)


class BeliefState:
    """Posterior over each single-valued slot and evidence scores for list slots.

    Fed with cue ids (decoded from text, or read off a numeric observation) and the names of the
    user's complaints; old evidence decays by ``decay`` per message so a swap or drift is followed.
    """

    def __init__(self, schema: PersonaSchema = DEFAULT_SCHEMA, cue_bank: CueBank | None = None,
                 decay: float = 0.95) -> None:
        self.schema, self.bank, self.decay = schema, cue_bank or default_cue_bank(), decay
        freq = default_pool("train").vectors().mean(axis=0) if schema is DEFAULT_SCHEMA else np.ones(schema.n_items)
        self.log_prior = np.log(np.maximum(freq, 1e-3))
        self.loglik_table = np.log(self.bank.likelihood + EPS)
        self.reset()

    def reset(self) -> None:
        self.loglik = np.zeros(self.schema.n_items)      # single slots: log-likelihood
        self.score = np.zeros(self.schema.n_items)       # list slots: evidence counts
        self.seen = np.zeros(len(self.schema.slots), dtype=bool)

    def new_message(self) -> None:
        """Older evidence counts a little less (call once per user message)."""
        self.loglik *= self.decay
        self.score *= self.decay

    def observe_cue(self, cue_id: int) -> None:
        cue = self.bank.cues[cue_id]
        slot = self.schema.slot(cue.slot)
        items = self.schema.slot_items(cue.slot)
        self.seen[self.schema.slot_position(cue.slot)] = True
        if slot.is_list:
            for v in cue.values:
                self.score[self.schema.item_index(cue.slot, v)] += 1.0 / len(cue.values)
        else:
            if cue.kind in ("answer", "announce"):  # explicit: replaces what was believed
                self.loglik[items.start:items.stop] = 0.0
            self.loglik[items.start:items.stop] += self.loglik_table[cue_id, items.start:items.stop]

    def observe_reaction(self, name: str, arg: str | None = None) -> None:
        if name == "disliked_topic" and arg:
            self._evidence_value("dislikes", arg, list_weight=1.0)
        elif name == "diet_violation" and arg:
            self._evidence_value("diet", arg, single_weight=6.0)
        for slot, value, w in _REACTION_EVIDENCE.get(name, ()):
            self.loglik[self.schema.item_index(slot, value)] += w
            self.seen[self.schema.slot_position(slot)] = True

    def _evidence_value(self, slot: str, value: str, list_weight: float = 0.0, single_weight: float = 0.0) -> None:
        if not self.schema.has_item(slot, value):
            return
        i = self.schema.item_index(slot, value)
        self.seen[self.schema.slot_position(slot)] = True
        if self.schema.slot(slot).is_list:
            self.score[i] += list_weight
        else:
            self.loglik[i] += single_weight

    def belief(self) -> dict[str, list[str]]:
        """The current guess: MAP values of slots with evidence, confident list values."""
        guess: dict[str, list[str]] = {}
        for k, slot in enumerate(self.schema.slots):
            if not self.seen[k]:
                continue
            items = self.schema.slot_items(slot.name)
            if slot.is_list:
                s = self.score[items.start:items.stop]
                chosen = [i for i in np.argsort(-s, kind="stable")[: slot.max_items] if s[i] >= 0.6]
                if not chosen and s.max() > 0:
                    chosen = [int(s.argmax())]
                guess[slot.name] = [slot.values[i] for i in chosen]
            else:
                logp = self.log_prior[items.start:items.stop] + self.loglik[items.start:items.stop]
                p = np.exp(logp - logp.max())
                p /= p.sum()
                if p.max() >= 0.4:
                    guess[slot.name] = [slot.values[int(p.argmax())]]
        return guess

    def question_slot(self, asked: set[str]) -> str | None:
        """The slot to ask about next: unseen before seen, public before private."""
        order = sorted(self.schema.slots, key=lambda s: (bool(self.seen[self.schema.slot_position(s.name)]), s.private))
        for slot in order:
            if slot.name not in asked:
                return slot.name
        return None


class BeliefAgent:
    """Decodes cues with the simulator's likelihoods; the oracle upper bound (see module doc)."""

    name = "oracle"

    def __init__(self, schema: PersonaSchema = DEFAULT_SCHEMA, cue_bank: CueBank | None = None,
                 decay: float = 0.95, ask: bool = True, seed: int | None = None) -> None:
        self.schema = schema
        self.state = BeliefState(schema, cue_bank, decay)
        self.bank = self.state.bank
        self.ask = ask
        self._reactions = [(name, template_regex(t)) for name, ts in lexicon.REACTIONS.items() for t in ts]
        self._deflections = tuple(d.lower() for d in lexicon.DEFLECTIONS)
        self._request_phrases = [(p.lower(), r.request_id) for r in REQUESTS for p in r.phrasings]
        self.reset(seed)

    def reset(self, seed: int | None = None) -> None:
        self.state.reset()
        self.asked: set[str] = set()
        self.last_question: str | None = None
        self.request = "hobby"
        self.replies: list[str] = []
        self.turn = 0

    def observe_message(self, message: str) -> None:
        low = message.lower()
        self.state.new_message()
        for cue_id in self.bank.decode(message):
            self.state.observe_cue(cue_id)
        for name, regex in self._reactions:
            m = regex.search(low)
            if m:
                self.state.observe_reaction(name, m.groupdict().get("arg", "").strip() or None)
        if self.last_question and any(d in low for d in self._deflections):
            self.asked.add(self.last_question)
        for phrase, request_id in self._request_phrases:
            if phrase in low:
                self.request = request_id

    def belief(self) -> dict[str, list[str]]:
        return self.state.belief()

    def act(self, observation: Mapping[str, Any]) -> dict[str, str]:
        self.turn += 1
        self.observe_message(latest_user_message(observation))
        guess = self.belief()
        question = self.state.question_slot(self.asked) if self.ask else None
        if question:
            self.asked.add(question)
        self.last_question = question
        reply = self._reply(guess, question)
        self.replies.append(reply)
        return {"profile": format_profile(guess, self.schema), "reply": reply}

    def _reply(self, guess: dict[str, list[str]], question: str | None) -> str:
        style = ReplyStyle(
            verbosity=guess.get("verbosity", ["moderate"])[0],
            formality=guess.get("formality", ["neutral"])[0],
            emoji=guess.get("emoji") == ["likes emoji"],
            playful=guess.get("humour") == ["playful"],
            budget_tight=guess.get("budget") == ["tight"],
        )
        disliked = set(guess.get("dislikes", []))
        personal = None
        for value in guess.get("likes", []):
            if value not in disliked:
                personal = f"your taste for {value}"
                break
        if personal is None and guess.get("interests"):
            personal = f"your interest in {guess['interests'][0]}"
        best, best_rep = "", 2.0
        for variant in range(4):
            text = compose_reply(self.request, style, self.turn, personal, question, variant)
            rep = extract_reply_features(text, self.replies, self.schema).repetition
            if rep < best_rep:
                best, best_rep = text, rep
            if rep < 0.35:
                break
        return best

