"""The RL benchmark: algorithms and baselines x scenarios x seeds -> leaderboard, figures, paper results.

    python experiments/benchmark.py +preset=quick     # < 15 min on a busy 2-core CPU
    python experiments/benchmark.py +preset=full      # hours
    python experiments/benchmark.py +preset=quick seeds=[0,1,2] algos.cleanrl_ppo.total_steps=100000

Everything runs in the numeric env (``PersonaDialog-Numeric-*``), where trained agents and the
baselines act alike. Steps (``conf/benchmark.yaml``, presets in ``conf/preset/``):

1. **train** every algorithm of ``algorithms`` (``algos.<name>``: the ``conf/agent`` config with its
   ``_target_`` trainer and budget) for every seed, on ``train.scenario`` with training-split
   personas (``train.scenario=null``: one agent per scenario). Runs live in ``<out_dir>/runs/`` and
   resume, so re-running the command skips finished runs. For the reward ablation,
   ``paper.agent`` is also trained with each reward of ``paper.ablation_rewards``;
2. **evaluate** every trained agent and every baseline on every scenario with test-split personas,
   with the protocol of ``experiments/evaluate.py`` (same conversations for every agent);
3. **leaderboard**: :func:`persona_env.metrics.summarise` (rliable IQM + 95% bootstrap CIs) ->
   ``leaderboard.md`` / ``.csv`` / ``.json``, ``figures/<scenario>_profile_f1.png`` (per-turn F1
   curves of every agent), ``figures/learning_curves.png``;
4. **paper-style results** -> ``paper_results.md``: (a) RLPA's reward ablation (profile-only vs
   response-only vs both) of the PPO agent, (b) the turn-6 persona swap (drop and recovery) of the
   trained agent, the heuristic and the oracle, (c) ALOE's table (AVG, N-IR, N-R² of the response
   score and of profile F1) of random, heuristic, the trained agent and the oracle;
5. ``timing.json``: wall time per phase and per training run.
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path
from typing import Any, Mapping, Sequence

import gymnasium as gym
import hydra
from hydra.errors import InstantiationException
from omegaconf import DictConfig

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from agents.registry import NUMERIC_BASELINES, build_agent  # noqa: E402
from agents.trained import RunMismatchError, TrainedAgent  # noqa: E402
from experiments.evaluate import (UsageError, check_persona, env_id_for, env_kwargs_for,  # noqa: E402
                                  episode_seeds, play, progress_bar, write_results)
from persona_env.logging_utils import RunLogger  # noqa: E402
from persona_env.metrics import EpisodeLog, summarise  # noqa: E402


def run_label(algo: str, scenario: str, reward: str, seed: int) -> str:
    return f"{algo}-{scenario}-{reward}-s{seed}"


# ---------------------------------------------------------------------------------- the harness
def benchmark(cfg: DictConfig) -> dict[str, Any]:
    t_start = time.time()
    timing: dict[str, Any] = {"runs": {}}
    out = Path(cfg.out_dir)
    algorithms = [str(a) for a in cfg.algorithms]
    baselines = [str(b) for b in cfg.baselines]
    scenarios = [str(s) for s in cfg.scenarios]
    seeds = [int(s) for s in cfg.seeds]
    paper = cfg.paper
    main_reward = str(cfg.reward.name)

    # check the input before any work
    for a in algorithms:
        if a not in cfg.algos:
            raise UsageError(f"unknown algorithm {a!r}; configured: {', '.join(cfg.algos)}")
    for b in baselines:
        if b not in NUMERIC_BASELINES:
            raise UsageError(f"unknown baseline {b!r}; choose from {', '.join(NUMERIC_BASELINES)}")
    for s in scenarios:
        env_id_for("numeric", s)
    check_persona(cfg.persona)
    train_scenario = cfg.train.scenario
    if train_scenario is not None:
        env_id_for("numeric", str(train_scenario))
    ablation = []
    if paper.enabled:
        if str(paper.agent) not in cfg.algos:
            raise UsageError(f"paper.agent {paper.agent!r} is not in algos ({', '.join(cfg.algos)})")
        for r in paper.ablation_rewards:
            if r not in cfg.rewards:
                raise UsageError(f"paper.ablation_rewards: unknown reward {r!r}; configured: {', '.join(cfg.rewards)}")
        ablation = [str(r) for r in paper.ablation_rewards]

    def kwargs(scenario: str, split: str, reward: Mapping[str, Any]) -> dict[str, Any]:
        return env_kwargs_for("numeric", cfg.persona, cfg.user, reward, split, cfg.history)

    def trained_on(scenario: str) -> str:
        return str(train_scenario) if train_scenario is not None else scenario

    logger = RunLogger(out, cfg, cfg.logger.wandb, name=f"benchmark-{cfg.name}", job_type="benchmark")
    try:
        # 1. train: (algo, train scenario, reward, seed) -> TrainedAgent
        jobs: list[tuple[str, str, str, int]] = []
        for algo in algorithms:
            for ts in dict.fromkeys(trained_on(s) for s in scenarios):
                jobs += [(algo, ts, main_reward, seed) for seed in seeds]
        for r in ablation:
            ts = str(paper.ablation_scenario)
            jobs += [(str(paper.agent), ts, r, seed) for seed in seeds]
        jobs = list(dict.fromkeys(jobs))
        agents: dict[tuple[str, str, str, int], TrainedAgent] = {}
        t0 = time.time()
        for i, (algo, ts, r, seed) in enumerate(jobs, 1):
            label = run_label(algo, ts, r, seed)
            reward_cfg = cfg.reward if r == main_reward else cfg.rewards[r]
            print(f"[{i}/{len(jobs)}] train {label}: {int(cfg.algos[algo].total_steps)} steps", flush=True)
            try:
                trainer = hydra.utils.instantiate(cfg.algos[algo].trainer, progress=bool(cfg.progress),
                                                  _convert_="all")
            except InstantiationException as err:
                raise UsageError(f"algos.{algo}.trainer: {str(err.__cause__ or err).splitlines()[0]}") from None
            t = time.time()
            try:
                agents[algo, ts, r, seed] = trainer.train(
                    env_id_for("numeric", ts), kwargs(ts, cfg.persona.train_split, reward_cfg),
                    total_steps=int(cfg.algos[algo].total_steps), seed=seed, out_dir=out / "runs" / label,
                    resume=bool(cfg.train.resume),
                    log_fn=lambda row, label=label: logger.log({"run": label, **row}, kind="train"))
            except RunMismatchError as err:
                raise UsageError(f"{err} (train.resume=false retrains)") from None
            timing["runs"][label] = round(time.time() - t, 2)
        timing["train_s"] = round(time.time() - t0, 2)

        # 2. evaluate every agent on every scenario (same conversations for all agents)
        t0 = time.time()
        n_eps = {s: int(cfg.eval.long_episodes if s == "long" else cfg.eval.episodes) for s in scenarios}
        names = algorithms + baselines
        total = len(names) * len(seeds) * sum(n_eps.values())
        if ablation:
            total += len(ablation) * len(seeds) * _episodes_for(str(paper.ablation_scenario), cfg)
        bar = progress_bar(total, "evaluate", bool(cfg.progress))
        logs: list[EpisodeLog] = []
        for name in names:
            for scenario in scenarios:
                env = gym.make(env_id_for("numeric", scenario), **kwargs(scenario, cfg.persona.eval_split, cfg.reward))
                for seed in seeds:
                    if name in algorithms:
                        agent = agents[name, trained_on(scenario), main_reward, seed].bind(env)
                    else:
                        agent = build_agent(name, env, seed=seed)
                    logs += play(agent, env, agent_name=name, scenario=scenario, run_seed=seed,
                                 env_seeds=episode_seeds(seed, n_eps[scenario], cfg.eval.seed0), bar=bar)
        ablation_logs: list[EpisodeLog] = []
        if ablation:
            s = str(paper.ablation_scenario)
            env = gym.make(env_id_for("numeric", s), **kwargs(s, cfg.persona.eval_split, cfg.reward))
            for r in ablation:
                for seed in seeds:
                    ablation_logs += play(agents[str(paper.agent), s, r, seed].bind(env), env,
                                          agent_name=f"{paper.agent}[{r}]", scenario=s, run_seed=seed,
                                          env_seeds=episode_seeds(seed, _episodes_for(s, cfg), cfg.eval.seed0),
                                          bar=bar)
        bar.close()
        timing["eval_s"] = round(time.time() - t0, 2)

        # 3. leaderboard and figures
        t0 = time.time()
        main_runs = [out / "runs" / run_label(a, ts, r, sd) for (a, ts, r, sd) in agents if r == main_reward]
        rows = write_results(logs, out, name="leaderboard", reps=int(cfg.eval.reps), metrics=("profile_f1",),
                             title=f"Benchmark leaderboard (preset {cfg.name})", train_logs=main_runs,
                             logger=logger)
        timing["leaderboard_s"] = round(time.time() - t0, 2)

        # 4. paper-style results
        t0 = time.time()
        ablation_rows = summarise(ablation_logs, reps=int(cfg.eval.reps), as_frame=False) if ablation_logs else []
        if ablation_rows:
            (out / "ablation.json").write_text(json.dumps(_plain_rows(ablation_rows), indent=1) + "\n")
        text = paper_results(cfg, rows.to_dict(orient="records"), ablation_rows, timing)
        (out / "paper_results.md").write_text(text)
        timing["paper_s"] = round(time.time() - t0, 2)
        timing["total_s"] = round(time.time() - t_start, 2)
        (out / "timing.json").write_text(json.dumps(timing, indent=1) + "\n")
        wall = (f"\nWall time of the whole benchmark: {timing['total_s']:.0f} s (training {timing['train_s']:.0f} s, "
                f"evaluation {timing['eval_s']:.0f} s, summaries {timing['leaderboard_s']:.0f} s).\n")
        for f in ("leaderboard.md", "paper_results.md"):
            with open(out / f, "a") as fh:
                fh.write(wall)
        text += wall
        logger.log_summary({"total_s": timing["total_s"], "train_s": timing["train_s"], "eval_s": timing["eval_s"]})
    finally:
        logger.close()
    print((out / "leaderboard.md").read_text())
    print(text)
    print(f"wrote {out}/leaderboard.md, leaderboard.csv, paper_results.md, figures/ in {timing['total_s']:.0f} s")
    return {"rows": rows, "ablation": ablation_rows, "timing": timing}


def _episodes_for(scenario: str, cfg: DictConfig) -> int:
    return int(cfg.eval.long_episodes if scenario == "long" else cfg.eval.episodes)


def _plain_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    from persona_env.logging_utils import _plain
    return [_plain(dict(r)) for r in rows]


# ---------------------------------------------------------------------------------- paper results
def _f(v: Any, fmt: str = ".3f") -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "-"
    return format(float(v), fmt)


def _ci(r: Mapping[str, Any], m: str) -> str:
    return f"{_f(r.get(m + '_iqm'))} [{_f(r.get(m + '_ci_low'))}, {_f(r.get(m + '_ci_high'))}]"


def paper_results(cfg: DictConfig, rows: Sequence[Mapping[str, Any]], ablation_rows: Sequence[Mapping[str, Any]],
                  timing: Mapping[str, Any]) -> str:
    """Markdown for (a) the reward ablation, (b) the turn-6 swap, (c) the ALOE table."""
    agent = str(cfg.paper.agent)
    cell = {(r["agent"], r["scenario"]): r for r in rows}
    seeds, eps = len(cfg.seeds), int(cfg.eval.episodes)
    steps = int(cfg.algos[agent].total_steps) if agent in cfg.algos else 0
    trained_where = cfg.train.scenario if cfg.train.scenario is not None else "each scenario"
    L = [f"# Paper-style results (preset `{cfg.name}`)", "",
         f"Numeric env; trained agents learn on training-split personas (`{trained_where}`), every agent is "
         f"evaluated on the same unseen test-split conversations: {seeds} seed(s) x {eps} episodes per cell "
         f"({int(cfg.eval.long_episodes)} for `long`). \"IQM [CI]\": interquartile mean over episodes with a 95% "
         f"bootstrap CI (rliable, {int(cfg.eval.reps)} replications). The trained agent is `{agent}` "
         f"({steps} env steps per seed).", ""]

    # (a) reward ablation
    s = str(cfg.paper.ablation_scenario)
    L += [f"## (a) RLPA's reward ablation: `{agent}` trained with each reward (`{s}` scenario)", ""]
    if ablation_rows:
        L += ["| reward | final-turn F1 (mean) | final-turn F1 IQM [95% CI] | response score (mean over turns) "
              "| response score IQM [95% CI] | F1 AVG over turns |", "|---|---|---|---|---|---|"]
        for r in ablation_rows:
            L.append(f"| {r['agent']} | {_f(r['final_f1'])} | {_ci(r, 'final_f1')} | {_f(r['response_AVG'])} | "
                     f"{_ci(r, 'response_AVG')} | {_f(r['f1_AVG'])} |")
        for b in ("random", "heuristic", "oracle"):
            r = cell.get((b, s))
            if r:
                L.append(f"| *{b} (reference)* | {_f(r['final_f1'])} | {_ci(r, 'final_f1')} | "
                         f"{_f(r['response_AVG'])} | {_ci(r, 'response_AVG')} | {_f(r['f1_AVG'])} |")
        L += ["", "Response score: the rule judge's score of each reply, averaged over the turns of an "
                  "episode (its IQM/CI over episodes); final-turn F1: profile F1 of the guess at the last turn.", ""]
    else:
        L += ["(not run: paper.enabled=false or no ablation rewards)", ""]

    # (b) the swap
    L += ["## (b) The turn-6 persona swap (`swap` scenario)", ""]
    swap_agents = [a for a in (agent, "heuristic", "oracle") if (a, "swap") in cell]
    if swap_agents:
        T = max(len(cell[a, "swap"]["f1_curve"]) for a in swap_agents)
        L += ["| agent | F1 turn 5 (before) | F1 turn 6 (at swap) | drop (mean) | drop IQM [95% CI] "
              "| turns to recover (recovered) | final-turn F1 |", "|---|---|---|---|---|---|---|"]
        for a in swap_agents:
            r = cell[a, "swap"]
            L.append(f"| {a} | {_f(r.get('swap_f1_before'))} | {_f(r.get('swap_f1_at'))} | {_f(r.get('swap_drop'))} | "
                     f"{_ci(r, 'swap_drop')} | {_f(r.get('swap_turns_to_recover'), '.1f')} "
                     f"({_f(r.get('swap_recovered'), '.0%')}) | {_f(r['final_f1'])} |")
        L += ["", "Mean profile F1 per turn (the new persona speaks from turn 6):", "",
              "| agent | " + " | ".join(str(k) for k in range(1, T + 1)) + " |", "|---|" + "---|" * T]
        for a in swap_agents:
            curve = cell[a, "swap"]["f1_curve"]
            L.append(f"| {a} | " + " | ".join(_f(v, ".2f") for v in curve) + " |")
        L += ["", "Drop = F1(turn 5) - F1(turn 6) per episode; recovery = turns after the swap until F1 is back "
                  "to its turn-5 value (episodes that never recover are left out of the mean; the fraction "
                  "that did is in brackets).", ""]
    else:
        L += ["(not run: add `swap` to scenarios)", ""]

    # (c) ALOE
    L += ["## (c) ALOE table: AVG, N-IR, N-R² of the per-turn response score and profile F1", ""]
    aloe_agents = [a for a in ("random", "heuristic", agent, "oracle")]
    any_row = False
    for s in [x for x in ("static", "long") if x in cfg.scenarios] or list(cfg.scenarios)[:1]:
        present = [a for a in aloe_agents if (a, s) in cell]
        if not present:
            continue
        any_row = True
        T = len(cell[present[0], s]["f1_curve"])
        L += [f"`{s}` ({T} turns):", "",
              "| agent | response AVG | response N-IR | response N-R² | F1 AVG | F1 N-IR | F1 N-R² |",
              "|---|---|---|---|---|---|---|"]
        for a in present:
            r = cell[a, s]
            L.append(f"| {a} | {_f(r['response_AVG'])} | {_f(r['response_N_IR'])} | {_f(r['response_N_R2'])} | "
                     f"{_f(r['f1_AVG'])} | {_f(r['f1_N_IR'])} | {_f(r['f1_N_R2'])} |")
        L.append("")
    if any_row:
        L += ["AL(k) = mean score at turn k over the episodes; AVG = mean of AL(k); N-IR = least-squares slope "
              "of the min-max normalised AL(k) against k; N-R² = R² of that fit (persona_env.metrics.aloe_summary).",
              ""]
    return "\n".join(L) + "\n"


@hydra.main(version_base="1.3", config_path="../conf", config_name="benchmark")
def main(cfg: DictConfig) -> None:
    try:
        benchmark(cfg)
    except (UsageError, FileNotFoundError) as err:
        sys.exit(f"error: {err}")


if __name__ == "__main__":
    main()
