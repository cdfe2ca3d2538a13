"""Baseline agents on every 10-turn scenario: profile F1 per turn, response score, episode length.

    python experiments/baselines.py                       # 20 episodes per cell, seeds 0-19
    python experiments/baselines.py --episodes 5 --out results/baselines

Writes ``baselines.csv`` (one row per agent x scenario x turn) and ``baselines.md`` (the README
table: final-turn profile F1, mean response score, mean episode length).
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import gymnasium as gym
import numpy as np
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo's agents/ package

import persona_env  # noqa: E402,F401
from agents import make_agent  # noqa: E402

SCENARIOS = ("static", "swap", "drift", "conflict")
AGENTS = ("random", "mode", "heuristic", "oracle")


def run(agent_name: str, scenario: str, episodes: int) -> dict[str, np.ndarray]:
    env = gym.make("PersonaDialog-v0", scenario=scenario)
    T = env.unwrapped.parts.scenario.max_turns
    f1 = np.full((episodes, T), np.nan)
    response = np.full((episodes, T), np.nan)
    lengths = np.zeros(episodes)
    agent = make_agent(agent_name)
    for ep in range(episodes):
        obs, _ = env.reset(seed=ep)
        agent.reset(ep)
        t, done = 0, False
        while not done:
            obs, _, terminated, truncated, info = env.step(agent.act(obs))
            f1[ep, t] = info["reward_terms"]["profile_f1"]
            response[ep, t] = info["reward_terms"]["response_score"]
            t += 1
            done = terminated or truncated
        lengths[ep] = t
        # a user who left keeps the agent's last profile score for the turns it missed
        f1[ep, t:] = f1[ep, t - 1]
    return {"f1": f1, "response": response, "length": lengths}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=20)
    parser.add_argument("--out", default="results/baselines")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = {}
    for agent in tqdm(AGENTS, desc="agents"):
        for scenario in SCENARIOS:
            results[agent, scenario] = run(agent, scenario, args.episodes)
    with open(out / "baselines.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["agent", "scenario", "turn", "profile_f1_mean", "response_score_mean"])
        for (agent, scenario), r in results.items():
            for t in range(r["f1"].shape[1]):
                w.writerow([agent, scenario, t + 1, f"{np.nanmean(r['f1'][:, t]):.4f}",
                            f"{np.nanmean(r['response'][:, t]):.4f}"])
    header = "| agent | " + " | ".join(f"{s}: F1@10 / response / turns" for s in SCENARIOS) + " |"
    lines = [header, "|---|" + "---|" * len(SCENARIOS)]
    for agent in AGENTS:
        cells = []
        for scenario in SCENARIOS:
            r = results[agent, scenario]
            cells.append(f"{r['f1'][:, -1].mean():.2f} / {np.nanmean(r['response']):.2f} / {r['length'].mean():.1f}")
        lines.append(f"| {agent} | " + " | ".join(cells) + " |")
    swap = results["oracle", "swap"]["f1"].mean(axis=0)
    lines.append("")
    lines.append("Oracle profile F1 by turn on `swap` (persona changes at turn 6): "
                 + " ".join(f"{v:.2f}" for v in swap))
    table = "\n".join(lines)
    (out / "baselines.md").write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
