"""``persona-env`` command line: a demo episode, and the checkers on registered ids.

    persona-env demo                       # heuristic agent, static scenario, seed 0
    persona-env demo --agent oracle --scenario swap --seed 3
    persona-env check PersonaDialog-Swap-v0
"""

from __future__ import annotations

import argparse
import sys

import gymnasium as gym
from rich.console import Console
from rich.table import Table

import persona_env  # noqa: F401  (registers the env ids)
from persona_env.registration import ENV_IDS, NUMERIC_ENV_IDS
from persona_env.timeline import SCENARIOS


def demo(agent_name: str, scenario: str, seed: int, quiet: bool = False) -> list[dict[str, float]]:
    """Run one episode with ``agent_name``, rendering every turn; returns the per-turn terms."""
    from agents import make_agent

    env = gym.make("PersonaDialog-v0", scenario=scenario, render_mode=None if quiet else "human")
    agent = make_agent(agent_name)
    obs, info = env.reset(seed=seed)
    agent.reset(seed)
    rows, done = [], False
    while not done:
        obs, reward, terminated, truncated, info = env.step(agent.act(obs))
        rows.append({"reward": reward, **info["reward_terms"]})
        done = terminated or truncated
    console = Console()
    table = Table(title=f"{agent_name} on {scenario} (seed {seed})")
    for col in ("turn", "profile F1", "precision", "recall", "response", "gated", "reward"):
        table.add_column(col, justify="right")
    for k, r in enumerate(rows, 1):
        table.add_row(str(k), f"{r['profile_f1']:.2f}", f"{r['profile_precision']:.2f}",
                      f"{r['profile_recall']:.2f}", f"{r['response_score']:.2f}",
                      f"{r['response_gated']:.0f}", f"{r['reward']:.2f}")
    if not quiet:
        console.print(table)
        left = rows and len(rows) < env.unwrapped.parts.scenario.max_turns
        console.print("ended: " + ("the user left" if left else "the session is over"))
    env.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="persona-env", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("demo", help="render one episode between the simulated user and a baseline agent")
    d.add_argument("--agent", default="heuristic", choices=["random", "mode", "heuristic", "oracle"])
    d.add_argument("--scenario", default="static", choices=list(SCENARIOS))
    d.add_argument("--seed", type=int, default=0)
    c = sub.add_parser("check", help="run the shipped checkers on a registered env id")
    c.add_argument("env_id", nargs="?", default="PersonaDialog-v0", choices=list(ENV_IDS) + list(NUMERIC_ENV_IDS))
    args = parser.parse_args(argv)
    if args.command == "demo":
        demo(args.agent, args.scenario, args.seed)
        return 0
    from persona_env.checkers import check_env_id

    report = check_env_id(args.env_id)
    for line in report:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
