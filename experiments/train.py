"""Train one agent (or take a baseline), evaluate it on unseen personas, return the objective.

    python experiments/train.py                                    # cleanrl_ppo, static numeric env, RLPA reward
    python experiments/train.py agent=ppo env=swap seed=1 agent.total_steps=50000
    python experiments/train.py -m agent=ppo,a2c seed=0,1,2        # Hydra's basic sweeper
    python experiments/train.py +hparams_search=optuna             # Optuna sweeper (uses the return value)
    python experiments/train.py +experiment=ablation_profile_only  # conf/experiment/*.yaml

Steps (``conf/train.yaml`` for every option):

1. check the input (persona file, agent x env mode) -- bad input stops with a one-line message;
2. build the training env options from the ``env``/``persona``/``user``/``reward`` configs
   (train split) and the evaluation ones (test split);
3. train: ``hydra.utils.instantiate(cfg.agent.trainer)`` (``agents.trained.SB3Trainer`` or
   ``CleanPPOTrainer``), ``.train(...)`` into ``<run dir>/train`` with checkpoints, resuming from
   the last one if the run directory has one (``resume=false`` starts over); a baseline skips this;
4. evaluate on ``eval.scenarios`` (default: the training scenario) with the protocol of
   ``experiments/evaluate.py`` and write ``<run dir>/eval/metrics.{csv,json,md}`` and figures
   (per-turn curves, the learning curve);
5. log everything with :class:`persona_env.logging_utils.RunLogger` (``metrics.jsonl``,
   ``episodes.csv``, sample dialogues; wandb offline by default) and return the objective: the
   mean final-turn profile F1 on the training scenario's evaluation episodes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import gymnasium as gym
import hydra
from hydra.errors import InstantiationException
from omegaconf import DictConfig

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from agents.registry import build_agent  # noqa: E402
from agents.trained import RunMismatchError  # noqa: E402
from experiments.evaluate import (UsageError, check_agents, check_persona, env_id_for,  # noqa: E402
                                  env_kwargs_for, episode_seeds, play, progress_bar, sample_dialogue,
                                  write_results)
from persona_env.logging_utils import RunLogger  # noqa: E402


def train_and_evaluate(cfg: DictConfig) -> float:
    # 1. check the input before any work
    mode, scenario, name = str(cfg.env.mode), str(cfg.env.scenario), str(cfg.agent.name)
    trained = cfg.agent.kind == "trained"
    eval_scenarios = [str(s) for s in (cfg.eval.scenarios or [scenario])]
    for s in {scenario, *eval_scenarios}:
        env_id_for(mode, s)
    check_persona(cfg.persona)
    if trained and mode != "numeric":
        raise UsageError(f"agent {name!r} is trained in the numeric env: set env.mode=numeric")
    if not trained:
        check_agents([name], mode, {}, [cfg.seed])

    # 2. env options: training personas and evaluation (unseen) personas
    def kwargs(split: str, s: str) -> dict:
        return env_kwargs_for(mode, cfg.persona, cfg.user, cfg.reward, split, cfg.env.history,
                              cfg.env.max_turns if s == scenario else None)

    out = Path(cfg.out_dir)
    logger = RunLogger(out, cfg, cfg.logger.wandb, name=out.name, job_type="train")
    try:
        # 3. train (or take the baseline)
        if trained:
            try:
                trainer = hydra.utils.instantiate(cfg.agent.trainer, progress=bool(cfg.progress),
                                                  _convert_="all")
            except InstantiationException as err:
                raise UsageError(f"agent.trainer: {str(err.__cause__ or err).splitlines()[0]}") from None
            try:
                agent = trainer.train(env_id_for(mode, scenario), kwargs(cfg.persona.train_split, scenario),
                                      total_steps=int(cfg.agent.total_steps), seed=int(cfg.seed),
                                      out_dir=out / "train", resume=bool(cfg.resume), log_fn=logger.log_train)
            except RunMismatchError as err:
                raise UsageError(str(err)) from None

            def for_env(env: gym.Env):
                return agent.bind(env)
        else:
            def for_env(env: gym.Env):
                return build_agent(name, env, seed=int(cfg.seed))

        # 4. evaluate on unseen personas
        n_eps = int(cfg.eval.episodes)
        bar = progress_bar(n_eps * len(eval_scenarios), f"evaluate {name}", bool(cfg.progress))
        logs, dialogues = [], []
        for s in eval_scenarios:
            kw = kwargs(cfg.persona.eval_split, s)
            env = gym.make(env_id_for(mode, s), **kw)
            logs += play(for_env(env), env, agent_name=name, scenario=s, run_seed=int(cfg.seed),
                         env_seeds=episode_seeds(int(cfg.seed), n_eps, cfg.eval.seed0), bar=bar)
            for i in range(int(cfg.eval.n_dialogues) if s == eval_scenarios[0] else 0):
                env_r = gym.make(env_id_for(mode, s), render_mode="ansi", **kw)
                dialogues += sample_dialogue(for_env(env_r), env_r, agent_name=name, scenario=s,
                                             run_seed=int(cfg.seed),
                                             env_seed=episode_seeds(int(cfg.seed), i + 1, cfg.eval.seed0)[i])
        bar.close()
        rows = write_results(logs, out / "eval", reps=int(cfg.eval.reps), title=f"{name} on {mode}/{scenario}",
                             train_logs=[out / "train"] if trained else [], logger=logger)
        logger.log_dialogues(dialogues)

        # 5. the objective
        first = rows[rows["scenario"] == eval_scenarios[0]].iloc[0]
        objective = float(first["final_f1"])
        logger.log_summary({"objective": objective, "final_f1": objective,
                            "final_f1_iqm": float(first["final_f1_iqm"]),
                            "response_AVG": float(first["response_AVG"]), "f1_AVG": float(first["f1_AVG"]),
                            "return": float(first["return"]), "scenario": eval_scenarios[0], "agent": name})
    finally:
        logger.close()
    print(f"{name} on {mode}/{scenario} (seed {cfg.seed}): mean final-turn profile F1 {objective:.3f} "
          f"over {n_eps} unseen-persona episodes; run dir {out}")
    return objective


@hydra.main(version_base="1.3", config_path="../conf", config_name="train")
def main(cfg: DictConfig) -> float:
    try:
        return train_and_evaluate(cfg)
    except (UsageError, FileNotFoundError) as err:
        sys.exit(f"error: {err}")


if __name__ == "__main__":
    main()
