"""Stage 2 of the rule judge: score a batch of reply features against the users' true personas.

Everything is vectorised over the batch (``B`` conversations); the judge never sees text, only a
:class:`~persona_env.judges.reply_features.ReplyFeatureBatch`.

Rules (``n`` = ``n_words``, ``m`` = ``n_formal - n_casual``, ``e`` = ``n_emoji``,
``p`` = ``n_playful``, ``h`` = ``n_hedges``; every criterion is in [0, 1])::

    criterion   user's value       score
    ----------  -----------------  ---------------------------------------------------------------
    length      brief              1 if n <= 40; 1 - (n - 40) / 80 for 40 < n < 120; 0 if n >= 120
                moderate           n / 30 if n < 30; 1 for 30 <= n <= 120;
                                   1 - (n - 120) / 120 for 120 < n < 240; 0 if n >= 240
                detailed           0 if n <= 20; (n - 20) / 80 for 20 < n < 100; 1 if n >= 100
    formality   casual             1 if m <= 0, else max(0, 1 - 0.34 m)
                formal             1 if m >= 1; 0.5 if m == 0; else max(0, 0.5 - 0.25 |m|)
                neutral            1 if |m| <= 2, else 0.5
    emoji       no emoji           1 if e == 0, else 0
                likes emoji        1 if e >= 1, else 0.3
    humour      playful            1 if p >= 1, else 0.5
                serious            1 if p == 0, else 0
    directness  direct             1 if h <= 1, else max(0, 1 - 0.25 (h - 1))
                diplomatic         1 if h >= 1, else 0.4
    content     (all)              0 if the reply mentions a topic the user dislikes, violates the
                                   user's diet, or has price_level == 2 (expensive) while the
                                   user's budget is "tight" (mid prices are fine on a tight
                                   budget); otherwise 1 if it mentions a topic the user likes, one
                                   of the user's interests or one of the user's "other"
                                   items (dog, marathon, ...); otherwise 0.5
    relevance   (all)              1 if request_idx == -1 (no open request); else 1 if
                                   request_hits[request_idx] else 0
    repetition  (all)              1 - repetition (clipped to [0, 1])

* An empty reply (``n == 0``) scores 0 on every criterion: silence would otherwise satisfy most
  style criteria (brief, no emoji, serious, ...) and earn a decent score for saying nothing.
* A style slot the user has no value for (or a value without a rule, in a custom schema) scores 1;
  several values of one style slot score the mean of their rules.
* ``score`` = weighted mean of the criteria (default: all weights 1; a ``weights`` mapping may
  name some criteria, the others keep weight 1; weights must be finite and >= 0, not all 0).
* ``gated`` = 1.0 iff every criterion with a non-zero weight is >= ``gate_threshold`` and
  ``score`` >= ``gate_score`` (RLPA-style 0/1 verdict; both comparisons allow 1e-9 float slack),
  else 0.0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np

from persona_env.judges.reply_features import ReplyFeatureBatch, ReplyFeatures
from persona_env.requests import REQUESTS
from persona_env.schema import DEFAULT_SCHEMA, PersonaSchema

__all__ = ["CRITERIA", "JudgeScores", "RuleJudge"]

CRITERIA: tuple[str, ...] = (
    "length", "formality", "emoji", "humour", "directness", "content", "relevance", "repetition",
)

_EPS = 1e-9
_Rule = Callable[[np.ndarray], np.ndarray]


def _clip01(x: np.ndarray) -> np.ndarray:
    return np.clip(x, 0.0, 1.0)


#: criterion -> (style slot, feature it reads, value -> vectorised rule)
_STYLE_RULES: dict[str, tuple[str, str, dict[str, _Rule]]] = {
    "length": ("verbosity", "n_words", {
        "brief": lambda n: _clip01(1.0 - (n - 40) / 80.0),
        "moderate": lambda n: np.where(n < 30, _clip01(n / 30.0), _clip01(1.0 - (n - 120) / 120.0)),
        "detailed": lambda n: _clip01((n - 20) / 80.0),
    }),
    "formality": ("formality", "m", {
        "casual": lambda m: np.where(m <= 0, 1.0, np.maximum(0.0, 1.0 - 0.34 * m)),
        "formal": lambda m: np.where(m >= 1, 1.0, np.where(m == 0, 0.5,
                                                           np.maximum(0.0, 0.5 - 0.25 * np.abs(m)))),
        "neutral": lambda m: np.where(np.abs(m) <= 2, 1.0, 0.5),
    }),
    "emoji": ("emoji", "n_emoji", {
        "no emoji": lambda e: np.where(e == 0, 1.0, 0.0),
        "likes emoji": lambda e: np.where(e >= 1, 1.0, 0.3),
    }),
    "humour": ("humour", "n_playful", {
        "playful": lambda p: np.where(p >= 1, 1.0, 0.5),
        "serious": lambda p: np.where(p == 0, 1.0, 0.0),
    }),
    "directness": ("directness", "n_hedges", {
        "direct": lambda h: np.where(h <= 1, 1.0, np.maximum(0.0, 1.0 - 0.25 * (h - 1))),
        "diplomatic": lambda h: np.where(h >= 1, 1.0, 0.4),
    }),
}

_PREFERENCE_TEXT = {
    "brief": "brief (1 up to 40 words, 0 from 120)",
    "moderate": "moderate (1 for 30-120 words, 0 at 0 and from 240)",
    "detailed": "detailed (1 from 100 words, 0 up to 20)",
    "casual": "casual (formal minus casual markers <= 0)",
    "formal": "formal (formal minus casual markers >= 1)",
    "neutral": "neutral (|formal minus casual markers| <= 2)",
    "no emoji": "no emoji",
    "likes emoji": "emoji (at least one)",
    "playful": "playful (at least one joke marker)",
    "serious": "serious (no joke markers)",
    "direct": "direct (at most 1 hedge)",
    "diplomatic": "diplomatic (at least 1 hedge)",
}


@dataclass(frozen=True, eq=False)
class JudgeScores:
    """The judge's verdict on a batch.

    Attributes:
        criteria: criterion name -> ``float [B]`` in [0, 1], in :data:`CRITERIA` order.
        score: ``float [B]``, the weighted mean of the criteria.
        gated: ``float [B]``, 1.0 where every (weighted) criterion >= the gate threshold and
            ``score`` >= the gate score, else 0.0.
    """

    criteria: dict[str, np.ndarray]
    score: np.ndarray
    gated: np.ndarray

    def table(self) -> np.ndarray:
        """``float [B, len(CRITERIA)]``, the criteria as columns in :data:`CRITERIA` order."""
        return np.stack([self.criteria[c] for c in CRITERIA], axis=1)

    def __len__(self) -> int:
        return int(self.score.shape[0])


def _as_batch(features: ReplyFeatureBatch | ReplyFeatures | Sequence[ReplyFeatures],
              schema: PersonaSchema) -> ReplyFeatureBatch:
    if isinstance(features, ReplyFeatureBatch):
        return features
    if isinstance(features, ReplyFeatures):
        return ReplyFeatureBatch.stack([features], schema)
    return ReplyFeatureBatch.stack(list(features), schema)


class RuleJudge:
    """Scores reply features against true personas with the rules in the module docstring.

    Args:
        schema: the persona schema ``truth`` vectors follow.
        weights: criterion -> weight (missing criteria weigh 1); unknown names raise ValueError.
        gate_threshold: minimum per-criterion score for ``gated``.
        gate_score: minimum weighted score for ``gated``.
    """

    def __init__(self, schema: PersonaSchema = DEFAULT_SCHEMA,
                 weights: Mapping[str, float] | None = None,
                 gate_threshold: float = 0.5, gate_score: float = 0.7) -> None:
        self.schema = schema
        self.weights = self._check_weights(weights)
        self._w = np.array([self.weights[c] for c in CRITERIA], dtype=np.float64)
        self._gate_cols = self._w > 0
        self.gate_threshold = float(gate_threshold)
        self.gate_score = float(gate_score)
        if not (np.isfinite(self.gate_threshold) and np.isfinite(self.gate_score)):
            raise ValueError("gate_threshold and gate_score must be finite")

        # style criteria: item indices of the slot and the rule for each of its values
        self._style: dict[str, tuple[np.ndarray, tuple[str, ...], str, dict[str, _Rule]]] = {}
        for crit, (slot, feat, rules) in _STYLE_RULES.items():
            if schema.has_slot(slot):
                items = np.array(list(schema.slot_items(slot)), dtype=np.int64)
                self._style[crit] = (items, schema.slot(slot).values, feat, rules)

        # content: disliked topics -> the item a mention of that topic sets
        dis_item, dis_mention, dis_name = [], [], []
        if schema.has_slot("dislikes"):
            for v in schema.slot("dislikes").values:
                dis_item.append(schema.item_index("dislikes", v))
                dis_mention.append(schema.item_index("likes", v) if schema.has_item("likes", v)
                                   else schema.item_index("dislikes", v))
                dis_name.append(v)
        self._dis_item = np.array(dis_item, dtype=np.int64)
        self._dis_mention = np.array(dis_mention, dtype=np.int64)
        self._dis_name = tuple(dis_name)
        pos = [i for slot in ("likes", "interests", "other") if schema.has_slot(slot)
               for i in schema.slot_items(slot)]
        self._pos = np.array(pos, dtype=np.int64)
        self._diet_items = (np.array(list(schema.slot_items("diet")), dtype=np.int64)
                            if schema.has_slot("diet") else np.zeros(0, dtype=np.int64))
        self._tight = (schema.item_index("budget", "tight") if schema.has_item("budget", "tight")
                       else -1)

    # ------------------------------------------------------------------ config
    @staticmethod
    def _check_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
        out = {c: 1.0 for c in CRITERIA}
        if weights is None:
            return out
        unknown = sorted(set(weights) - set(CRITERIA))
        if unknown:
            raise ValueError(f"unknown judge criteria {unknown}; valid criteria: {', '.join(CRITERIA)}")
        for name, w in weights.items():
            try:
                w = float(w)
            except (TypeError, ValueError):
                raise ValueError(f"weight for criterion {name!r} must be a number, got {w!r}") from None
            if not np.isfinite(w) or w < 0:
                raise ValueError(f"weight for criterion {name!r} must be finite and >= 0, got {w}")
            out[name] = w
        if sum(out.values()) <= 0:
            raise ValueError("at least one judge criterion needs a positive weight")
        return out

    # ------------------------------------------------------------------ scoring
    def score(self, features: ReplyFeatureBatch | ReplyFeatures | Sequence[ReplyFeatures],
              truth: np.ndarray, request_idx: np.ndarray | int) -> JudgeScores:
        """Score ``B`` replies.

        Args:
            features: a :class:`ReplyFeatureBatch` (a single :class:`ReplyFeatures` or a list of
                them is stacked first).
            truth: ``bool [B, n_items]`` true persona vectors (``[n_items]`` allowed when B == 1).
            request_idx: ``int [B]``, the open request per conversation, -1 for none (a scalar is
                broadcast).
        """
        f = _as_batch(features, self.schema)
        B = f.batch_size
        truth = np.asarray(truth).astype(bool, copy=False)
        if truth.ndim == 1 and B == 1:
            truth = truth[None, :]
        n_items = self.schema.n_items
        if truth.shape != (B, n_items):
            raise ValueError(f"truth must have shape (B, n_items) = ({B}, {n_items}), got {truth.shape}")
        if f.mentions.shape[1] != n_items:
            raise ValueError(f"features.mentions has {f.mentions.shape[1]} columns, schema has {n_items} items")
        if f.diet_violations.shape[1] != len(self._diet_items):
            raise ValueError(f"features.diet_violations has {f.diet_violations.shape[1]} columns, "
                             f"schema has {len(self._diet_items)} diet values")
        req = np.broadcast_to(np.asarray(request_idx, dtype=np.int64), (B,))
        n_req = f.request_hits.shape[1]
        if B and (req.min() < -1 or req.max() >= n_req):
            raise ValueError(f"request_idx must be -1 or in [0, {n_req}), got {req.min()}..{req.max()}")

        crit: dict[str, np.ndarray] = {}
        m = f.n_formal - f.n_casual
        for name in CRITERIA[:5]:
            crit[name] = self._style_score(name, f, m, truth)
        crit["content"] = self._content(f, truth)[0]
        if n_req:
            hit = f.request_hits[np.arange(B), np.maximum(req, 0)]
        else:
            hit = np.zeros(B, dtype=bool)
        crit["relevance"] = np.where(req < 0, 1.0, hit.astype(np.float64))
        crit["repetition"] = 1.0 - np.clip(np.nan_to_num(f.repetition, nan=0.0), 0.0, 1.0)

        # A reply with no words fits no one: otherwise silence would satisfy every style criterion.
        empty = np.asarray(f.n_words) == 0
        if empty.any():
            crit = {c: np.where(empty, 0.0, v) for c, v in crit.items()}
        table = np.stack([crit[c] for c in CRITERIA], axis=1) if B else np.zeros((0, len(CRITERIA)))
        # elementwise accumulation in criterion order: bit-identical whatever the batch size
        score = np.zeros(B)
        for k, c in enumerate(CRITERIA):
            score = score + self._w[k] * crit[c]
        score = score / self._w.sum()
        ok = (table[:, self._gate_cols] >= self.gate_threshold - _EPS).all(axis=1)
        gated = (ok & (score >= self.gate_score - _EPS)).astype(np.float64)
        return JudgeScores(crit, score, gated)

    def _style_score(self, name: str, f: ReplyFeatureBatch, m: np.ndarray,
                     truth: np.ndarray) -> np.ndarray:
        B = f.batch_size
        if name not in self._style:
            return np.ones(B)
        items, values, feat, rules = self._style[name]
        x = m if feat == "m" else getattr(f, feat)
        x = x.astype(np.float64)
        S = np.stack([rules[v](x) if v in rules else np.ones(B) for v in values], axis=1) \
            if len(values) else np.ones((B, 0))
        T = truth[:, items]
        cnt = T.sum(axis=1)
        return np.where(cnt > 0, (S * T).sum(axis=1) / np.maximum(cnt, 1), 1.0)

    def _content(self, f: ReplyFeatureBatch, truth: np.ndarray):
        B = f.batch_size
        disliked = f.mentions[:, self._dis_mention] & truth[:, self._dis_item]       # [B, topics]
        diet = f.diet_violations & truth[:, self._diet_items]                       # [B, diet]
        if self._tight >= 0:
            budget = truth[:, self._tight] & (f.price_level == 2)
        else:
            budget = np.zeros(B, dtype=bool)
        positive = f.mentions[:, self._pos] & truth[:, self._pos]                  # [B, pos]
        bad = disliked.any(axis=1) | diet.any(axis=1) | budget
        good = positive.any(axis=1)
        score = np.where(bad, 0.0, np.where(good, 1.0, 0.5))
        return score, disliked, diet, budget, positive

    # ------------------------------------------------------------------ explanations
    def explain(self, features: ReplyFeatures, truth_row: np.ndarray,
                request_idx: int = -1) -> dict[str, str]:
        """Short human-readable reason per criterion for one reply (for ``info`` dicts)."""
        f = _as_batch(features, self.schema)
        truth = np.asarray(truth_row).astype(bool, copy=False).reshape(1, -1)
        req = int(request_idx)
        judged = self.score(f, truth, np.array([req]))
        s = {c: float(judged.criteria[c][0]) for c in CRITERIA}
        items = self.schema.items
        out: dict[str, str] = {}

        def prefs(name: str) -> list[str]:
            if name not in self._style:
                return []
            idx = self._style[name][0]
            return [items[i][1] for i in idx if truth[0, i]]

        def pref_text(name: str) -> str:
            p = prefs(name)
            return " and ".join(_PREFERENCE_TEXT.get(v, v) for v in p) if p else "nothing in particular"

        n_words, n_emoji = int(f.n_words[0]), int(f.n_emoji[0])
        nf, nc = int(f.n_formal[0]), int(f.n_casual[0])
        npl, nh = int(f.n_playful[0]), int(f.n_hedges[0])
        out["length"] = f"reply has {n_words} word{'s' * (n_words != 1)}; user prefers {pref_text('length')} -> {s['length']:.2f}"
        if n_words == 0:
            return {c: f"empty reply (no words) scores 0 on every criterion -> {s[c]:.2f}"
                    for c in CRITERIA}
        out["formality"] = (f"{nf} formal vs {nc} casual marker{'s' * (nc != 1)} (difference {nf - nc:+d}); "
                            f"user prefers {pref_text('formality')} -> {s['formality']:.2f}")
        out["emoji"] = f"reply has {n_emoji} emoji; user prefers {pref_text('emoji')} -> {s['emoji']:.2f}"
        out["humour"] = (f"{npl} playful marker{'s' * (npl != 1)}; user prefers {pref_text('humour')} "
                         f"-> {s['humour']:.2f}")
        out["directness"] = (f"{nh} hedge{'s' * (nh != 1)}; user prefers {pref_text('directness')} "
                             f"-> {s['directness']:.2f}")

        _, disliked, diet, budget, positive = self._content(f, truth)
        reasons = []
        if disliked[0].any():
            names = [self._dis_name[j] for j in np.flatnonzero(disliked[0])]
            reasons.append("mentions disliked " + ", ".join(repr(n) for n in names))
        if diet[0].any():
            names = [items[self._diet_items[j]][1] for j in np.flatnonzero(diet[0])]
            reasons.append("violates the user's diet " + ", ".join(repr(n) for n in names))
        if budget[0]:
            reasons.append("suggests expensive options (price level 2) on a tight budget")
        if not reasons:
            if positive[0].any():
                hits = [items[self._pos[j]] for j in np.flatnonzero(positive[0])]
                reasons.append("mentions " + ", ".join(f"{slot} {v!r}" for slot, v in hits))
            else:
                reasons.append("mentions nothing the user likes or dislikes")
        out["content"] = "; ".join(reasons) + f" -> {s['content']:.2f}"

        if req < 0:
            out["relevance"] = "no open request -> 1.00"
        else:
            rid = REQUESTS[req].request_id if req < len(REQUESTS) else str(req)
            verdict = "mentions" if s["relevance"] >= 1.0 else "has no"
            out["relevance"] = f"{verdict} keywords of request {rid!r} -> {s['relevance']:.2f}"
        out["repetition"] = (f"max word overlap (Jaccard) with an earlier reply "
                             f"{float(f.repetition[0]):.2f} -> {s['repetition']:.2f}")
        return out
