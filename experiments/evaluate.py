"""Evaluate agents x scenarios x seeds and write metrics, a Markdown table and figures.

    python experiments/evaluate.py                                          # numeric baselines
    python experiments/evaluate.py mode=text agents=[random,mode,heuristic,oracle] seeds=[0]
    python experiments/evaluate.py agents=[heuristic,cleanrl_ppo] \\
        "checkpoints.cleanrl_ppo='outputs/train/cleanrl_ppo-numeric-static-rlpa-s{seed}'"
    python experiments/evaluate.py +experiment=eval_swap_recovery

The protocol (also used by ``train.py`` and ``benchmark.py``, which import this module):

* episode ``i`` of seed ``s`` resets the env with seed ``seed0 + 1000 * s + i``, so every agent
  plays the same conversations (and different seeds play different ones); a baseline gets seed
  ``s`` for its own generator, a trained agent is the checkpoint of training seed ``s``;
* the personas are the persona config's ``eval_split`` (the built-in test split: personas no
  agent trained on);
* :func:`persona_env.metrics.summarise` turns the per-turn logs into one row per
  (agent, scenario): ALOE's AVG / N-IR / N-R² of the per-turn F1 and response score, final F1,
  return, turns to F1 thresholds, swap drop/recovery, each with an rliable IQM and a bootstrap CI
  over the episodes (every episode one run).

Writes under ``out_dir``: ``metrics.csv`` / ``metrics.json`` (every column), ``metrics.md`` (final
F1 per agent x scenario, then the compact table), ``figures/<scenario>_profile_f1.png`` and
``..._response_score.png`` (per-turn curves with bootstrap bands), ``figures/learning_curves.png``
(from ``train_logs``), plus the logger's ``metrics.jsonl`` / ``episodes.csv``.

Bad input stops before any work with a one-line message: an unknown agent, a trained agent
without ``checkpoints.<name>``, a missing checkpoint, a missing or malformed persona file.
"""

from __future__ import annotations

import glob
import json
import logging
import math
import sys
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import gymnasium as gym
import hydra
import numpy as np
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import MissingMandatoryValue

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import persona_env  # noqa: E402,F401  (registers the env ids)
from agents.registry import NUMERIC_BASELINES, TEXT_BASELINES, TRAINED, build_agent  # noqa: E402
from persona_env.metrics import EpisodeLog, collect_episode, save, summarise, to_markdown  # noqa: E402
from persona_env.registration import ENV_IDS  # noqa: E402

SCENARIO_ENV_IDS: dict[str, str] = {scenario: env_id for env_id, (scenario, _) in ENV_IDS.items()}


class UsageError(Exception):
    """Bad input found before any work; the apps exit with its one-line message."""


# ---------------------------------------------------------------------------------- envs
def env_id_for(mode: str, scenario: str) -> str:
    """``PersonaDialog-Swap-v0`` (text) / ``PersonaDialog-Numeric-Swap-v0`` (numeric)."""
    if scenario not in SCENARIO_ENV_IDS:
        raise UsageError(f"unknown scenario {scenario!r}; choose one of: {', '.join(SCENARIO_ENV_IDS)}")
    if mode not in ("numeric", "text"):
        raise UsageError(f"unknown env mode {mode!r}; choose numeric or text")
    text_id = SCENARIO_ENV_IDS[scenario]
    return text_id if mode == "text" else text_id.replace("PersonaDialog", "PersonaDialog-Numeric", 1)


def check_persona(persona: Mapping[str, Any]) -> None:
    """A persona file, if configured, exists and parses (one-line :class:`UsageError` if not)."""
    try:
        pool = persona["pool"]
    except MissingMandatoryValue:
        raise UsageError("persona.pool is not set: persona=jsonl needs persona.pool=PATH") from None
    if pool is None:
        return
    from persona_env.pool import PersonaFileError, load_jsonl
    path = Path(str(pool))
    if path.is_dir():  # ALOE's format: profile.jsonl + personality.jsonl
        if not (path / "profile.jsonl").is_file() or not (path / "personality.jsonl").is_file():
            raise UsageError(f"persona folder {path} lacks ALOE's profile.jsonl and personality.jsonl")
        from persona_env.aloe import aloe_pool
        try:
            aloe_pool(path)
        except PersonaFileError as err:
            raise UsageError(f"malformed ALOE file: {err}") from None
        return
    if not path.is_file():
        raise UsageError(f"persona file not found: {path}")
    try:
        load_jsonl(path)
    except PersonaFileError as err:
        raise UsageError(f"malformed persona file: {err}") from None


def env_kwargs_for(mode: str, persona: Mapping[str, Any], user: Mapping[str, Any], reward: Mapping[str, Any],
                   split: str, history: bool = True, max_turns: int | None = None) -> dict[str, Any]:
    """Env options from the persona / user / reward configs (``gym.make(env_id, **kwargs)``)."""
    kw: dict[str, Any] = {}
    if persona.get("pool") is not None:
        kw["pool"] = str(persona["pool"])
    else:
        kw["persona_split"] = str(split)
    kw["ambiguity"] = float(user.get("ambiguity", 0.35))
    for key in ("conflict_prob", "announce_prob", "format_penalty"):
        if user.get(key) is not None:
            kw[key] = float(user[key])
    kw["reward_weights"] = {str(k): float(v) for k, v in dict(reward["weights"]).items()}
    if mode == "numeric":
        kw["history"] = bool(history)
    if max_turns:
        kw["max_turns"] = int(max_turns)
    return kw


def max_turns_of(env: gym.Env) -> int:
    u = env.unwrapped
    parts = getattr(u, "parts", None) or u.dialogue.parts
    return int(parts.scenario.max_turns)


def episode_seeds(seed: int, episodes: int, seed0: int) -> list[int]:
    return [int(seed0) + 1000 * int(seed) + i for i in range(int(episodes))]


# ---------------------------------------------------------------------------------- agents
def check_agents(names: Iterable[str], mode: str, checkpoints: Mapping[str, Any], seeds: Sequence[int]) -> None:
    """Every agent is known for ``mode`` and every trained one has an existing checkpoint."""
    from agents.trained import find_checkpoint
    known = NUMERIC_BASELINES if mode == "numeric" else TEXT_BASELINES
    for name in names:
        if name in checkpoints and checkpoints[name] is not None:
            if mode != "numeric":
                raise UsageError(f"trained agent {name!r} acts in the numeric env: set mode=numeric")
            for seed in seeds:
                try:
                    find_checkpoint(checkpoint_for(checkpoints[name], seed))
                except FileNotFoundError as err:
                    raise UsageError(str(err)) from None
        elif name in TRAINED:
            raise UsageError(f"agent {name!r} is trained: give checkpoints.{name}=RUN_DIR (\"{{seed}}\" is "
                             f"replaced by each seed)")
        elif name not in known:
            extra = (" (the 'mode' baseline needs the text env)" if name == "mode" else "")
            raise UsageError(f"unknown agent {name!r} for the {mode} env{extra}; choose one of: "
                             f"{', '.join(known + TRAINED)}")


def checkpoint_for(template: Any, seed: int) -> str:
    """A checkpoint path for ``seed``: ``template`` with ``{seed}`` filled in, or the ``seed``-th
    entry of a list."""
    if isinstance(template, (list, tuple)) or OmegaConf.is_list(template):
        items = list(template)
        return str(items[seed % len(items)])
    return str(template).replace("{seed}", str(seed))


# ---------------------------------------------------------------------------------- playing
def play(agent: Any, env: gym.Env, *, agent_name: str, scenario: str, run_seed: int, env_seeds: Sequence[int],
         bar: Any = None) -> list[EpisodeLog]:
    """Episodes of ``agent`` on ``env``, one per env seed (``metrics.collect_episode``)."""
    T = max_turns_of(env)
    logs = []
    for s in env_seeds:
        logs.append(collect_episode(env, agent, int(s), agent_name=agent_name, scenario=scenario, max_turns=T))
        # the log's seed is the run seed (a baseline's own seed / a trained agent's training seed)
        logs[-1] = EpisodeLog(logs[-1].profile_f1, logs[-1].response_score, logs[-1].reward, logs[-1].swap_turn,
                              agent_name, scenario, int(run_seed))
        if bar is not None:
            bar.update(1)
    return logs


def sample_dialogue(agent: Any, env: gym.Env, *, agent_name: str, scenario: str, run_seed: int,
                    env_seed: int) -> list[dict[str, Any]]:
    """One episode on an ``render_mode="ansi"`` env: one row per turn with the rendered turn."""
    obs, _ = env.reset(seed=int(env_seed))
    agent.reset(int(env_seed))
    rows, done = [], False
    while not done:
        obs, _, terminated, truncated, info = env.step(agent.act(obs))
        done = bool(terminated or truncated)
        terms = info["reward_terms"]
        rows.append({"agent": agent_name, "scenario": scenario, "seed": int(run_seed), "env_seed": int(env_seed),
                     "turn": int(info["turn"]), "profile_f1": round(float(terms["profile_f1"]), 3),
                     "response_score": round(float(terms["response_score"]), 3),
                     "reaction": info.get("user_reaction", ""), "text": env.render()})
    return rows


def progress_bar(total: int, desc: str, enabled: bool):
    from tqdm.auto import tqdm
    return tqdm(total=total, desc=desc, unit="ep", disable=not enabled, dynamic_ncols=True, leave=False)


# ---------------------------------------------------------------------------------- reporting
def final_f1_pivot(rows: Any, floatfmt: str = ".3f") -> str:
    """Markdown: agents x scenarios, cells ``final-turn F1 IQM [95% CI]``."""
    recs = rows.to_dict(orient="records") if hasattr(rows, "to_dict") else list(rows)
    agents = list(dict.fromkeys(r["agent"] for r in recs))
    scenarios = list(dict.fromkeys(r["scenario"] for r in recs))
    cell = {(r["agent"], r["scenario"]): r for r in recs}

    def fmt(v: Any) -> str:
        return "-" if v is None or (isinstance(v, float) and not math.isfinite(v)) else format(float(v), floatfmt)

    lines = ["| agent | " + " | ".join(scenarios) + " |", "|---|" + "---|" * len(scenarios)]
    for a in agents:
        cells = []
        for s in scenarios:
            r = cell.get((a, s))
            cells.append("-" if r is None else
                         f"{fmt(r['final_f1_iqm'])} [{fmt(r['final_f1_ci_low'])}, {fmt(r['final_f1_ci_high'])}]")
        lines.append(f"| {a} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def turn_figures(logs: Sequence[EpisodeLog], fig_dir: Path, metrics: Sequence[str] = ("profile_f1",),
                 reps: int = 500) -> list[Path]:
    """One figure per scenario and metric: per-turn mean curves of every agent with bootstrap bands."""
    from persona_env.plots import plot_turn_curves
    paths = []
    for scenario in dict.fromkeys(log.scenario for log in logs):
        group = [log for log in logs if log.scenario == scenario]
        for metric in metrics:
            title = f"{scenario}: {metric.replace('_', ' ')} per turn (mean, 95% bootstrap band)"
            paths.append(plot_turn_curves(group, metric, fig_dir / f"{scenario}_{metric}.png", reps=reps,
                                          title=title, group_by_scenario=False))
    return paths


def learning_curves(paths: Iterable[str | Path], metric: str = "mean_final_profile_f1",
                    label: Callable[[Path], str] | None = None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``{name: (steps, values[n_runs, n_points])}`` from training ``metrics.jsonl`` files (run
    directories, files or globs). Runs of one name (the algorithm from ``run.json``, or
    ``label(run_dir)``) are interpolated onto the first run's steps."""
    from agents.trained import RUN_FILE, read_metrics
    runs: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for pattern in paths:
        for hit in sorted(glob.glob(str(pattern))) or []:
            p = Path(hit)
            for f in ([p] if p.is_file() else sorted(p.rglob("metrics.jsonl"))):
                rows = [r for r in read_metrics(f) if r.get(metric) is not None and "step" in r]
                if len(rows) < 2:
                    continue
                run_json = f.parent / RUN_FILE
                name = label(f.parent) if label else (json.loads(run_json.read_text()).get("algo", f.parent.name)
                                                      if run_json.exists() else f.parent.name)
                steps = np.array([r["step"] for r in rows], dtype=float)
                vals = np.array([r[metric] for r in rows], dtype=float)
                runs.setdefault(name, []).append((steps, vals))
    out = {}
    for name, items in runs.items():
        grid = items[0][0]
        out[name] = (grid, np.stack([np.interp(grid, s, v) for s, v in items]))
    return out


def write_results(logs: Sequence[EpisodeLog], out_dir: str | Path, *, name: str = "metrics", reps: int = 500,
                  metrics: Sequence[str] = ("profile_f1", "response_score"), title: str | None = None,
                  train_logs: Iterable[str | Path] = (), logger: Any = None) -> Any:
    """Summarise ``logs`` and write ``<name>.csv/.json/.md`` and figures under ``out_dir``."""
    from persona_env.plots import plot_learning_curves
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    logging.getLogger("absl").setLevel(logging.WARNING)   # rliable logs every bootstrap at INFO
    rows = summarise(logs, reps=int(reps))
    save(rows, out, name)
    md = [f"# {title or name}", "",
          f"{len(logs)} episodes; cells: IQM over episodes with a 95% stratified-bootstrap CI (rliable, "
          f"{int(reps)} replications).", "", "## Final-turn profile F1", "", final_f1_pivot(rows), "",
          "## All metrics", "", to_markdown(rows), ""]
    (out / f"{name}.md").write_text("\n".join(md))
    figures = turn_figures(logs, out / "figures", metrics, reps=min(int(reps), 500))
    curves = learning_curves(train_logs)
    if curves:
        figures.append(plot_learning_curves(curves, out / "figures" / "learning_curves.png",
                                            ylabel="mean final-turn profile F1 (training episodes)",
                                            title="learning curves"))
    if logger is not None:
        logger.log_episodes(logs)
        logger.log_turn_curves(logs)
        recs = rows.to_dict(orient="records")
        for r in recs:
            logger.log({k: v for k, v in r.items() if not isinstance(v, list)}, kind="eval")
        logger.log_table(name, [{k: v for k, v in r.items() if not k.endswith("_curve")} for r in recs])
        for f in figures:
            logger.log_image(f"figures/{f.stem}", f)
    return rows


# ---------------------------------------------------------------------------------- the app
def evaluate(cfg: DictConfig) -> Any:
    from persona_env.logging_utils import RunLogger

    mode = str(cfg.mode)
    agents = [str(a) for a in cfg.agents]
    scenarios = [str(s) for s in cfg.scenarios]
    seeds = [int(s) for s in cfg.seeds]
    checkpoints = dict(cfg.checkpoints or {})
    for s in scenarios:
        env_id_for(mode, s)
    check_persona(cfg.persona)
    check_agents(agents, mode, checkpoints, seeds)
    kwargs = env_kwargs_for(mode, cfg.persona, cfg.user, cfg.reward, cfg.persona.eval_split, cfg.history)

    out = Path(cfg.out_dir)
    logger = RunLogger(out, cfg, cfg.logger.wandb, name=f"evaluate-{mode}", job_type="evaluate")
    try:
        n_eps = {s: int(cfg.long_episodes if s == "long" else cfg.episodes) for s in scenarios}
        bar = progress_bar(len(agents) * len(seeds) * sum(n_eps.values()), "evaluate", bool(cfg.progress))
        logs: list[EpisodeLog] = []
        dialogues: list[dict[str, Any]] = []
        for name in agents:
            for seed in seeds:
                ckpt = checkpoint_for(checkpoints[name], seed) if checkpoints.get(name) else None
                for k, scenario in enumerate(scenarios):
                    env = gym.make(env_id_for(mode, scenario), **kwargs)
                    agent = build_agent(name, env, seed=seed, checkpoint=ckpt)
                    logs += play(agent, env, agent_name=name, scenario=scenario, run_seed=seed,
                                 env_seeds=episode_seeds(seed, n_eps[scenario], cfg.seed0), bar=bar)
                    if k == 0 and seed == seeds[0] and int(cfg.n_dialogues) > 0:
                        env_r = gym.make(env_id_for(mode, scenario), render_mode="ansi", **kwargs)
                        agent = build_agent(name, env_r, seed=seed, checkpoint=ckpt)
                        for i in range(int(cfg.n_dialogues)):
                            dialogues += sample_dialogue(agent, env_r, agent_name=name, scenario=scenario,
                                                         run_seed=seed, env_seed=episode_seeds(seed, i + 1, cfg.seed0)[i])
        bar.close()
        rows = write_results(logs, out, reps=int(cfg.reps), title=f"Evaluation ({mode} env)",
                             train_logs=list(cfg.train_logs or []), logger=logger)
        logger.log_dialogues(dialogues)
        logger.log_summary({f"final_f1/{r['agent']}/{r['scenario']}": r["final_f1"]
                            for r in rows.to_dict(orient="records")})
    finally:
        logger.close()
    print(final_f1_pivot(rows))
    print(f"wrote {out / 'metrics.md'}, {out / 'metrics.csv'}, {out / 'figures'}/")
    return rows


@hydra.main(version_base="1.3", config_path="../conf", config_name="evaluate")
def main(cfg: DictConfig) -> None:
    try:
        evaluate(cfg)
    except (UsageError, FileNotFoundError) as err:
        sys.exit(f"error: {err}")


if __name__ == "__main__":
    main()
