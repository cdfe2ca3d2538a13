"""Train a Stable-Baselines3 agent on the numeric env and compare its profile F1 with random play.

    python experiments/train_sb3.py --algo ppo --steps 20000                 # PPO, MultiDiscrete
    python experiments/train_sb3.py --algo a2c --steps 20000 --n-envs 8
    python experiments/train_sb3.py --algo dqn --steps 50000                 # via FlatDiscreteAction
    python experiments/train_sb3.py --algo ppo --env-id PersonaDialog-NumericLatest-v0 --seed 1
    python experiments/train_sb3.py --algo ppo --steps 2000 --eval-episodes 10 --out results/sb3  # smoke

PPO and A2C act in the numeric env's ``MultiDiscrete`` action directly (a full guess and reply
every turn). DQN needs a ``Discrete`` action, so it acts through
:class:`persona_env.wrappers_numeric.FlatDiscreteAction` (one guess edit, question or
recommendation per turn, fixed neutral style; the current guess is appended to the observation).

Evaluation: ``--eval-episodes`` episodes (seeds ``10_000 + seed * 1000 + i``, never used in
training) with the trained policy (deterministic) and with a uniformly random policy over the same
action space; the score is the profile F1 at the last turn of each episode
(``info["reward_terms"]["profile_f1"]``), averaged. Also prints the mean episode return. The model is
saved as ``<out>/<algo>_<env-id>_seed<seed>.zip`` with the scores in a ``.json`` beside it.
Torch runs on one thread by default (``--threads``): the networks are tiny, and extra threads only
contend with the env (on a loaded 2-core machine, 2 threads made PPO ~13x slower).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Callable

import gymnasium as gym
import numpy as np
import torch
from stable_baselines3 import A2C, DQN, PPO
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.env_util import make_vec_env

import persona_env  # noqa: F401  (registers the env ids)
from persona_env.wrappers_numeric import FlatDiscreteAction

ALGOS = {"ppo": PPO, "a2c": A2C, "dqn": DQN}


def make_env(env_id: str, algo: str) -> gym.Env:
    env = gym.make(env_id)
    return FlatDiscreteAction(env) if algo == "dqn" else env


def build_model(algo: str, env_id: str, n_envs: int, seed: int, steps: int) -> BaseAlgorithm:
    """The SB3 model with small, readable settings that also work for tiny ``steps``."""
    # A callable, not the id: given an id, make_vec_env asks for render_mode="rgb_array", which the
    # PersonaDialog envs refuse with a ValueError (SB3 only falls back on a TypeError).
    venv = make_vec_env(lambda: make_env(env_id, algo), n_envs=n_envs, seed=seed)
    common = dict(policy="MlpPolicy", env=venv, seed=seed, verbose=0, device="cpu")
    if algo == "ppo":
        # one rollout = n_steps * n_envs transitions; keep it no larger than the budget
        n_steps = int(np.clip(steps // n_envs, 16, 256))
        return PPO(**common, n_steps=n_steps, batch_size=min(64, n_steps * n_envs), n_epochs=4,
                   learning_rate=3e-4, gamma=0.95, ent_coef=0.01)
    if algo == "a2c":
        return A2C(**common, n_steps=8, learning_rate=7e-4, gamma=0.95, ent_coef=0.01)
    if algo == "dqn":
        return DQN(**common, learning_starts=min(1000, steps // 4), buffer_size=min(100_000, max(steps, 1000)),
                   batch_size=64, train_freq=4, target_update_interval=max(100, steps // 50),
                   exploration_fraction=0.3, exploration_final_eps=0.05, gamma=0.95, learning_rate=5e-4)
    raise ValueError(f"unknown algo {algo!r}; choose from {sorted(ALGOS)}")


def evaluate(env: gym.Env, act: Callable[[np.ndarray], np.ndarray], episodes: int, seed0: int) -> dict[str, float]:
    """Mean last-turn profile F1 and mean return over ``episodes`` episodes."""
    f1, returns = [], []
    for i in range(episodes):
        obs, _ = env.reset(seed=seed0 + i)
        done, total, last_f1 = False, 0.0, 0.0
        while not done:
            obs, reward, terminated, truncated, info = env.step(act(obs))
            total += float(reward)
            last_f1 = info["reward_terms"]["profile_f1"]
            done = terminated or truncated
        f1.append(last_f1)
        returns.append(total)
    return {"profile_f1_last": float(np.mean(f1)), "profile_f1_last_std": float(np.std(f1)),
            "return": float(np.mean(returns))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--algo", choices=sorted(ALGOS), default="ppo")
    parser.add_argument("--env-id", default="PersonaDialog-Numeric-v0")
    parser.add_argument("--steps", type=int, default=20_000, help="training environment steps")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-envs", type=int, default=4)
    parser.add_argument("--eval-episodes", type=int, default=20)
    parser.add_argument("--out", default="results/sb3")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch intra-op threads; 1 is fastest for these small MLPs (more threads "
                             "compete with the env and, on a busy machine, slow training down many times)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    model = build_model(args.algo, args.env_id, args.n_envs, args.seed, args.steps)
    print(f"{args.algo.upper()} on {args.env_id}: action space {model.action_space}, "
          f"observation {model.observation_space.shape}, {args.n_envs} envs, {args.steps} steps")
    start = time.perf_counter()
    model.learn(total_timesteps=args.steps)
    elapsed = time.perf_counter() - start
    print(f"trained {model.num_timesteps} steps in {elapsed:.1f} s ({model.num_timesteps / elapsed:.0f} steps/s)")

    env = make_env(args.env_id, args.algo)
    env.action_space.seed(args.seed)
    seed0 = 10_000 + args.seed * 1000
    trained = evaluate(env, lambda obs: model.predict(obs, deterministic=True)[0], args.eval_episodes, seed0)
    random = evaluate(env, lambda obs: env.action_space.sample(), args.eval_episodes, seed0)
    print(f"profile F1 at the last turn over {args.eval_episodes} episodes: "
          f"{args.algo} {trained['profile_f1_last']:.3f} (+- {trained['profile_f1_last_std']:.3f}) vs "
          f"random {random['profile_f1_last']:.3f} (+- {random['profile_f1_last_std']:.3f})")
    print(f"mean episode return: {args.algo} {trained['return']:.3f} vs random {random['return']:.3f}")

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"{args.algo}_{args.env_id}_seed{args.seed}"
    model.save(stem.with_suffix(".zip"))
    stem.with_suffix(".json").write_text(json.dumps(
        {"args": vars(args), "train_seconds": elapsed, "trained": trained, "random": random}, indent=2))
    print(f"saved {stem.with_suffix('.zip')} and {stem.with_suffix('.json')}")


if __name__ == "__main__":
    main()
