"""Numeric mode: a MultiDiscrete action and a Box observation over the same simulator and judges.

The action is a template reply plus a profile guess, as integers:

==========================  ============================================================
entries                     meaning
==========================  ============================================================
one per guess entry         0 = unknown, ``v`` = the slot's ``v``-th value (1-based); single
                            slots have one entry, list slots ``max_items`` entries
``act``                     0 = answer the request; ``1..S`` = also ask about slot ``k``;
                            ``S+1..S+R`` = also recommend using the guessed value of the
                            ``r``-th content slot (:data:`RECOMMENDABLE`, R = 5)
``length``                  0 brief / 1 moderate / 2 detailed
``formality``               0 casual / 1 neutral / 2 formal
``emoji``                   0 none / 1 a smiley
``humour``                  0 serious / 1 a light joke
``hedging``                 0 direct / 1 diplomatic (two softeners)
==========================  ============================================================

A reply is rendered from template sentences (:meth:`NumericSpec.render_reply`): the request's
suggestion (for dinner, a dish that fits the guessed diet), an optional personal sentence, an
optional question, style sentences and neutral fillers up to the length. Each sentence's reply
features are computed once, at construction, by the text judge's own extractor
(:func:`persona_env.judges.extract_reply_features`), and a step *adds* them up with array
operations, so the same rule judge scores numeric replies without building any text; a test checks
that the sums equal the features of the rendered text. Repetition is the overlap of the sentences
used with the previous reply's.

Invalid choices: recommending a slot whose guess is "unknown" (the action itself decides that, so
no mask can show it), and asking about a slot the user has already answered (masked in the
observation's ``act_mask``). Choosing one is not an error: it earns ``invalid_action`` = -1 in
``reward_terms`` (weight ``invalid_penalty``), a note in ``info``, and is treated as act 0 (for a
recommendation) or asked anyway (a question).

The observation is a float32 vector: counts of every cue heard so far (or, with
``history=False``, in the latest user message only), the user's last reaction (one-hot), whether
it deflected, the open request (one-hot) and how the message ended (one-hot), the turn as a
fraction of ``max_turns``, and ``act_mask`` (1 = valid act).
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces

from persona_env import lexicon
from persona_env.core import REACTIONS, UserTurnBatch
from persona_env.cues import CueBank
from persona_env.judges import ReplyFeatureBatch, extract_reply_features
from persona_env.requests import REQUESTS
from persona_env.schema import PersonaSchema

RECOMMENDABLE = ("interests", "likes", "other", "diet", "budget")
LENGTH_WORDS = (20, 70, 130)

FILLERS: tuple[str, ...] = (
    "Keep the first attempt simple and build from there.",
    "Set aside a little time for it this week.",
    "Write down what worked so the next time is easier.",
    "Small steps stick better than big changes.",
    "Check what you already have before you start.",
    "Note how it went afterwards and adjust.",
    "Give it two or three tries before you judge it.",
    "Pick a time of day when you have the most energy.",
    "Prepare what you need the evening before.",
    "Leave some room in the plan for surprises.",
)

BASES: dict[str, str] = {
    "dinner": "For dinner, {dish}.",
    "weekend": "For the weekend, plan a relaxed day out close to home.",
    "book": "For your next book, pick a gripping novel with short chapters.",
    "gift": "For the gift, choose something personal they can use every day.",
    "fitness": "For exercise, start with a brisk walk three times a week.",
    "holiday": "For your holiday, choose a quiet destination with easy travel.",
    "sleep": "For better sleep, keep a fixed bedtime routine and a dark, quiet room.",
    "hobby": "For a new hobby, join a beginner class at a local club.",
}
#: The dinner suggestion for each guessed diet (unknown: the default dish).
DISHES: dict[str, str] = {
    "": "roast chicken with buttered potatoes and a glass of wine",
    "no restrictions": "roast chicken with buttered potatoes and a glass of wine",
    "vegetarian": "a cheese and spinach omelette with a green salad",
    "vegan": "a lentil and vegetable curry with rice",
    "gluten-free": "grilled fish with rice and roasted vegetables",
    "halal": "a lamb and vegetable stew with rice",
}
STYLE: dict[str, str] = {
    "casual": "Hey, here's an idea.",
    "formal": "Certainly. I would recommend the following.",
    "emoji": "\U0001F642",
    "playful": "Fun fact: even a silly plan beats no plan.",
    "diplomatic": "Perhaps consider it, if you like.",
}
QUESTIONS: dict[str, str] = {
    "age": "By the way, how old are you?",
    "gender": "By the way, what is your gender?",
    "interests": "By the way, what are your hobbies?",
    "education": "By the way, what is your education?",
    "personality_traits": "By the way, how would you describe yourself?",
    "occupation": "By the way, what do you do for work?",
    "marital_status": "By the way, are you married?",
    "family": "By the way, do you have kids?",
    "location": "By the way, where do you live?",
    "other": "By the way, what is your routine like?",
    "verbosity": "By the way, do you prefer short or detailed answers?",
    "formality": "By the way, what tone do you prefer?",
    "emoji": "By the way, do you like emoji?",
    "humour": "By the way, do you enjoy a bit of humour?",
    "directness": "By the way, how direct should I be?",
    "likes": "By the way, what do you enjoy most?",
    "dislikes": "By the way, is there anything you hate?",
    "diet": "By the way, do you have any dietary needs?",
    "budget": "By the way, what is your budget?",
}
PERSONAL: dict[str, str] = {
    "interests": "It goes well with your love of {value}.",
    "likes": "I added a touch of {value} since you enjoy it.",
    "other": "I kept in mind that you: {value}.",
    "budget": "{budget}",
}
BUDGET_SENTENCES = {"tight": "It is cheap, too.", "moderate": "It is reasonably priced.",
                    "generous": "It is worth a splurge on a luxury version."}

_SUMMED = ("n_words", "n_emoji", "n_formal", "n_casual", "n_playful", "n_hedges")
_ORED = ("mentions", "diet_violations", "request_hits", "asked_slots")

# component kinds, in rendering order (positions of the per-reply component-id array)
_PARTS = ("casual", "formal", "base", "personal", "playful", "diplomatic", "filler", "question", "emoji")


class NumericSpec:
    """The numeric action/observation spaces and the action -> reply-features map for a schema."""

    def __init__(self, schema: PersonaSchema, cue_bank: CueBank, max_turns: int, history: bool = True) -> None:
        self.schema, self.bank, self.max_turns, self.history = schema, cue_bank, max_turns, history
        S = len(schema.slots)
        self.n_slots = S
        # --- action layout
        self.guess_slot: list[int] = []
        for k, slot in enumerate(schema.slots):
            self.guess_slot += [k] * slot.max_items
        self.n_guess = len(self.guess_slot)
        sizes = [len(schema.slots[k].values) + 1 for k in self.guess_slot]
        self.recommendable = np.array([s.name in RECOMMENDABLE for s in schema.slots])
        self.rec_slots = np.flatnonzero(self.recommendable)
        self.n_acts = 1 + S + len(self.rec_slots)
        self.nvec = np.array(sizes + [self.n_acts, 3, 3, 2, 2, 2], dtype=np.int64)
        self.action_space = spaces.MultiDiscrete(self.nvec)
        self.guess_start = schema.slot_start[np.array(self.guess_slot)]
        self.first_entry = np.array([self.guess_slot.index(k) for k in range(S)])
        # --- observation layout
        self.obs_parts = {"cues": cue_bank.n_cues, "reaction": len(REACTIONS), "deflected": 1,
                          "request": len(REQUESTS), "request_mode": 4, "turn": 1, "act_mask": self.n_acts}
        self.obs_size = int(sum(self.obs_parts.values()))
        self.observation_space = spaces.Box(0.0, np.inf, (self.obs_size,), np.float32)
        self._build_tables()

    # ------------------------------------------------------------------ templates
    def _build_tables(self) -> None:
        schema, qk = self.schema, lexicon.QUESTION_KEYWORDS
        diets = ("",) + schema.slot("diet").values if schema.has_slot("diet") else ("",)
        self.diet_choices = diets
        base_texts = []
        for r in REQUESTS:
            for d in diets:
                base_texts.append(BASES[r.request_id].format(dish=DISHES.get(d, DISHES[""])))
        personal_texts = []
        for slot, value in schema.items:
            if slot == "budget":
                personal_texts.append(BUDGET_SENTENCES.get(value, ""))
            elif slot in PERSONAL:
                personal_texts.append(PERSONAL[slot].format(value=value))
            else:
                personal_texts.append("")
        question_texts = [QUESTIONS.get(s.name, f"By the way, tell me about your {s.label.lower()}?")
                          for s in schema.slots]
        style_texts = [STYLE[k] for k in ("casual", "formal", "playful", "diplomatic", "emoji")]
        filler_texts = []
        for deficit in range(0, max(LENGTH_WORDS) + 1):
            words, parts, j = 0, [], 0
            while words < deficit:
                parts.append(FILLERS[j % len(FILLERS)])
                words += len(parts[-1].split())
                j += 1
            filler_texts.append(" ".join(parts))
        self.texts = {"base": base_texts, "personal": personal_texts, "question": question_texts,
                      "style": style_texts, "filler": filler_texts}

        def feats(texts: list[str]) -> ReplyFeatureBatch:
            return ReplyFeatureBatch.stack([extract_reply_features(t, (), schema, question_keywords=qk)
                                            for t in texts], schema=schema)

        self.f = {k: feats(v) for k, v in self.texts.items()}
        self.base_words = self.f["base"].n_words
        # which template families ever set which feature: the only ones a step needs to add up
        self._nonzero = {(table, name) for table, fb in self.f.items()
                         for name in _SUMMED + _ORED if getattr(fb, name).any()}
        self._nonzero |= {(table, "price_level") for table, fb in self.f.items() if (fb.price_level >= 0).any()}

    # ------------------------------------------------------------------ acts
    def ask_act(self, slot: str) -> int:
        """The act that asks about ``slot``."""
        return 1 + self.schema.slot_position(slot)

    def recommend_act(self, slot: str) -> int:
        """The act that recommends using the guess of content slot ``slot``."""
        k = self.schema.slot_position(slot)
        if not self.recommendable[k]:
            raise ValueError(f"only content slots can be recommended: {', '.join(RECOMMENDABLE)}")
        return 1 + self.n_slots + int(np.searchsorted(self.rec_slots, k))

    def act_slot(self, act: int) -> tuple[str, str | None]:
        """``("answer", None)``, ``("ask", slot)`` or ``("recommend", slot)``."""
        if act == 0:
            return "answer", None
        if act <= self.n_slots:
            return "ask", self.schema.slots[act - 1].name
        return "recommend", self.schema.slots[int(self.rec_slots[act - self.n_slots - 1])].name

    # ------------------------------------------------------------------ decoding an action
    def check(self, actions: np.ndarray) -> np.ndarray:
        """Validate ``int [B, D]`` actions; raises naming the expected space."""
        a = np.asarray(actions)
        if a.dtype.kind not in "iu":
            if a.dtype.kind == "f" and np.all(np.isfinite(a)) and np.all(a == np.round(a)):
                a = a.astype(np.int64)
            else:
                raise ValueError(f"numeric actions must be integers in {self.action_space} "
                                 f"(got dtype {a.dtype}{' with NaN/inf' if a.dtype.kind == 'f' else ''})")
        if a.ndim != 2 or a.shape[1] != len(self.nvec):
            raise ValueError(f"expected actions of shape (batch, {len(self.nvec)}) for {self.action_space}, "
                             f"got {a.shape}")
        if (a < 0).any() or (a >= self.nvec).any():
            bad = np.argwhere((a < 0) | (a >= self.nvec))[0]
            raise ValueError(f"action entry {bad[1]} = {a[tuple(bad)]} is outside {self.action_space} "
                             f"(allowed 0..{self.nvec[bad[1]] - 1})")
        return a.astype(np.int64, copy=False)

    def guess(self, a: np.ndarray) -> np.ndarray:
        """``bool [B, n_items]``: the guessed items."""
        B = a.shape[0]
        g = a[:, : self.n_guess]
        out = np.zeros((B, self.schema.n_items + 1), dtype=bool)
        idx = np.where(g > 0, self.guess_start[None, :] + g - 1, self.schema.n_items)
        out[np.arange(B)[:, None], idx] = True
        return out[:, :-1]

    def decode(self, a: np.ndarray, answered: np.ndarray, request_idx: np.ndarray) -> dict[str, np.ndarray]:
        """Component ids of each reply (``-1`` absent) and the invalid-choice flags."""
        B, S = a.shape[0], self.n_slots
        act = a[:, self.n_guess]
        length, formality, emoji, humour, hedging = (a[:, self.n_guess + 1 + i] for i in range(5))
        rows = np.arange(B)
        ask = (act >= 1) & (act <= S)
        rec = act > S
        slot_q = np.where(ask, act - 1, 0)
        slot_r = self.rec_slots[np.where(rec, act - S - 1, 0)]
        rec_value = a[rows, self.first_entry[slot_r]]
        invalid_rec = rec & (rec_value == 0)
        rec_ok = rec & ~invalid_rec
        invalid_ask = ask & answered[rows, slot_q]
        personal_item = np.where(rec_ok, self.schema.slot_start[slot_r] + rec_value - 1, -1)
        if self.schema.has_slot("diet"):
            diet_entry = a[:, self.first_entry[self.schema.slot_position("diet")]]
        else:
            diet_entry = np.zeros(B, dtype=np.int64)
        base = np.maximum(request_idx, 0) * len(self.diet_choices) + diet_entry
        comps = {
            "casual": np.where(formality == 0, 0, -1), "formal": np.where(formality == 2, 1, -1),
            "base": base, "personal": personal_item,
            "playful": np.where(humour == 1, 2, -1), "diplomatic": np.where(hedging == 1, 3, -1),
            "question": np.where(ask, slot_q, -1), "emoji": np.where(emoji == 1, 4, -1),
        }
        words = self.base_words[base].copy()
        for name in ("casual", "formal", "playful", "diplomatic", "emoji"):
            words += np.where(comps[name] >= 0, self.f["style"].n_words[np.maximum(comps[name], 0)], 0)
        words += np.where(personal_item >= 0, self.f["personal"].n_words[np.maximum(personal_item, 0)], 0)
        words += np.where(ask, self.f["question"].n_words[slot_q], 0)
        target = np.array(LENGTH_WORDS)[length]
        comps["filler"] = np.clip(target - words, 0, len(self.texts["filler"]) - 1)
        return {"comps": np.stack([comps[p] for p in _PARTS], axis=1), "invalid_rec": invalid_rec,
                "invalid_ask": invalid_ask}

    def features(self, comps: np.ndarray, prev_comps: np.ndarray | None) -> ReplyFeatureBatch:
        """Reply features of the rendered replies, as sums of the template sentences' features."""
        B = comps.shape[0]
        col = {p: comps[:, i] for i, p in enumerate(_PARTS)}
        rows = []
        for part, table in (("base", "base"), ("personal", "personal"), ("question", "question"),
                            ("filler", "filler"), ("casual", "style"), ("formal", "style"),
                            ("playful", "style"), ("diplomatic", "style"), ("emoji", "style")):
            ids = col[part]
            rows.append((ids >= 0, table, np.maximum(ids, 0)))
        # most template families never set most features (known at construction): skip them
        ints = {}
        for name in _SUMMED:
            total = np.zeros(B, dtype=np.int64)
            for m, table, i in rows:
                if (table, name) in self._nonzero:
                    total += np.where(m, getattr(self.f[table], name)[i], 0)
            ints[name] = total
        bools = {}
        for name in _ORED:
            acc = np.zeros((B, getattr(self.f["base"], name).shape[1]), dtype=bool)
            for m, table, i in rows:
                if (table, name) in self._nonzero:
                    acc |= getattr(self.f[table], name)[i] & m[:, None]
            bools[name] = acc
        price = np.full(B, -1, dtype=np.int64)
        for m, table, i in rows:
            if (table, "price_level") in self._nonzero:
                price = np.maximum(price, np.where(m, self.f[table].price_level[i], -1))
        flattery = np.zeros(B, dtype=bool)
        if prev_comps is None:
            repetition = np.zeros(B)
        else:
            present, prev_present = comps >= 0, prev_comps >= 0
            same = (present & (comps == prev_comps)).sum(axis=1)
            union = present.sum(axis=1) + prev_present.sum(axis=1) - same
            repetition = np.where(prev_present.any(axis=1), same / np.maximum(union, 1), 0.0)
        return ReplyFeatureBatch(**ints, mentions=bools["mentions"], diet_violations=bools["diet_violations"],
                                 price_level=price.astype(np.int64), request_hits=bools["request_hits"],
                                 asked_slots=bools["asked_slots"], flattery=flattery,
                                 repetition=repetition.astype(np.float64))

    def render_reply(self, comps_row: np.ndarray) -> str:
        """The text of one reply (only built when asked: render, text observations, tests)."""
        parts = []
        for name, i in zip(_PARTS, comps_row.tolist()):
            if i < 0:
                continue
            table = {"base": "base", "personal": "personal", "question": "question", "filler": "filler"}.get(name, "style")
            text = self.texts[table][i]
            if text:
                parts.append(text)
        return " ".join(parts)

    def guess_text(self, guess_row: np.ndarray) -> str:
        """RLPA's ``- Label: value`` list for a guess vector (for rendering)."""
        by_slot: dict[str, list[str]] = {}
        for i in np.flatnonzero(guess_row):
            slot, value = self.schema.items[i]
            by_slot.setdefault(slot, []).append(value)
        return "\n".join(f"- {self.schema.slot(s).label}: {', '.join(v)}" for s, v in by_slot.items())

    # ------------------------------------------------------------------ observations
    def act_mask(self, answered: np.ndarray) -> np.ndarray:
        """``float [B, n_acts]``: 1 where the act is valid (asking is invalid once answered)."""
        B = answered.shape[0]
        mask = np.ones((B, self.n_acts), dtype=np.float32)
        mask[:, 1: 1 + self.n_slots] = ~answered
        return mask

    def observe(self, heard: np.ndarray, user: UserTurnBatch, turn: np.ndarray, answered: np.ndarray,
                out: np.ndarray | None = None) -> np.ndarray:
        """Fill ``float32 [B, obs_size]`` observations."""
        B = heard.shape[0]
        obs = np.zeros((B, self.obs_size), dtype=np.float32) if out is None else out
        o = 0
        n = self.bank.n_cues
        obs[:, o:o + n] = heard
        o += n
        obs[:, o:o + len(REACTIONS)] = 0
        has = user.reaction >= 0
        obs[np.flatnonzero(has), o + user.reaction[has]] = 1
        o += len(REACTIONS)
        obs[:, o] = user.deflected
        o += 1
        obs[:, o:o + len(REQUESTS)] = 0
        obs[np.arange(B), o + user.request_idx] = 1
        o += len(REQUESTS)
        obs[:, o:o + 4] = 0
        obs[np.arange(B), o + user.request_mode] = 1
        o += 4
        obs[:, o] = np.minimum(turn, self.max_turns) / self.max_turns
        o += 1
        obs[:, o:o + self.n_acts] = self.act_mask(answered)
        return obs

    def heard_counts(self, user: UserTurnBatch) -> np.ndarray:
        """``float32 [B, n_cues]``: the cues in each user message (implicit, answers, announcements)."""
        B, n = user.cue_ids.shape[0], self.bank.n_cues
        ids = np.concatenate([user.cue_ids, user.answer_cue[:, None], user.announce_cue[:, None]], axis=1)
        counts = np.zeros((B, n + 1), dtype=np.float32)
        rows = np.arange(B)
        for j in range(ids.shape[1]):  # within one column each row appears once: plain += is safe
            counts[rows, np.where(ids[:, j] >= 0, ids[:, j], n)] += 1.0
        return counts[:, :-1]
