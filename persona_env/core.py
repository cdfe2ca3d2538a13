"""The batched simulation core: B conversations as numpy arrays, no text.

Every env is a thin view on :class:`DialogueCore`: the Gymnasium env is a core with B = 1 plus
text parsing and rendering, the PettingZoo envs add the user agent's side, and a vector env is the
same core with a larger batch. The core's step takes the assistant's action *already parsed into
arrays* (the guessed items and the reply's features), scores it, and draws the rule-based user's
next message as structured evidence (cue ids, a reaction, an answer, a request) plus the uniform
draws that pick each phrasing, so text is built only by a view that asks for it
(:mod:`persona_env.user_text`), and a trajectory is the same whether or not text is built.

Turn ``k`` (1-based): the user's k-th message is drawn from the truth at turn ``k``; the
assistant's k-th reply is scored against the truth at turn ``k``.

User model (the rule-based simulator, all draws from the ``rng`` passed in):

* **Disclosure.** Each message reveals ``floor(rate * n_items * fit + u)`` items, at most
  ``ceil(0.15 * n_items)`` (RLPA: at most ~15% of the profile per reply). ``rate`` is the persona's
  disclosure rate, ``fit`` is 1.5 after a well-fitting reply (judge score >= 0.7), 0.5 after a poor
  one (< 0.4), else 1. The opening message reveals at most one item (users start cold). Items not
  yet revealed are preferred (weight ``1 / (1 + times revealed)^2``).
* **Cues.** An item is spoken as an ambiguous cue with probability ``ambiguity`` (if one exists),
  else as its specific cue (:mod:`persona_env.cues` has the exact likelihoods). In a ``conflict``
  scenario each cue points at a wrong value of its slot with probability ``conflict_prob``.
* **Direct questions.** If the reply asks about a slot, the user answers the first slot asked
  (explicitly), deflects it if the slot is private (with the persona's ``privacy`` probability),
  or says it already answered if nothing changed since.
* **Empty replies** score 0 on every judge criterion (the rule judge's rule).
* **Reactions.** The worst judged criterion below 0.5 (or flattery) gets one complaint ("shorter
  please", "no emojis", "I can't stand crowds", "you already said that", ...); otherwise the user
  is satisfied (score >= 0.7) or neutral.
* **Patience.** A poor reply (score < 0.4), a repeated reply and flattery each cost 1; a good
  reply (>= 0.7) restores 0.5 up to the start value. At 0 the user quits (the episode terminates).
* **Session end.** After ``max_turns`` replies the episode terminates (the fixed session length is
  part of the task, as in ALOE's 10-turn sessions, and the turn is in the observation).
* **Requests.** After an on-topic reply the user moves to a new request with probability 0.35,
  else asks a follow-up; after an off-topic reply it restates the request.
* **Timeline.** Truth changes (swap, drift) take effect at their turn; an announced drift is said
  explicitly in that turn's message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from persona_env.cues import CueBank
from persona_env.judges import CRITERIA, ReplyFeatureBatch, RuleJudge
from persona_env.pool import PersonaPool
from persona_env.requests import REQUESTS
from persona_env.rewards import profile_f1_batch
from persona_env.schema import PersonaSchema
from persona_env.persona import Persona
from persona_env.timeline import PersonaTimeline, Scenario, TimelineEvent

#: Reaction codes the user can open a message with (index = code).
REACTIONS: tuple[str, ...] = (
    "too_long", "too_short", "too_formal", "too_casual", "unwanted_emoji", "wants_emoji",
    "too_jokey", "too_serious", "too_blunt", "too_vague", "disliked_topic", "diet_violation",
    "over_budget", "off_topic", "repetition", "flattery", "already_answered", "satisfied",
    "neutral", "quit",
)
R = {name: i for i, name in enumerate(REACTIONS)}

#: How the message ends: nothing (quit), a follow-up, a new request, or restating the request.
REQUEST_NONE, REQUEST_FOLLOW_UP, REQUEST_NEW, REQUEST_RESTATE = 0, 1, 2, 3

#: Every reward term a step reports (``info["reward_terms"]``).
TERM_NAMES: tuple[str, ...] = (
    "profile_f1", "profile_precision", "profile_recall", "profile_f1_delta", "response_score",
    "response_gated", "format_valid", "format_penalty", "turn_cost", "invalid_action",
    # LLM judges (text envs with llm_judge / llm_profile_judge; 0 otherwise). A verdict the judge
    # could not give is 0 here and flagged 1 in the *_missing term, never a silent score.
    "response_llm", "response_llm_missing", "profile_llm_f1", "profile_llm_missing",
) + tuple(f"response_{c}" for c in CRITERIA)

MAX_DISCLOSURE = 0.15
GOOD_REPLY, POOR_REPLY = 0.7, 0.4
NEW_REQUEST_PROB = 0.35


@dataclass(frozen=True)
class UserTurnBatch:
    """The user's messages for a batch, as structured evidence (``[B]`` or ``[B, K]`` arrays).

    ``cue_ids`` are padded with -1; ``*_u`` are the uniform draws that pick phrasings.
    """

    turn: np.ndarray
    cue_ids: np.ndarray
    cue_u: np.ndarray
    misleading: np.ndarray
    reaction: np.ndarray
    reaction_arg: np.ndarray
    reaction_u: np.ndarray
    answer_cue: np.ndarray
    deflected: np.ndarray
    answer_u: np.ndarray
    announce_cue: np.ndarray
    announce_u: np.ndarray
    request_idx: np.ndarray
    request_mode: np.ndarray
    request_u: np.ndarray
    quit: np.ndarray


@dataclass(frozen=True)
class StepOutput:
    """What one core step returns: reward terms, the user's next message, episode ends."""

    terms: dict[str, np.ndarray]
    user: UserTurnBatch
    terminated: np.ndarray
    truncated: np.ndarray
    explanations: dict[str, np.ndarray]


class DialogueCore:
    """B conversations between the rule-based user and an assistant, stepped with array ops."""

    def __init__(self, *, schema: PersonaSchema, cue_bank: CueBank, judge: RuleJudge,
                 scenario: Scenario, pool: PersonaPool, batch_size: int = 1,
                 format_penalty: float = 0.2, quit_ends_episode: bool = True) -> None:
        self.schema, self.cue_bank, self.judge = schema, cue_bank, judge
        self.scenario, self.pool, self.B = scenario, pool, int(batch_size)
        self.format_penalty = float(format_penalty)
        # False (multi-agent): the simulator *suggests* leaving; the user agent decides
        self.quit_ends_episode = quit_ends_episode
        n, s, T = schema.n_items, len(schema.slots), scenario.max_turns
        self.item_slot = schema.item_slot
        self.slot_start, self.slot_stop = schema.slot_start, schema.slot_stop
        self.slot_size = self.slot_stop - self.slot_start
        self.private_slot = np.array([sl.private for sl in schema.slots])
        likes, dislikes = schema.slot_items("likes"), schema.slot_items("dislikes")
        self._likes = slice(likes.start, likes.stop)
        self._dislikes = slice(dislikes.start, dislikes.stop)
        self._diet = slice(*(lambda r: (r.start, r.stop))(schema.slot_items("diet")))
        self.n_requests = len(REQUESTS)

        B = self.B
        self.truth_by_turn = np.zeros((B, T + 1, n), dtype=bool)
        self.announce_by_turn = np.full((B, T + 1), -1, dtype=np.int64)
        self.turn = np.zeros(B, dtype=np.int64)
        self.done = np.ones(B, dtype=bool)
        self.patience = np.zeros(B)
        self.patience0 = np.zeros(B)
        self.disclosure = np.zeros(B)
        self.privacy = np.zeros(B)
        self.conflict = np.zeros(B)
        self.revealed = np.zeros((B, n), dtype=np.int64)
        self.answered = np.zeros((B, s), dtype=bool)
        self.request_idx = np.zeros(B, dtype=np.int64)
        self.last_score = np.full(B, 0.5)
        self.prev_f1 = np.zeros(B)
        self.slot_changed = np.zeros((B, T + 1, s), dtype=bool)  # [b, t]: slots changed at turn t
        # the pool as arrays, so a reset is array work (personas are only built when asked for)
        self.pool_vectors = pool.vectors()
        self.pool_disclosure = np.array([p.disclosure_rate for p in pool])
        self.pool_patience = np.array([p.patience for p in pool])
        self.pool_privacy = np.array([p.privacy for p in pool])
        D = scenario.n_drifts
        self.persona_idx = np.zeros(B, dtype=np.int64)
        self.swap_idx = np.full(B, -1, dtype=np.int64)
        self.drift_turn = np.zeros((B, D), dtype=np.int64)
        self.drift_drop = np.zeros((B, D), dtype=np.int64)
        self.drift_add = np.zeros((B, D), dtype=np.int64)
        self.drift_announced = np.zeros((B, D), dtype=bool)
        self.timelines = LazyTimelines(self)
        # [b, t, j]: the j-th true item at turn t (-1 padded): cues are sampled among these only
        width = sum(sl.max_items for sl in schema.slots)
        self.true_items = np.full((B, T + 1, width), -1, dtype=np.int16)

    # ------------------------------------------------------------------ state views
    def truth(self, turn: np.ndarray | None = None) -> np.ndarray:
        """``bool [B, n_items]``, the truth at ``turn`` (default: the current turn)."""
        t = self.turn if turn is None else turn
        t = np.clip(t, 0, self.scenario.max_turns)
        return self.truth_by_turn[np.arange(self.B), t]

    # ------------------------------------------------------------------ reset
    def reset(self, rng: np.random.Generator, mask: np.ndarray | None = None,
              timelines: Sequence[PersonaTimeline] | None = None) -> UserTurnBatch:
        """Start new conversations where ``mask`` is True (all by default); returns openings.

        Without ``timelines`` the personas, swaps and drifts are drawn from the pool with array
        operations (:meth:`_draw_truth`); explicit timelines (``reset(options=...)``) are used as given.
        """
        idx = np.arange(self.B) if mask is None else np.flatnonzero(mask)
        if timelines is not None:
            for j, b in enumerate(idx.tolist()):
                tl = timelines[j]
                self.timelines[b] = tl
                self.truth_by_turn[b] = tl.truth_vectors()[: self.scenario.max_turns + 1]
                self.announce_by_turn[b] = -1
                for ev in tl.events:
                    if ev.kind == "drift" and ev.announced and ev.turn <= self.scenario.max_turns:
                        added = [v for v in ev.new if v not in ev.old] or list(ev.new)
                        self.announce_by_turn[b, ev.turn] = self.cue_bank.announce_cue[
                            self.schema.item_index(ev.slot, added[0])]
                first = tl.truth_at(1)
                self.patience0[b] = first.patience
                self.disclosure[b] = first.disclosure_rate
                self.privacy[b] = first.privacy
                self.conflict[b] = tl.conflict_prob
        else:
            self._draw_truth(rng, idx)
        tbt = self.truth_by_turn[idx]
        self.true_items[idx] = _pad_true(tbt.reshape(-1, tbt.shape[2]), self.true_items.shape[2]).reshape(
            len(idx), tbt.shape[1], -1)
        changed = tbt[:, 1:] != tbt[:, :-1]
        self.slot_changed[idx, 1:] = np.logical_or.reduceat(changed, self.slot_start, axis=2)
        self.slot_changed[idx, 0] = False
        self.patience[idx] = self.patience0[idx]
        self.turn[idx] = 1
        self.done[idx] = False
        self.revealed[idx] = 0
        self.answered[idx] = False
        self.last_score[idx] = 0.5
        self.prev_f1[idx] = 0.0
        self.request_idx[idx] = rng.integers(self.n_requests, size=len(idx))
        sel = np.zeros(self.B, dtype=bool)
        sel[idx] = True
        return self._user_turn(rng, sel, opening=True, reaction=np.full(self.B, -1),
                               reaction_arg=np.full(self.B, -1), answer_slot=np.full(self.B, -1),
                               request_mode=np.full(self.B, REQUEST_NEW), quit=np.zeros(self.B, bool))

    def _draw_truth(self, rng: np.random.Generator, idx: np.ndarray) -> None:
        """Personas, a swap and drifts for conversations ``idx``, as arrays."""
        sc, n, P = self.scenario, len(idx), len(self.pool)
        T = sc.max_turns
        first = rng.integers(P, size=n)
        tbt = np.repeat(self.pool_vectors[first][:, None, :], T + 1, axis=1)
        second = np.full(n, -1, dtype=np.int64)
        if sc.swap_turn is not None and P > 1:
            second = (first + 1 + rng.integers(P - 1, size=n)) % P
            tbt[:, sc.swap_turn:, :] = self.pool_vectors[second][:, None, :]
        announce = np.full((n, T + 1), -1, dtype=np.int64)
        D = sc.n_drifts
        turns = np.zeros((n, D), dtype=np.int64)
        drops = np.zeros((n, D), dtype=np.int64)
        adds = np.zeros((n, D), dtype=np.int64)
        announced = np.zeros((n, D), dtype=bool)
        if D:
            lo, hi = sc.drift_turns
            turns = np.sort(rng.integers(lo, hi + 1, size=(n, D)), axis=1)
            rows = np.arange(n)
            later = np.arange(T + 1)[None, :]
            for d in range(D):
                t = turns[:, d]
                slot = rng.integers(len(self.schema.slots), size=n)
                in_slot = self.item_slot[None, :] == slot[:, None]
                current = tbt[rows, t]
                # drop one held value of the slot, add one it does not hold (uniformly)
                drop = np.where(current & in_slot, rng.random(current.shape), -1.0).argmax(axis=1)
                add = np.where(~current & in_slot, rng.random(current.shape), -1.0).argmax(axis=1)
                from_t = later >= t[:, None]
                tbt[rows[:, None], later, drop[:, None]] &= ~from_t
                tbt[rows[:, None], later, add[:, None]] |= from_t
                said = rng.random(n) < sc.announce_prob
                announce[rows[said], t[said]] = self.cue_bank.announce_cue[add[said]]
                drops[:, d], adds[:, d], announced[:, d] = drop, add, said
        self.truth_by_turn[idx] = tbt
        self.announce_by_turn[idx] = announce
        self.persona_idx[idx], self.swap_idx[idx] = first, second
        self.drift_turn[idx], self.drift_drop[idx], self.drift_add[idx] = turns, drops, adds
        self.drift_announced[idx] = announced
        self.patience0[idx] = self.pool_patience[first]
        self.disclosure[idx] = self.pool_disclosure[first]
        self.privacy[idx] = self.pool_privacy[first]
        self.conflict[idx] = sc.conflict_prob
        self.timelines.forget(idx)

    def build_timeline(self, b: int) -> PersonaTimeline:
        """The :class:`PersonaTimeline` of conversation ``b``, from the arrays :meth:`_draw_truth` drew."""
        first = self.pool[int(self.persona_idx[b])]
        segments: dict[int, Persona] = {1: first}
        events: list[TimelineEvent] = []
        sc = self.scenario
        if self.swap_idx[b] >= 0:
            other = self.pool[int(self.swap_idx[b])]
            segments[sc.swap_turn] = other
            events.append(TimelineEvent(sc.swap_turn, "swap", persona_id=other.persona_id))
        for d in range(sc.n_drifts):
            t = int(self.drift_turn[b, d])
            base = segments[max(k for k in segments if k <= t)]
            slot, dropped = self.schema.items[int(self.drift_drop[b, d])]
            _, added = self.schema.items[int(self.drift_add[b, d])]
            values = self._values_from_vector(self.truth_by_turn[b, t])
            segments[t] = base.with_values(**{slot: values[slot]})
            events.append(TimelineEvent(t, "drift", slot, base.values[slot], values[slot],
                                        bool(self.drift_announced[b, d]), base.persona_id))
        segments_sorted = tuple(sorted(segments.items()))
        return PersonaTimeline(segments_sorted, tuple(events), float(self.conflict[b]), sc.max_turns)

    def persona_id(self, b: int, turn: int | None = None) -> str:
        """Whose persona conversation ``b`` is at ``turn`` (default: now), read off the arrays
        (a drift keeps the id); a timeline given to :meth:`reset` is asked instead."""
        t = int(self.turn[b]) if turn is None else turn
        if not self.timelines.drawn(b):
            tl = self.timelines[b]
            return "" if tl is None else tl.truth_at(t).persona_id
        swapped = self.swap_idx[b] >= 0 and t >= self.scenario.swap_turn
        return self.pool[int(self.swap_idx[b] if swapped else self.persona_idx[b])].persona_id

    def _values_from_vector(self, vec: np.ndarray) -> dict[str, tuple[str, ...]]:
        values: dict[str, list[str]] = {s.name: [] for s in self.schema.slots}
        for i in np.flatnonzero(vec):
            slot, value = self.schema.items[i]
            values[slot].append(value)
        return {k: tuple(v) for k, v in values.items()}

    # ------------------------------------------------------------------ step
    _STATE = ("turn", "done", "patience", "revealed", "answered", "request_idx", "last_score", "prev_f1")

    def step(self, rng: np.random.Generator, guess: np.ndarray, n_unresolved: np.ndarray,
             format_ok: np.ndarray, features: ReplyFeatureBatch, active: np.ndarray | None = None,
             invalid: np.ndarray | None = None) -> StepOutput:
        """Score the assistant's replies for turn ``self.turn`` and draw the user's next message.

        ``active``: only these conversations advance (the others' outputs are meaningless and
        their state is left as it was; vector envs use it to autoreset). ``invalid``: actions
        that chose an invalid option (numeric mode), reported as ``invalid_action`` = -1.
        """
        if active is not None and not active.all():
            saved = {name: getattr(self, name)[~active].copy() for name in self._STATE}
            out = self.step(rng, guess, n_unresolved, format_ok, features, None, invalid)
            for name, values in saved.items():
                getattr(self, name)[~active] = values
            return out
        if self.done.any():
            raise RuntimeError("step() called on a finished conversation; reset it first "
                               "(core.reset(rng, mask=core.done))")
        B = self.B
        truth = self.truth()
        precision, recall, f1 = profile_f1_batch(guess, n_unresolved, truth)
        judged = self.judge.score(features, truth, self.request_idx)
        crit = judged.criteria
        terms: dict[str, np.ndarray] = {
            "profile_f1": f1, "profile_precision": precision, "profile_recall": recall,
            "profile_f1_delta": f1 - self.prev_f1,
            "response_score": judged.score, "response_gated": judged.gated,
            "format_valid": format_ok.astype(np.float64),
            "format_penalty": np.where(format_ok, 0.0, -self.format_penalty),
            "turn_cost": np.full(B, -1.0),
            "invalid_action": np.zeros(B) if invalid is None else -invalid.astype(np.float64),
            "response_llm": np.zeros(B), "response_llm_missing": np.zeros(B),
            "profile_llm_f1": np.zeros(B), "profile_llm_missing": np.zeros(B),
        }
        for name, values in crit.items():
            terms[f"response_{name}"] = values
        self.prev_f1 = f1

        # --- the user's reaction to this reply
        reaction, reaction_arg = self._reactions(features, crit, judged.score, truth)
        cost = (judged.score < POOR_REPLY).astype(float) + (crit["repetition"] < 0.5) + features.flattery
        self.patience = np.where(judged.score >= GOOD_REPLY,
                                 np.minimum(self.patience + 0.5, self.patience0), self.patience - cost)
        quit = self.patience <= 0
        if not self.quit_ends_episode:
            self.patience = np.maximum(self.patience, 0.0)
        self.last_score = judged.score

        # --- a direct question: answer, deflect, or "already answered"
        asked = features.asked_slots
        any_asked = asked.any(axis=1)
        answer_slot = np.where(any_asked, asked.argmax(axis=1), -1)
        already = any_asked & self.answered[np.arange(B), np.maximum(answer_slot, 0)]
        reaction = np.where(already & (reaction >= R["satisfied"]), R["already_answered"], reaction)
        answer_slot = np.where(already, -1, answer_slot)

        # --- requests: move on after an on-topic reply, restate after an off-topic one
        on_topic = crit["relevance"] >= 0.5
        move_on = on_topic & (rng.random(B) < NEW_REQUEST_PROB)
        new_req = (self.request_idx + 1 + rng.integers(self.n_requests - 1, size=B)) % self.n_requests
        self.request_idx = np.where(move_on, new_req, self.request_idx)
        request_mode = np.where(~on_topic, REQUEST_RESTATE, np.where(move_on, REQUEST_NEW, REQUEST_FOLLOW_UP))

        # --- advance the clock; the last turn's reply gets no user message
        # the session's length is part of the task (and the turn is observed): its end, like the
        # user leaving, is a termination; truncation is left to outside limits (max_cycles, wrappers)
        session_over = self.turn >= self.scenario.max_turns
        terminated = (quit & self.quit_ends_episode) | session_over
        truncated = np.zeros(B, dtype=bool)
        self.turn = self.turn + 1
        self.done = terminated | truncated
        reaction = np.where(quit, R["quit"], reaction)
        request_mode = np.where(quit, REQUEST_NONE, request_mode)
        # a truth change resets what the user considers already answered
        live = ~self.done
        quit = quit & ~session_over
        self.answered &= ~self.slot_changed[np.arange(B), np.minimum(self.turn, self.scenario.max_turns)]
        user = self._user_turn(rng, live | quit, opening=False, reaction=reaction,
                               reaction_arg=reaction_arg, answer_slot=answer_slot,
                               request_mode=request_mode, quit=quit)
        explanations = {"reaction": reaction}
        return StepOutput(terms, user, terminated, truncated, explanations)

    # ------------------------------------------------------------------ internals
    def _reactions(self, f: ReplyFeatureBatch, crit: dict[str, np.ndarray], score: np.ndarray,
                   truth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One complaint for the worst criterion below 0.5 (or flattery), else satisfied/neutral."""
        B = self.B
        names = list(crit)
        table = np.stack([crit[k] for k in names] + [np.where(f.flattery, 0.0, 1.0)], axis=1)
        worst = table.argmin(axis=1)
        bad = table[np.arange(B), worst] < 0.5
        verbosity = truth[:, self.schema.slot_items("verbosity").start:self.schema.slot_items("verbosity").stop]
        brief_or_moderate_long = (verbosity[:, 0] | (verbosity[:, 1] & (f.n_words > 120)))
        diet_truth = truth[:, self._diet]
        diet_violated = (f.diet_violations & diet_truth).any(axis=1)
        disliked = f.mentions[:, self._likes] & truth[:, self._dislikes]
        by_criterion = {
            "length": np.where(brief_or_moderate_long, R["too_long"], R["too_short"]),
            "formality": np.where(f.n_formal > f.n_casual, R["too_formal"], R["too_casual"]),
            "emoji": np.where(f.n_emoji > 0, R["unwanted_emoji"], R["wants_emoji"]),
            "humour": np.where(f.n_playful > 0, R["too_jokey"], R["too_serious"]),
            "directness": np.where(f.n_hedges > 1, R["too_vague"], R["too_blunt"]),
            "content": np.where(diet_violated, R["diet_violation"],
                                np.where(disliked.any(axis=1), R["disliked_topic"], R["over_budget"])),
            "relevance": np.full(B, R["off_topic"]),
            "repetition": np.full(B, R["repetition"]),
        }
        codes = np.stack([by_criterion[k] for k in names] + [np.full(B, R["flattery"])], axis=1)
        complaint = codes[np.arange(B), worst]
        arg = np.where(complaint == R["diet_violation"], diet_truth.argmax(axis=1),
                       np.where(complaint == R["disliked_topic"], disliked.argmax(axis=1), -1))
        calm = np.where(score >= GOOD_REPLY, R["satisfied"], R["neutral"])
        return np.where(bad, complaint, calm), np.where(bad, arg, -1)

    def _user_turn(self, rng: np.random.Generator, active: np.ndarray, *, opening: bool,
                   reaction: np.ndarray, reaction_arg: np.ndarray, answer_slot: np.ndarray,
                   request_mode: np.ndarray, quit: np.ndarray) -> UserTurnBatch:
        B, bank = self.B, self.cue_bank
        rows = np.arange(B)
        turn_now = np.minimum(self.turn, self.scenario.max_turns)
        cand = self.true_items[rows, turn_now].astype(np.int64)
        valid = cand >= 0
        n_true = valid.sum(axis=1)
        cap = np.ceil(MAX_DISCLOSURE * n_true).astype(np.int64)
        fit = np.where(self.last_score >= GOOD_REPLY, 1.5, np.where(self.last_score < POOR_REPLY, 0.5, 1.0))
        expected = self.disclosure * n_true * (0.5 if opening else fit)
        n_cues = np.floor(expected + rng.random(B)).astype(np.int64)
        n_cues = np.minimum(n_cues, 1 if opening else cap)

        # --- the answer to a direct question (counts towards the disclosure cap)
        deflect = (answer_slot >= 0) & self.private_slot[np.maximum(answer_slot, 0)] & (rng.random(B) < self.privacy)
        answering = (answer_slot >= 0) & ~deflect & active & ~quit
        # the answer names the asked slot's least revealed true value
        in_slot = valid & (self.item_slot[np.maximum(cand, 0)] == answer_slot[:, None])
        rev = np.where(in_slot, np.take_along_axis(self.revealed, np.maximum(cand, 0), axis=1), np.iinfo(np.int64).max)
        answer_item = np.take_along_axis(cand, rev.argmin(axis=1)[:, None], axis=1)[:, 0]
        answer_cue = np.where(answering, bank.answer_cue[np.maximum(answer_item, 0)], -1)
        self.revealed[rows[answering], answer_item[answering]] += 1
        self.answered[rows[answering], answer_slot[answering]] = True
        n_cues = np.maximum(n_cues - answering, 0)

        # --- implicit cues: Gumbel top-k over the true items, favouring unrevealed ones
        k_max = int(cap.max()) if B else 0
        # weighted sampling without replacement among the true items (Efraimidis-Spirakis:
        # the top k of log(u) / w), favouring items revealed less often
        cand = np.maximum(cand, 0)
        weight = 1.0 / (1.0 + np.take_along_axis(self.revealed, cand, axis=1).astype(np.float32)) ** 2
        u = rng.random(cand.shape, dtype=np.float32)
        keys = np.where(valid, np.log(np.maximum(u, 1e-30)) / weight, -np.inf)
        pick = np.argsort(-keys, axis=1, kind="stable")[:, :k_max]
        items = np.take_along_axis(cand, pick, axis=1)
        use = (np.arange(k_max)[None, :] < n_cues[:, None]) & active[:, None] & ~quit[:, None]
        # conflicting cues point at another value of the same slot
        misleading = use & (rng.random(items.shape) < self.conflict[:, None])
        slot = self.item_slot[items]
        size = self.slot_size[slot]
        local = items - self.slot_start[slot]
        shift = 1 + np.floor(rng.random(items.shape) * np.maximum(size - 1, 1)).astype(np.int64)
        wrong = self.slot_start[slot] + (local + shift) % size
        spoken = np.where(misleading & (size > 1), wrong, items)
        amb_pick = rng.random(items.shape)
        n_amb = bank.n_ambiguous[spoken]
        use_amb = (rng.random(items.shape) < bank.ambiguity) & (n_amb > 0)
        amb_cue = bank.ambiguous_cues[spoken, np.minimum((amb_pick * n_amb).astype(np.int64), np.maximum(n_amb - 1, 0))]
        cue_ids = np.where(use, np.where(use_amb, amb_cue, bank.specific_cue[spoken]), -1)
        honest = use & ~misleading
        for j in range(k_max):  # items in a row are distinct: plain fancy += per column is safe
            hit = honest[:, j]
            self.revealed[rows[hit], items[hit, j]] += 1

        announce = np.where(active & ~quit, self.announce_by_turn[rows, np.minimum(self.turn, self.scenario.max_turns)], -1)
        return UserTurnBatch(
            turn=self.turn.copy(), cue_ids=cue_ids, cue_u=rng.random(cue_ids.shape), misleading=misleading & use,
            reaction=np.where(active, reaction, -1), reaction_arg=reaction_arg, reaction_u=rng.random(B),
            answer_cue=answer_cue, deflected=deflect & active & ~quit, answer_u=rng.random(B),
            announce_cue=announce, announce_u=rng.random(B),
            request_idx=self.request_idx.copy(), request_mode=np.where(active, request_mode, REQUEST_NONE),
            request_u=rng.random(B), quit=quit & active,
        )


def _pad_true(mask: np.ndarray, width: int) -> np.ndarray:
    """``int16 [R, width]``: the column indices of each row's True entries, -1 padded."""
    r, c = np.nonzero(mask)
    counts = np.bincount(r, minlength=mask.shape[0])
    if counts.max(initial=0) > width:
        raise ValueError(f"a persona holds {counts.max()} items, more than the schema allows ({width})")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    pos = np.arange(len(c)) - np.repeat(starts, counts)
    out = np.full((mask.shape[0], width), -1, dtype=np.int16)
    out[r, pos] = c
    return out


class LazyTimelines:
    """``core.timelines[b]``: conversation ``b``'s :class:`PersonaTimeline`, built on first access."""

    def __init__(self, core: DialogueCore) -> None:
        self.core = core
        self._cache: list[PersonaTimeline | None] = [None] * core.B
        self._drawn = np.zeros(core.B, dtype=bool)

    def __len__(self) -> int:
        return self.core.B

    def __getitem__(self, b: int) -> PersonaTimeline | None:
        if self._cache[b] is None and self._drawn[b]:
            self._cache[b] = self.core.build_timeline(b)
        return self._cache[b]

    def drawn(self, b: int) -> bool:
        """True when conversation ``b``'s truth was drawn as arrays (its timeline is built lazily)."""
        return bool(self._drawn[b])

    def __setitem__(self, b: int, timeline: PersonaTimeline) -> None:
        self._cache[b] = timeline
        self._drawn[b] = False

    def forget(self, idx: np.ndarray) -> None:
        for b in idx.tolist():
            self._cache[b] = None
        self._drawn[idx] = True
