"""Evaluation metrics for personalised dialogue: per-turn curves, ALOE's AL(k) summaries, profile
F1 milestones, recovery after a persona swap, and robust aggregates with bootstrap CIs.

One :class:`EpisodeLog` holds one conversation's per-turn profile F1, judge score and reward
(``NaN`` for the turns after the user left early). From a set of logs:

* **AL curve** -- ``AL(k)`` is the mean score at turn ``k`` over sessions (:func:`al_curve`).
* **ALOE / RLPA summary** (:func:`aloe_summary`) of an AL curve of ``K`` turns:

  - ``AVG``  = mean of ``AL(k)`` over ``k``;
  - ``N_IR`` = least-squares slope of ``y_k = (AL(k) - min AL) / (max AL - min AL)`` against
    ``x_k = k`` (``k = 1..K``, *not* normalised); ``y = 0`` when ``AL`` is constant;
  - ``N_R2`` = coefficient of determination ``1 - SS_res / SS_tot`` of that fit; ``0`` when ``y``
    is constant. Turns where ``AL`` is ``NaN`` (nobody reached them) are left out of the fit
    (the remaining ``k`` keep their values).

* **Milestones** -- :func:`turns_to_threshold` (first 1-based turn with F1 >= threshold) and
  :func:`swap_recovery` (the F1 drop at the swap turn and how many turns the agent needs to get
  back to its pre-swap F1).

:func:`summarise` groups logs by ``(agent, scenario)`` and reports, for each per-episode
quantity, the plain mean, the interquartile mean (IQM) and a stratified-bootstrap confidence
interval of the IQM computed with `rliable <https://github.com/google-research/rliable>`_::

    point, interval = rliable.library.get_interval_estimates(
        {"x": scores}, lambda s: np.array([rliable.metrics.aggregate_iqm(s)]),
        method="percentile", reps=reps, confidence_interval_size=0.95)

with ``scores`` laid out as rliable's ``(num_runs, num_tasks)`` matrix, **runs = seeds, tasks =
episodes**:

* if every log of the group names its ``episode`` (the evaluation episode / task index) and the
  ``(seed, episode)`` pairs form a complete grid, ``scores[i, j]`` is the value of seed
  ``seeds[i]`` (sorted) on episode ``episodes[j]`` (sorted): a ``(n_seeds, n_episodes)`` matrix
  and the bootstrap resamples seeds independently within each episode (rliable's default,
  ``task_bootstrap=False``);
* otherwise (the usual baseline run: one episode per env seed, ``episode=None``), or when the
  metric is ``NaN`` for some episodes (a threshold never reached, no swap, ...), the finite values
  sorted by ``(seed, episode)`` form a ``(n_valid, 1)`` matrix -- every episode is a run of one
  task -- and the bootstrap is a plain IID bootstrap over episodes.

rliable 1.2 draws its resamples from NumPy's *global* generator (its ``random_state`` argument
is ignored), so :func:`iqm_ci` seeds that generator for the call and restores its state after.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

__all__ = [
    "EpisodeLog", "al_curve", "aloe_summary", "turns_to_threshold", "swap_recovery",
    "episode_return", "final_value", "score_matrix", "swap_turn_from_timeline", "collect_episode", "iqm",
    "iqm_ci", "summarise", "to_markdown", "save", "DEFAULT_THRESHOLDS", "DEFAULT_REPS",
]

DEFAULT_THRESHOLDS: tuple[float, ...] = (0.5, 0.8)
DEFAULT_REPS = 2000


# ---------------------------------------------------------------------------------------------
# episode logs
# ---------------------------------------------------------------------------------------------
def _as_series(values: Any, name: str) -> np.ndarray:
    arr = np.array(values, dtype=float, copy=True)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class EpisodeLog:
    """One conversation, turn by turn (index ``t`` is turn ``t + 1``).

    ``profile_f1``, ``response_score`` and ``reward`` have length ``max_turns``; turns after the
    user left early are ``NaN``. ``swap_turn`` is the 1-based turn whose reply is first scored
    against the new persona (``None`` without a swap). ``seed`` is the run seed (for the baselines,
    the env/agent seed of the episode); ``episode`` optionally names the evaluation episode (task)
    when several seeds are evaluated on the same episodes (see the module doc).

    Equality is identity (the fields are arrays); the arrays are read-only.
    """

    profile_f1: np.ndarray
    response_score: np.ndarray
    reward: np.ndarray
    swap_turn: int | None
    agent: str
    scenario: str
    seed: int
    episode: int | None = None

    def __post_init__(self) -> None:
        f1 = _as_series(self.profile_f1, "profile_f1")
        resp = _as_series(self.response_score, "response_score")
        rew = _as_series(self.reward, "reward")
        if not (len(f1) == len(resp) == len(rew)):
            raise ValueError(f"profile_f1, response_score and reward must have the same length "
                             f"(got {len(f1)}, {len(resp)}, {len(rew)})")
        if self.swap_turn is not None and not 1 <= int(self.swap_turn) <= max(len(f1), 1):
            raise ValueError(f"swap_turn={self.swap_turn} is outside turns 1..{len(f1)}")
        object.__setattr__(self, "profile_f1", f1)
        object.__setattr__(self, "response_score", resp)
        object.__setattr__(self, "reward", rew)
        if self.swap_turn is not None:
            object.__setattr__(self, "swap_turn", int(self.swap_turn))

    @property
    def max_turns(self) -> int:
        return len(self.profile_f1)

    @property
    def n_turns(self) -> int:
        """Turns actually played (the user may have left before ``max_turns``)."""
        played = np.isfinite(self.profile_f1) | np.isfinite(self.response_score)
        return int(np.flatnonzero(played)[-1] + 1) if played.any() else 0

    @classmethod
    def from_infos(cls, infos: Sequence[Mapping[str, Any]], max_turns: int, swap_turn: int | None,
                   agent: str, scenario: str, seed: int, *, episode: int | None = None,
                   rewards: Sequence[float] | None = None,
                   reward_weights: Mapping[str, float] | None = None) -> "EpisodeLog":
        """Build a log from the ``info`` dicts returned by ``env.step`` (in order).

        Infos without ``reward_terms`` (e.g. the one from ``reset``) are skipped. A step's turn is
        ``info["turn"]`` (1-based) when present, else its position. ``rewards`` are the step
        rewards returned by ``env.step``; without them the reward is recomputed from the terms
        with ``reward_weights`` (default: the env's ``DEFAULT_REWARD_WEIGHTS``, RLPA's
        ``profile_f1 + response_score + format_penalty``).
        """
        steps = [info for info in infos if "reward_terms" in info]
        if rewards is not None and len(rewards) != len(steps):
            raise ValueError(f"got {len(rewards)} rewards for {len(steps)} step infos")
        if reward_weights is None and rewards is None:
            from persona_env.envs.factory import DEFAULT_REWARD_WEIGHTS
            reward_weights = DEFAULT_REWARD_WEIGHTS
        f1, resp, rew = (np.full(max_turns, np.nan) for _ in range(3))
        for i, info in enumerate(steps):
            turn = int(info.get("turn", i + 1))
            if not 1 <= turn <= max_turns:
                raise ValueError(f"step info for turn {turn} does not fit max_turns={max_turns}")
            terms = info["reward_terms"]
            f1[turn - 1] = float(terms.get("profile_f1", np.nan))
            resp[turn - 1] = float(terms.get("response_score", np.nan))
            if rewards is not None:
                rew[turn - 1] = float(rewards[i])
            else:
                rew[turn - 1] = float(sum(w * float(terms.get(k, 0.0)) for k, w in reward_weights.items()))
        return cls(f1, resp, rew, swap_turn, str(agent), str(scenario), int(seed), episode)


def swap_turn_from_timeline(timeline: Mapping[str, Any] | None) -> int | None:
    """The first swap turn in an ``info["timeline"]`` dict (``None`` without a swap)."""
    if not timeline:
        return None
    turns = [int(e["turn"]) for e in timeline.get("events", ()) if e.get("kind") == "swap"]
    return min(turns) if turns else None


def collect_episode(env: Any, agent: Any, seed: int, *, agent_name: str | None = None,
                    scenario: str | None = None, episode: int | None = None,
                    max_turns: int | None = None) -> EpisodeLog:
    """Play one episode of a text ``PersonaDialog`` env with ``agent`` (``reset(seed)``/``act``).

    ``max_turns`` and ``scenario`` default to the env's scenario; the swap turn is read from the
    episode's timeline.
    """
    parts = getattr(env.unwrapped, "parts", None)
    scen = getattr(parts, "scenario", None)
    if max_turns is None:
        max_turns = int(scen.max_turns) if scen is not None else int(env.observation_space["turn"].n - 1)
    obs, info = env.reset(seed=seed)
    agent.reset(seed)
    timeline = info.get("timeline")
    infos, rewards, done = [], [], False
    while not done:
        obs, reward, terminated, truncated, info = env.step(agent.act(obs))
        infos.append(info)
        rewards.append(float(reward))
        done = bool(terminated or truncated)
    timeline = info.get("timeline", timeline)
    name = agent_name or getattr(agent, "name", type(agent).__name__)
    return EpisodeLog.from_infos(infos, max_turns, swap_turn_from_timeline(timeline), name,
                                 scenario or (scen.name if scen is not None else "unknown"), seed,
                                 episode=episode, rewards=rewards)


# ---------------------------------------------------------------------------------------------
# per-curve metrics
# ---------------------------------------------------------------------------------------------
def al_curve(scores: np.ndarray) -> np.ndarray:
    """``AL(k)``: the per-turn mean over sessions of an ``[n_episodes, T]`` array (NaN-aware).

    A turn no session reached is ``NaN``.
    """
    scores = np.asarray(scores, dtype=float)
    if scores.ndim == 1:
        scores = scores[None, :]
    if scores.ndim != 2:
        raise ValueError(f"scores must be [n_episodes, T], got shape {scores.shape}")
    finite = np.isfinite(scores)
    counts = finite.sum(axis=0)
    sums = np.where(finite, scores, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def aloe_summary(al: np.ndarray) -> dict[str, float]:
    """``{"AVG", "N_IR", "N_R2"}`` of an AL curve (see the module doc for the exact definitions).

    ``x = k = 1..K``; ``y`` = min-max normalised AL (all equal -> zeros); ``N_IR`` = least-squares
    slope of ``y`` on ``x``; ``N_R2`` = ``1 - SS_res/SS_tot`` (0 when ``y`` is constant). NaN turns
    are dropped; an all-NaN curve gives NaNs, a single finite turn gives ``N_IR = N_R2 = 0``.
    """
    al = np.asarray(al, dtype=float).reshape(-1)
    k = np.arange(1, len(al) + 1, dtype=float)
    keep = np.isfinite(al)
    if not keep.any():
        return {"AVG": math.nan, "N_IR": math.nan, "N_R2": math.nan}
    x, a = k[keep], al[keep]
    avg = float(a.mean())
    lo, hi = a.min(), a.max()
    if hi - lo <= 0 or len(a) < 2:
        return {"AVG": avg, "N_IR": 0.0, "N_R2": 0.0}
    y = (a - lo) / (hi - lo)
    xc, yc = x - x.mean(), y - y.mean()
    slope = float((xc * yc).sum() / (xc * xc).sum())
    intercept = y.mean() - slope * x.mean()
    ss_res = float(((y - (intercept + slope * x)) ** 2).sum())
    ss_tot = float((yc * yc).sum())
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else 0.0
    return {"AVG": avg, "N_IR": slope, "N_R2": float(r2)}


def turns_to_threshold(f1: np.ndarray, threshold: float) -> int | None:
    """The first 1-based turn with ``f1 >= threshold`` (``None`` if never; NaN turns never count)."""
    f1 = np.asarray(f1, dtype=float).reshape(-1)
    with np.errstate(invalid="ignore"):
        hits = np.flatnonzero(np.isfinite(f1) & (f1 >= threshold))
    return int(hits[0] + 1) if hits.size else None


def swap_recovery(f1: np.ndarray, swap_turn: int, window: int | None = None,
                  tol: float = 0.0) -> dict[str, Any]:
    """How the profile F1 reacts to a persona swap at 1-based turn ``swap_turn``.

    * ``before`` = F1 at turn ``swap_turn - 1``; ``at_swap`` = F1 at turn ``swap_turn``;
      ``drop = before - at_swap``;
    * ``recovered_turn`` = the first turn ``k >= swap_turn`` with ``F1(k) >= before - tol``
      (``None`` if none, or if it comes more than ``window`` turns after the swap);
    * ``turns_to_recover = recovered_turn - swap_turn`` (``0``: the swap did not hurt), or ``None``.

    ``before``/``at_swap`` are NaN when those turns were not played.
    """
    f1 = np.asarray(f1, dtype=float).reshape(-1)
    swap_turn = int(swap_turn)
    if not 2 <= swap_turn <= len(f1):
        raise ValueError(f"swap_turn must be in 2..{len(f1)} (a turn before it is needed), got {swap_turn}")
    before, at_swap = float(f1[swap_turn - 2]), float(f1[swap_turn - 1])
    recovered = None
    if np.isfinite(before):
        last = len(f1) if window is None else min(len(f1), swap_turn + int(window))
        for k in range(swap_turn, last + 1):
            v = f1[k - 1]
            if np.isfinite(v) and v >= before - tol:
                recovered = k
                break
    return {"before": before, "at_swap": at_swap, "drop": before - at_swap,
            "recovered_turn": recovered,
            "turns_to_recover": None if recovered is None else recovered - swap_turn}


def episode_return(rewards: np.ndarray) -> float:
    """Undiscounted return: the sum of the played turns' rewards (NaN turns ignored)."""
    return float(np.nansum(np.asarray(rewards, dtype=float)))


def final_value(series: np.ndarray) -> float:
    """The value at the last turn played (last finite entry; NaN if none)."""
    series = np.asarray(series, dtype=float).reshape(-1)
    idx = np.flatnonzero(np.isfinite(series))
    return float(series[idx[-1]]) if idx.size else math.nan


# ---------------------------------------------------------------------------------------------
# robust aggregates
# ---------------------------------------------------------------------------------------------
def iqm(values: np.ndarray) -> float:
    """Interquartile mean (25% trimmed mean over all entries), as ``rliable.metrics.aggregate_iqm``."""
    from rliable import metrics as rly_metrics
    values = np.asarray(values, dtype=float)
    return float(rly_metrics.aggregate_iqm(values)) if values.size else math.nan


def iqm_ci(scores: np.ndarray, *, reps: int = DEFAULT_REPS, confidence: float = 0.95,
           seed: int = 0, method: str = "percentile") -> tuple[float, float, float]:
    """``(IQM, low, high)``: rliable's stratified-bootstrap CI of the IQM of a ``(runs, tasks)`` matrix.

    A 1-D input is one task with ``len(scores)`` runs. Empty input gives NaNs; the resampling is
    seeded with ``seed`` (NumPy's global generator is restored afterwards).
    """
    scores = np.asarray(scores, dtype=float)
    if scores.ndim == 1:
        scores = scores[:, None]
    if scores.ndim != 2:
        raise ValueError(f"scores must be (num_runs, num_tasks), got shape {scores.shape}")
    if scores.size == 0:
        return math.nan, math.nan, math.nan
    if not np.isfinite(scores).all():
        raise ValueError("scores must be finite (drop NaNs before the bootstrap)")
    from rliable import library as rly
    from rliable import metrics as rly_metrics

    def aggregate(s: np.ndarray) -> np.ndarray:
        return np.array([rly_metrics.aggregate_iqm(s)])

    state = np.random.get_state()
    try:
        np.random.seed(seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=FutureWarning)
            point, interval = rly.get_interval_estimates(
                {"x": scores}, aggregate, method=method, reps=int(reps),
                confidence_interval_size=confidence)
    finally:
        np.random.set_state(state)
    lo, hi = np.asarray(interval["x"], dtype=float).reshape(2, -1)[:, 0]
    return float(point["x"][0]), float(lo), float(hi)


def score_matrix(values: Sequence[float], seeds: Sequence[int],
                  episodes: Sequence[int | None]) -> np.ndarray:
    """rliable's ``(runs = seeds, tasks = episodes)`` layout (see the module doc)."""
    vals = np.asarray(values, dtype=float)
    keys = list(zip(seeds, episodes))
    if (vals.size and np.isfinite(vals).all() and all(e is not None for e in episodes)
            and len(set(keys)) == len(keys)):
        us, ue = sorted(set(seeds)), sorted(set(episodes))
        if len(us) * len(ue) == len(keys):
            mat = np.empty((len(us), len(ue)))
            si, ei = {s: i for i, s in enumerate(us)}, {e: j for j, e in enumerate(ue)}
            for v, (s, e) in zip(vals, keys):
                mat[si[s], ei[e]] = v
            return mat
    order = sorted(range(len(keys)), key=lambda i: (keys[i][0], -1 if keys[i][1] is None else keys[i][1]))
    flat = np.array([vals[i] for i in order if np.isfinite(vals[i])], dtype=float)
    return flat[:, None]


# ---------------------------------------------------------------------------------------------
# summary table
# ---------------------------------------------------------------------------------------------
_SERIES = {"response": "response_score", "f1": "profile_f1"}


def _episode_metrics(log: EpisodeLog, thresholds: Sequence[float]) -> dict[str, float]:
    out: dict[str, float] = {
        "final_f1": final_value(log.profile_f1),
        "return": episode_return(log.reward),
        "length": float(log.n_turns),
    }
    for prefix, attr in _SERIES.items():
        for key, v in aloe_summary(getattr(log, attr)).items():
            out[f"{prefix}_{key}"] = v
    for th in thresholds:
        t = turns_to_threshold(log.profile_f1, th)
        out[f"turns_to_f1_{th:g}"] = math.nan if t is None else float(t)
    if log.swap_turn is not None and log.swap_turn >= 2:
        rec = swap_recovery(log.profile_f1, log.swap_turn)
        out["swap_f1_before"] = rec["before"]
        out["swap_f1_at"] = rec["at_swap"]
        out["swap_drop"] = rec["drop"]
        out["swap_turns_to_recover"] = (math.nan if rec["turns_to_recover"] is None
                                        else float(rec["turns_to_recover"]))
        out["_swap_recovered"] = float(rec["turns_to_recover"] is not None)
    return out


def summarise(logs: Iterable[EpisodeLog], *, reps: int = DEFAULT_REPS, confidence: float = 0.95,
              seed: int = 0, thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
              as_frame: bool = True):
    """One row per ``(agent, scenario)`` (in first-seen order).

    Columns (``M`` is each per-episode metric below):

    * ``agent``, ``scenario``, ``n_episodes``, ``n_seeds``, ``n_tasks`` (distinct ``episode`` ids;
      0 when none are given), ``swap_turn``;
    * ``response_AVG``, ``response_N_IR``, ``response_N_R2`` and ``f1_AVG``, ``f1_N_IR``,
      ``f1_N_R2``: :func:`aloe_summary` of the group's AL curve (the papers' numbers), plus
      ``response_curve``/``f1_curve`` (the AL curves, as lists);
    * for every per-episode metric ``M``: ``M`` (plain mean over the episodes where it is
      defined), ``M_iqm``, ``M_ci_low``, ``M_ci_high`` (rliable IQM and its bootstrap CI, layout
      in the module doc) and ``M_n`` (episodes where it is defined). ``M`` is ``final_f1`` (F1 at
      the last turn played), ``return``, ``length`` (turns played), the per-episode ALOE numbers
      ``response_AVG``/``response_N_IR``/... (each episode's own curve as a one-session AL; their
      plain means are named ``<name>_ep_mean`` so they do not clash with the pooled values),
      ``turns_to_f1_<th>`` (episodes that never reach ``th`` are NaN, i.e. left out of the mean,
      IQM and CI; ``reached_f1_<th>`` is the fraction that did) and, with a swap, ``swap_f1_before``,
      ``swap_f1_at``, ``swap_drop`` and ``swap_turns_to_recover`` (+ ``swap_recovered`` fraction).

    ``reps`` bootstrap replications (default 2000), ``confidence`` level, ``seed`` for the
    resampling. Returns a ``pandas.DataFrame`` (``as_frame=False``: a list of dicts).
    """
    logs = list(logs)
    groups: dict[tuple[str, str], list[EpisodeLog]] = {}
    for log in logs:
        groups.setdefault((log.agent, log.scenario), []).append(log)
    rows: list[dict[str, Any]] = []
    for (agent, scenario), group in groups.items():
        T = max(log.max_turns for log in group)
        seeds = [log.seed for log in group]
        episodes = [log.episode for log in group]
        swaps = sorted({log.swap_turn for log in group if log.swap_turn is not None})
        row: dict[str, Any] = {
            "agent": agent, "scenario": scenario, "n_episodes": len(group),
            "n_seeds": len(set(seeds)), "n_tasks": len({e for e in episodes if e is not None}),
            "swap_turn": swaps[0] if len(swaps) == 1 else (swaps if swaps else None),
        }
        for prefix, attr in _SERIES.items():
            mat = np.full((len(group), T), np.nan)
            for i, log in enumerate(group):
                series = getattr(log, attr)
                mat[i, :len(series)] = series
            curve = al_curve(mat)
            for key, v in aloe_summary(curve).items():
                row[f"{prefix}_{key}"] = v
            row[f"{prefix}_curve"] = [None if not np.isfinite(v) else float(v) for v in curve]

        per_ep = [_episode_metrics(log, thresholds) for log in group]
        names: list[str] = []
        for m in per_ep:
            names.extend(k for k in m if k not in names and not k.startswith("_"))
        for name in names:
            values = np.array([m.get(name, math.nan) for m in per_ep], dtype=float)
            finite = np.isfinite(values)
            mean = float(values[finite].mean()) if finite.any() else math.nan
            if name in row:  # a pooled ALOE number already holds the plain name
                row[f"{name}_ep_mean"] = mean
            else:
                row[name] = mean
            point, lo, hi = iqm_ci(score_matrix(values, seeds, episodes), reps=reps,
                                   confidence=confidence, seed=seed)
            row[f"{name}_iqm"], row[f"{name}_ci_low"], row[f"{name}_ci_high"] = point, lo, hi
            row[f"{name}_n"] = int(finite.sum())
            if name.startswith("turns_to_f1_"):
                row["reached_f1_" + name[len("turns_to_f1_"):]] = float(finite.mean())
        if any("_swap_recovered" in m for m in per_ep):
            rec = [m["_swap_recovered"] for m in per_ep if "_swap_recovered" in m]
            row["swap_recovered"] = float(np.mean(rec))
        rows.append(row)
    if not as_frame:
        return rows
    import pandas as pd
    return pd.DataFrame(rows)


def _records(rows: Any) -> list[dict[str, Any]]:
    if hasattr(rows, "to_dict"):
        return [dict(r) for r in rows.to_dict(orient="records")]
    return [dict(r) for r in rows]


def _fmt(v: Any, floatfmt: str) -> str:
    if v is None:
        return "-"
    if isinstance(v, (float, np.floating)):
        return "-" if not np.isfinite(v) else format(float(v), floatfmt)
    if isinstance(v, (list, tuple, np.ndarray)):
        return " ".join(_fmt(x, floatfmt) for x in v)
    return str(v).replace("|", "\\|")


#: the default view of :func:`to_markdown`: (header, column); columns with ``_iqm`` get the CI
DEFAULT_MARKDOWN_COLUMNS: tuple[tuple[str, str], ...] = (
    ("agent", "agent"), ("scenario", "scenario"), ("n", "n_episodes"),
    ("final F1 (IQM [95% CI])", "final_f1_iqm"),
    ("F1 AVG", "f1_AVG"), ("F1 N-IR", "f1_N_IR"), ("F1 N-R²", "f1_N_R2"),
    ("response AVG", "response_AVG"), ("response N-IR", "response_N_IR"),
    ("response N-R²", "response_N_R2"),
    ("turns to F1≥0.5 (reached)", "turns_to_f1_0.5"), ("turns to F1≥0.8 (reached)", "turns_to_f1_0.8"),
    ("swap drop", "swap_drop"), ("turns to recover (recovered)", "swap_turns_to_recover"),
    ("return (IQM [95% CI])", "return_iqm"),
)


def to_markdown(rows: Any, columns: Sequence[str] | Sequence[tuple[str, str]] | None = None,
                floatfmt: str = ".3f") -> str:
    """A GitHub-markdown table of :func:`summarise`'s rows (a DataFrame or a list of dicts).

    ``columns``: column names (or ``(header, column)`` pairs) to show; default: a compact view
    (:data:`DEFAULT_MARKDOWN_COLUMNS`) where an ``*_iqm`` column is shown as ``IQM [low, high]``,
    ``turns_to_f1_*`` with the reached fraction and ``swap_turns_to_recover`` with the recovered
    fraction. Columns absent from every row are skipped; missing values print as ``-``.
    """
    recs = _records(rows)
    if columns is None:
        spec = list(DEFAULT_MARKDOWN_COLUMNS)
        compact = True
    else:
        spec = [c if isinstance(c, tuple) else (c, c) for c in columns]
        compact = False
    spec = [(h, c) for h, c in spec if any(c in r for r in recs)] or [("agent", "agent")]

    def cell(r: Mapping[str, Any], col: str) -> str:
        v = r.get(col)
        if compact and col.endswith("_iqm") and v is not None:
            base = col[:-4]
            return (f"{_fmt(v, floatfmt)} [{_fmt(r.get(base + '_ci_low'), floatfmt)}, "
                    f"{_fmt(r.get(base + '_ci_high'), floatfmt)}]")
        if compact and col.startswith("turns_to_f1_") and col in r:
            frac = r.get("reached_f1_" + col[len("turns_to_f1_"):])
            return f"{_fmt(v, '.1f')} ({_fmt(frac, '.0%')})"
        if compact and col == "swap_turns_to_recover" and col in r:
            return f"{_fmt(v, '.1f')} ({_fmt(r.get('swap_recovered'), '.0%')})"
        return _fmt(v, floatfmt)

    lines = ["| " + " | ".join(h for h, _ in spec) + " |",
             "|" + "---|" * len(spec)]
    for r in recs:
        lines.append("| " + " | ".join(cell(r, c) for _, c in spec) + " |")
    return "\n".join(lines)


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, np.ndarray)):
        return [_jsonable(x) for x in v]
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return float(v) if np.isfinite(v) else None
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def save(rows: Any, out_dir: str | Path, name: str = "metrics") -> dict[str, Path]:
    """Write ``<name>.csv`` (list-valued cells, i.e. the AL curves, as JSON strings) and
    ``<name>.json`` (a list of row objects; NaN -> ``null``) under ``out_dir``; return the paths."""
    import csv

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    recs = [_jsonable(r) for r in _records(rows)]
    columns: list[str] = []
    for r in recs:
        columns.extend(k for k in r if k not in columns)
    csv_path, json_path = out / f"{name}.csv", out / f"{name}.json"
    with open(csv_path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns)
        w.writeheader()
        for r in recs:
            w.writerow({k: (json.dumps(v) if isinstance(v, list) else ("" if v is None else v))
                        for k, v in r.items()})
    json_path.write_text(json.dumps(recs, indent=2, allow_nan=False) + "\n")
    return {"csv": csv_path, "json": json_path}
