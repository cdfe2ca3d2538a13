"""Evaluation figures (matplotlib, Agg canvas; no pyplot state, no seaborn).

* :func:`plot_turn_curves` -- the mean per-turn curve of a metric per agent, with a shaded
  bootstrap confidence band (episodes resampled with replacement, whole curves at a time) and a
  dashed vertical line at the persona-swap turn(s);
* :func:`plot_learning_curves` -- training curves ``{name: (steps, values)}``; ``values`` may be
  ``[n_points]`` or ``[n_seeds, n_points]`` (mean over seeds with a bootstrap band).

Figures are drawn on a private :class:`~matplotlib.figure.Figure` with an Agg canvas, so importing
this module never changes the process-wide matplotlib backend.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from persona_env.metrics import EpisodeLog, al_curve

__all__ = ["bootstrap_band", "plot_turn_curves", "plot_learning_curves"]

_METRIC_LABELS = {"profile_f1": "profile F1", "response_score": "response score", "reward": "reward"}


def bootstrap_band(samples: np.ndarray, *, reps: int = 1000, confidence: float = 0.95,
                   seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(mean, low, high)`` per column of ``samples [n, T]``: NaN-aware mean and a percentile
    bootstrap band, resampling whole rows. One row gives a zero-width band."""
    samples = np.asarray(samples, dtype=float)
    if samples.ndim == 1:
        samples = samples[None, :]
    mean = al_curve(samples)
    n = samples.shape[0]
    if n < 2:
        return mean, mean.copy(), mean.copy()
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(int(reps), n))
    finite = np.isfinite(samples)
    vals = np.where(finite, samples, 0.0)
    sums = vals[idx].sum(axis=1)              # [reps, T]
    counts = finite[idx].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        boot = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    alpha = (1.0 - confidence) / 2.0
    with warnings.catch_warnings():  # an all-NaN column (turn nobody reached) stays NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        low = np.nanquantile(boot, alpha, axis=0)
        high = np.nanquantile(boot, 1.0 - alpha, axis=0)
    return mean, low, high


def _new_figure(figsize: tuple[float, float]) -> Figure:
    fig = Figure(figsize=figsize, dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Figure, out_path: str | Path) -> Path:
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    return out


def plot_turn_curves(logs: Sequence[EpisodeLog], metric: str, out_path: str | Path, *,
                     reps: int = 1000, confidence: float = 0.95, seed: int = 0,
                     title: str | None = None, group_by_scenario: bool | None = None) -> Path:
    """Mean per-turn ``metric`` (``"profile_f1"``, ``"response_score"`` or ``"reward"``) per agent
    with a ``confidence`` bootstrap band over episodes; a dashed line at each swap turn.

    When the logs span several scenarios, curves are labelled ``agent / scenario`` (force either
    way with ``group_by_scenario``). Writes ``out_path`` (format from its suffix) and returns it.
    """
    logs = list(logs)
    if not logs:
        raise ValueError("no episode logs to plot")
    if metric not in _METRIC_LABELS:
        raise ValueError(f"metric must be one of {sorted(_METRIC_LABELS)}, got {metric!r}")
    if group_by_scenario is None:
        group_by_scenario = len({log.scenario for log in logs}) > 1
    groups: dict[str, list[EpisodeLog]] = {}
    for log in logs:
        key = f"{log.agent} / {log.scenario}" if group_by_scenario else log.agent
        groups.setdefault(key, []).append(log)
    T = max(log.max_turns for log in logs)
    turns = np.arange(1, T + 1)
    fig = _new_figure((6.4, 4.0))
    ax = fig.add_subplot()
    for label, group in groups.items():
        mat = np.full((len(group), T), np.nan)
        for i, log in enumerate(group):
            series = getattr(log, metric)
            mat[i, :len(series)] = series
        mean, low, high = bootstrap_band(mat, reps=reps, confidence=confidence, seed=seed)
        (line,) = ax.plot(turns, mean, marker="o", markersize=3, label=f"{label} (n={len(group)})")
        ax.fill_between(turns, low, high, color=line.get_color(), alpha=0.2, linewidth=0)
    swaps = sorted({log.swap_turn for log in logs if log.swap_turn is not None})
    for i, s in enumerate(swaps):
        ax.axvline(s, color="0.3", linestyle="--", linewidth=1, label="persona swap" if i == 0 else None)
    ax.set_xlabel("turn")
    ax.set_ylabel(_METRIC_LABELS[metric])
    ax.set_xlim(0.5, T + 0.5)
    if metric != "reward":
        ax.set_ylim(-0.02, 1.02)
    ax.set_title(title or f"{_METRIC_LABELS[metric]} per turn (mean, {confidence:.0%} bootstrap band)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return _save(fig, out_path)


def plot_learning_curves(curves: Mapping[str, tuple[Sequence[float], Sequence[float]]],
                         out_path: str | Path, *, xlabel: str = "environment steps",
                         ylabel: str = "evaluation return", title: str | None = None,
                         reps: int = 1000, confidence: float = 0.95, seed: int = 0) -> Path:
    """One line per ``name -> (steps, values)``; 2-D ``values`` (``[n_seeds, len(steps)]``) are
    averaged over seeds with a bootstrap band. Writes ``out_path`` and returns it."""
    if not curves:
        raise ValueError("no learning curves to plot")
    fig = _new_figure((6.4, 4.0))
    ax = fig.add_subplot()
    for name, (steps, values) in curves.items():
        steps = np.asarray(steps, dtype=float).reshape(-1)
        values = np.asarray(values, dtype=float)
        if values.ndim == 1:
            values = values[None, :]
        if values.ndim != 2 or values.shape[1] != len(steps):
            raise ValueError(f"{name}: values must be [n_points] or [n_seeds, n_points] with "
                             f"n_points = len(steps) = {len(steps)}, got shape {values.shape}")
        mean, low, high = bootstrap_band(values, reps=reps, confidence=confidence, seed=seed)
        label = name if values.shape[0] == 1 else f"{name} ({values.shape[0]} seeds)"
        (line,) = ax.plot(steps, mean, label=label)
        if values.shape[0] > 1:
            ax.fill_between(steps, low, high, color=line.get_color(), alpha=0.2, linewidth=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return _save(fig, out_path)
