"""Env throughput and memory, with CartPole-v1 timed in the same run as the yardstick.

    python experiments/bench_throughput.py                 # default: 5 s per row
    python experiments/bench_throughput.py --seconds 2 --out results/throughput

Rows: CartPole-v1 (single, and gymnasium's SyncVectorEnv of 64), the text env (single), the
numeric env (single), and the numeric vector env (``gym.make_vec(...,
vectorization_mode="vector_entry_point")``) at N = 1, 64, 1024, 4096. Memory: the peak Python
heap (tracemalloc) of building and stepping the numeric vector env, per 1,000 conversations.

Each row steps one env for about ``--seconds`` of wall time with the given policy (resetting on
episode end; resets are included in the time) and reports env steps per second. The action is
drawn before the clock starts where the policy is cheap to precompute (random text from the
action space), so the figure is the env's own cost; agent rows include the agent's ``act``.
Prints a table and writes it as CSV and JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any, Callable

import gymnasium as gym
import numpy as np
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo's agents/ package

import persona_env  # noqa: E402,F401
from agents import HeuristicAgent, RandomAgent  # noqa: E402


def time_env(make: Callable[[], gym.Env], policy: Callable[[Any], Any] | None, seconds: float,
             pool_size: int = 256) -> dict[str, float]:
    """Steps per second of ``make()`` under ``policy`` (None: precomputed action_space samples)."""
    env = make()
    env.action_space.seed(0)
    actions = [env.action_space.sample() for _ in range(pool_size)] if policy is None else None
    obs, _ = env.reset(seed=0)
    steps, episodes, t0 = 0, 0, time.perf_counter()
    deadline = t0 + seconds
    while True:
        action = actions[steps % pool_size] if actions is not None else policy(obs)
        obs, _, terminated, truncated, _ = env.step(action)
        steps += 1
        if terminated or truncated:
            episodes += 1
            obs, _ = env.reset()
        if steps % 16 == 0 and time.perf_counter() >= deadline:
            break
    elapsed = time.perf_counter() - t0
    env.close()
    return {"steps": steps, "episodes": episodes, "seconds": elapsed, "steps_per_s": steps / elapsed}


def time_vec(make: Callable[[], Any], seconds: float, pool_size: int = 8) -> dict[str, float]:
    """Env steps per second (conversations x batch steps) of a vector env under random actions."""
    env = make()
    env.action_space.seed(0)
    actions = [env.action_space.sample() for _ in range(pool_size)]
    env.reset(seed=0)
    n, steps, t0 = env.num_envs, 0, time.perf_counter()
    while True:
        env.step(actions[steps % pool_size])
        steps += 1
        if time.perf_counter() - t0 >= seconds:
            break
    elapsed = time.perf_counter() - t0
    env.close()
    return {"steps": steps * n, "episodes": float("nan"), "seconds": elapsed, "steps_per_s": steps * n / elapsed}


def peak_memory_per_1000(num_envs: int, steps: int = 20) -> float:
    """Peak traced heap (MB) of building, resetting and stepping ``num_envs`` numeric
    conversations, per 1,000 conversations."""
    tracemalloc.start()
    env = gym.make_vec("PersonaDialog-Numeric-v0", num_envs=num_envs, vectorization_mode="vector_entry_point")
    env.action_space.seed(0)
    env.reset(seed=0)
    for _ in range(steps):
        env.step(env.action_space.sample())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    env.close()
    return peak / 1e6 / (num_envs / 1000)


def agent_policy(agent) -> Callable[[Any], Any]:
    agent.reset(0)
    return agent.act


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--out", default="results/throughput")
    args = parser.parse_args()

    rows: list[dict[str, Any]] = []

    def run(name: str, make, policy=None, note: str = "") -> None:
        r = time_env(make, policy, args.seconds)
        rows.append({"env": name, "policy": note, **r})

    run("CartPole-v1", lambda: gym.make("CartPole-v1"), None, "random (action_space.sample)")
    run("PersonaDialog-v0", lambda: gym.make("PersonaDialog-v0"), None, "random text (action_space.sample)")
    run("PersonaDialog-v0", lambda: gym.make("PersonaDialog-v0"), agent_policy(RandomAgent(seed=0)), "random agent (words)")
    run("PersonaDialog-v0", lambda: gym.make("PersonaDialog-v0"), agent_policy(HeuristicAgent()), "heuristic agent")
    run("PersonaDialog-Long-v0", lambda: gym.make("PersonaDialog-Long-v0"), None, "random text (action_space.sample)")
    run("PersonaDialog-Numeric-v0", lambda: gym.make("PersonaDialog-Numeric-v0"), None, "random (action_space.sample)")
    rows.append({"env": "CartPole-v1 SyncVectorEnv N=64", "policy": "random",
                 **time_vec(lambda: gym.make_vec("CartPole-v1", num_envs=64, vectorization_mode="sync"), args.seconds)})
    rows.append({"env": "PersonaDialog-v0 text vector N=64", "policy": "random text (action_space.sample)",
                 **time_vec(lambda: gym.make_vec("PersonaDialog-v0", num_envs=64,
                                                 vectorization_mode="vector_entry_point"), args.seconds)})
    for n in (1, 64, 1024, 4096):
        rows.append({"env": f"PersonaDialog-Numeric-v0 vector N={n}", "policy": "random",
                     **time_vec(lambda: gym.make_vec("PersonaDialog-Numeric-v0", num_envs=n,
                                                     vectorization_mode="vector_entry_point"), args.seconds)})
    cartpole = rows[0]["steps_per_s"]
    for r in rows:
        r["x_cartpole"] = r["steps_per_s"] / cartpole

    table = Table(title=f"env steps/s ({platform.processor() or platform.machine()}, "
                        f"{os.cpu_count()} cores, python {platform.python_version()})")
    for col in ("env", "policy", "steps/s", "x CartPole-v1", "steps"):
        table.add_column(col, justify="right" if col not in ("env", "policy") else "left")
    for r in rows:
        table.add_row(r["env"], r["policy"], f"{r['steps_per_s']:,.0f}", f"{r['x_cartpole']:.4f}", f"{r['steps']:,}")
    Console(width=150).print(table)
    memory = {n: peak_memory_per_1000(n) for n in (1000, 4000)}
    print("numeric vector env, peak traced memory per 1,000 conversations (10 turns): "
          + ", ".join(f"N={n}: {mb:.1f} MB" for n, mb in memory.items()))

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "throughput.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    (out / "throughput.json").write_text(json.dumps({"rows": rows, "seconds_per_row": args.seconds,
                                                      "memory_mb_per_1000": memory,
                                                      "numpy": np.__version__, "gymnasium": gym.__version__}, indent=2))
    print(f"wrote {out / 'throughput.csv'} and {out / 'throughput.json'}")


if __name__ == "__main__":
    main()
