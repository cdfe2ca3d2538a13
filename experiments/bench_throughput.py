"""Env throughput, with CartPole-v1 timed in the same run as the yardstick.

    python experiments/bench_throughput.py                 # default: 5 s per row
    python experiments/bench_throughput.py --seconds 2 --out results/throughput

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
    cartpole = rows[0]["steps_per_s"]
    for r in rows:
        r["x_cartpole"] = r["steps_per_s"] / cartpole

    table = Table(title=f"env steps/s ({platform.processor() or platform.machine()}, "
                        f"{os.cpu_count()} cores, python {platform.python_version()})")
    for col in ("env", "policy", "steps/s", "x CartPole-v1", "steps"):
        table.add_column(col, justify="right" if col not in ("env", "policy") else "left")
    for r in rows:
        table.add_row(r["env"], r["policy"], f"{r['steps_per_s']:,.0f}", f"{r['x_cartpole']:.4f}", f"{r['steps']:,}")
    Console().print(table)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "throughput.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    (out / "throughput.json").write_text(json.dumps({"rows": rows, "seconds_per_row": args.seconds,
                                                      "numpy": np.__version__, "gymnasium": gym.__version__}, indent=2))
    print(f"wrote {out / 'throughput.csv'} and {out / 'throughput.json'}")


if __name__ == "__main__":
    main()
