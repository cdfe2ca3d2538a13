"""Run logging for the experiment scripts: local files always, Weights & Biases when asked.

:class:`RunLogger` writes, under ``out_dir``:

* ``metrics.jsonl`` -- one JSON object per logged row, with a ``kind`` (``train`` rows from the
  trainers, ``eval`` summaries, ``curve`` per-turn curves...);
* ``episodes.csv`` -- one row per evaluation episode (agent, scenario, seed, final F1, mean
  response score, return, turns, and the per-turn F1 / response series as JSON lists);
* ``dialogues.md`` -- sample dialogues, when logged; ``summary.json`` -- the run's summary.

With ``wandb_cfg`` (``mode``: ``offline`` (default) | ``online`` | ``disabled``, ``project``,
``entity``, ``group``, ``tags``, ``name``, ``dir``) the same things go to a wandb run: the config,
the rows as metrics (``<kind>/<key>``), episodes and sample dialogues as ``wandb.Table``\\ s, per-turn
curves as line plots, figures as images. The ``WANDB_MODE`` environment variable, when set,
overrides ``mode`` (the tests set ``WANDB_MODE=disabled``). No API key is ever needed: ``online``
without a key (no ``WANDB_API_KEY``, no ``api.wandb.ai`` entry in ``~/.netrc``) falls back to
``offline`` with a warning, and a wandb that fails to start only costs a warning -- the local files
are written either way. Sync an offline run later with ``wandb sync <out_dir>/wandb/offline-run-*``.
"""

from __future__ import annotations

import csv
import json
import math
import os
import warnings
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from persona_env.metrics import EpisodeLog, al_curve, episode_return, final_value

__all__ = ["RunLogger", "EPISODE_COLUMNS", "resolve_wandb_mode"]

EPISODE_COLUMNS: tuple[str, ...] = ("agent", "scenario", "seed", "episode", "turns", "final_f1",
                                    "mean_response", "return", "swap_turn", "f1_series", "response_series")


def _plain(v: Any) -> Any:
    """JSON-safe: numpy scalars to Python, NaN/inf to None, containers recursively."""
    if isinstance(v, Mapping):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, np.ndarray)):
        return [_plain(x) for x in v]
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, Path):
        return str(v)
    return v


def _config_dict(cfg: Any) -> dict[str, Any]:
    if cfg is None:
        return {}
    try:
        from omegaconf import DictConfig, OmegaConf
        if isinstance(cfg, DictConfig):
            return OmegaConf.to_container(cfg, resolve=True)  # type: ignore[return-value]
    except ImportError:  # pragma: no cover - omegaconf comes with hydra
        pass
    return dict(cfg)


def _has_wandb_key() -> bool:
    if os.environ.get("WANDB_API_KEY"):
        return True
    netrc = Path.home() / ".netrc"
    try:
        return "api.wandb.ai" in netrc.read_text()
    except OSError:
        return False


def resolve_wandb_mode(wandb_cfg: Mapping[str, Any] | None) -> str:
    """``disabled`` / ``offline`` / ``online``: ``WANDB_MODE`` if set, else the config's (default
    ``offline``); ``online`` without an API key becomes ``offline``."""
    if not wandb_cfg:
        return "disabled"
    mode = os.environ.get("WANDB_MODE") or str(wandb_cfg.get("mode") or "offline")
    mode = {"dryrun": "offline", "run": "online"}.get(mode, mode)
    if mode not in ("offline", "online", "disabled"):
        raise ValueError(f"wandb mode must be offline, online or disabled, got {mode!r}")
    if mode == "online" and not _has_wandb_key():
        warnings.warn("wandb mode 'online' but no API key found (WANDB_API_KEY or ~/.netrc); logging offline")
        mode = "offline"
    return mode


class RunLogger:
    """Local metrics/episodes files plus an optional wandb run (see the module doc).

    ``metrics.jsonl`` and ``episodes.csv`` are started afresh by each logger (a resumed training
    run replays its earlier rows through :meth:`log`, so the file is complete).
    """

    def __init__(self, out_dir: str | Path, cfg: Any = None, wandb_cfg: Mapping[str, Any] | None = None, *,
                 name: str | None = None, job_type: str = "train") -> None:
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.metrics_path = self.out_dir / "metrics.jsonl"
        self.episodes_path = self.out_dir / "episodes.csv"
        self._metrics = open(self.metrics_path, "w")
        self._episodes = open(self.episodes_path, "w", newline="")
        self._episode_writer = csv.DictWriter(self._episodes, fieldnames=list(EPISODE_COLUMNS))
        self._episode_writer.writeheader()
        self._episodes.flush()
        self.config = _config_dict(cfg)
        self.summary: dict[str, Any] = {}
        self.wandb_cfg = dict(_config_dict(wandb_cfg)) if wandb_cfg else None
        self.mode = resolve_wandb_mode(self.wandb_cfg)
        self.run = None
        self._wandb = None
        if self.mode != "disabled":
            self._start_wandb(name, job_type)
        self._closed = False

    # ------------------------------------------------------------------ wandb
    def _start_wandb(self, name: str | None, job_type: str) -> None:
        c = self.wandb_cfg or {}
        try:
            import wandb
            wandb_dir = Path(c.get("dir") or self.out_dir)
            wandb_dir.mkdir(parents=True, exist_ok=True)
            self.run = wandb.init(
                mode=self.mode, project=c.get("project") or "persona-env", entity=c.get("entity"),
                group=c.get("group"), tags=list(c.get("tags") or []), name=c.get("name") or name,
                job_type=job_type, dir=str(wandb_dir), config=self.config, reinit="finish_previous",
                settings=wandb.Settings(silent=True, console="off"))
            self._wandb = wandb
        except Exception as err:  # a logger must never stop an experiment
            warnings.warn(f"wandb did not start ({type(err).__name__}: {err}); logging to local files only")
            self.run, self._wandb = None, None

    def _wandb_table(self, key: str, columns: Sequence[str], data: Sequence[Sequence[Any]]) -> None:
        try:
            self._wandb_log({key: self._wandb.Table(columns=list(columns), data=[list(r) for r in data],
                                                    allow_mixed_types=True)})
        except Exception as err:  # a logger must never stop an experiment
            warnings.warn(f"wandb table {key!r} failed ({type(err).__name__}: {err})")

    def _wandb_log(self, data: Mapping[str, Any]) -> None:
        if self.run is None or not data:
            return
        try:
            self.run.log(dict(data))
        except Exception as err:  # a logger must never stop an experiment
            warnings.warn(f"wandb log failed ({type(err).__name__}: {err}); continuing with local files")

    @property
    def wandb_enabled(self) -> bool:
        return self.run is not None

    # ------------------------------------------------------------------ rows
    def log(self, row: Mapping[str, Any], kind: str = "train") -> None:
        """One metrics row (``metrics.jsonl`` and wandb as ``<kind>/<key>`` for the numbers)."""
        row = _plain(dict(row))
        self._metrics.write(json.dumps({"kind": kind, **row}) + "\n")
        self._metrics.flush()
        self._wandb_log({f"{kind}/{k}": v for k, v in row.items()
                         if isinstance(v, (int, float)) and not isinstance(v, bool)})

    def log_train(self, row: Mapping[str, Any]) -> None:
        """A trainer's ``log_fn``."""
        self.log(row, kind="train")

    def log_episodes(self, logs: Iterable[EpisodeLog]) -> None:
        """Per-episode metrics: ``episodes.csv`` and a wandb table ``episodes``."""
        rows = []
        for log in logs:
            resp = np.asarray(log.response_score, dtype=float)
            rows.append({
                "agent": log.agent, "scenario": log.scenario, "seed": log.seed,
                "episode": log.episode, "turns": log.n_turns,
                "final_f1": _plain(final_value(log.profile_f1)),
                "mean_response": _plain(float(np.nanmean(resp)) if np.isfinite(resp).any() else math.nan),
                "return": _plain(episode_return(log.reward)),
                "swap_turn": log.swap_turn,
                "f1_series": json.dumps(_plain(log.profile_f1)),
                "response_series": json.dumps(_plain(log.response_score)),
            })
        for r in rows:
            self._episode_writer.writerow({k: ("" if v is None else v) for k, v in r.items()})
        self._episodes.flush()
        if self.run is not None and rows:
            cols = [c for c in EPISODE_COLUMNS if not c.endswith("_series")]
            self._wandb_table("episodes", cols, [[r[c] for c in cols] for r in rows])

    def log_turn_curves(self, logs: Sequence[EpisodeLog], metrics: Sequence[str] = ("profile_f1", "response_score"),
                        prefix: str = "eval") -> None:
        """Per-turn mean curves (AL(k)) of each agent, one plot per scenario and metric.

        Locally: ``curve`` rows in ``metrics.jsonl``; wandb: ``wandb.plot.line_series``."""
        groups: dict[tuple[str, str], list[EpisodeLog]] = {}
        for log in logs:
            groups.setdefault((log.scenario, log.agent), []).append(log)
        by_scenario: dict[str, dict[str, dict[str, list]]] = {}
        for (scenario, agent), group in groups.items():
            T = max(g.max_turns for g in group)
            for metric in metrics:
                mat = np.full((len(group), T), np.nan)
                for i, g in enumerate(group):
                    series = getattr(g, metric)
                    mat[i, :len(series)] = series
                curve = _plain(al_curve(mat))
                self.log({"scenario": scenario, "agent": agent, "metric": metric, "curve": curve}, kind="curve")
                by_scenario.setdefault(f"{scenario}/{metric}", {})[agent] = curve
        if self.run is None:
            return
        try:
            plots = {}
            for key, curves in by_scenario.items():
                T = max(len(c) for c in curves.values())
                ys = [[(v if v is not None else float("nan")) for v in c] + [float("nan")] * (T - len(c))
                      for c in curves.values()]
                scenario, metric = key.split("/")
                plots[f"{prefix}/curves/{key}"] = self._wandb.plot.line_series(
                    xs=list(range(1, T + 1)), ys=ys, keys=list(curves), title=f"{metric} per turn ({scenario})",
                    xname="turn")
            self._wandb_log(plots)
        except Exception as err:  # a logger must never stop an experiment
            warnings.warn(f"wandb curves failed ({type(err).__name__}: {err})")

    def log_dialogues(self, rows: Sequence[Mapping[str, Any]], key: str = "dialogues") -> None:
        """Sample dialogues: ``dialogues.md`` and a wandb table (one row per turn or transcript;
        the row's keys are the table's columns, e.g. agent, scenario, seed, turn, text)."""
        if not rows:
            return
        columns = list(dict.fromkeys(k for r in rows for k in r))
        with open(self.out_dir / "dialogues.md", "a") as fh:
            for r in rows:
                head = ", ".join(f"{k}={r[k]}" for k in columns if k != "text" and k in r)
                fh.write(f"### {head}\n\n```\n{r.get('text', '')}\n```\n\n")
        if self.run is not None:
            self._wandb_table(key, columns, [[_scalar(r.get(c)) for c in columns] for r in rows])

    def log_table(self, key: str, rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> None:
        """A results table (e.g. the leaderboard) as a wandb table; nothing local (write your own CSV)."""
        if self.run is None or not rows:
            return
        columns = list(columns or dict.fromkeys(k for r in rows for k in r))
        self._wandb_table(key, columns, [[_scalar(r.get(c)) for c in columns] for r in rows])

    def log_image(self, key: str, path: str | Path) -> None:
        if self.run is not None and Path(path).exists():
            try:
                self._wandb_log({key: self._wandb.Image(str(path))})
            except Exception as err:  # pragma: no cover
                warnings.warn(f"wandb image failed ({type(err).__name__}: {err})")

    def log_summary(self, values: Mapping[str, Any]) -> None:
        """Final numbers: ``summary.json`` (merged) and the wandb run summary."""
        self.summary.update(_plain(dict(values)))
        (self.out_dir / "summary.json").write_text(json.dumps(self.summary, indent=1) + "\n")
        if self.run is not None:
            try:
                self.run.summary.update({k: v for k, v in self.summary.items()
                                         if isinstance(v, (int, float, str, bool))})
            except Exception as err:  # pragma: no cover
                warnings.warn(f"wandb summary failed ({err})")

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._metrics.close()
        self._episodes.close()
        if self.run is not None:
            try:
                self.run.finish()
            except Exception as err:  # pragma: no cover
                warnings.warn(f"wandb finish failed ({err})")
            self.run = None

    def __enter__(self) -> "RunLogger":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _scalar(v: Any) -> Any:
    v = _plain(v)
    if isinstance(v, (list, dict)):
        return json.dumps(v)
    return v
