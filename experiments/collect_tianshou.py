"""Collect random rollouts of the numeric env with Tianshou 2's ``Collector``.

    python experiments/collect_tianshou.py                         # 4 envs, 200 steps + 8 episodes
    python experiments/collect_tianshou.py --n-envs 2 --steps 100 --episodes 4 --flat

The envs run in a ``DummyVectorEnv``; a ``Collector`` steps them with :class:`RandomPolicy` (a
Tianshou ``Policy`` that samples the action space) and writes the transitions into a
``VectorReplayBuffer``. Two adapters matter:

* :class:`persona_env.wrappers_numeric.StackableInfo`: Tianshou stacks the envs' ``info`` dicts
  into a ``Batch``, which fails on the env's ragged ``timeline`` (lists of different lengths) and
  string ``notes``; the wrapper keeps fixed-key numbers only (``turn``, ``reward_terms``...), so
  ``buffer.info.reward_terms.profile_f1`` is an array.
* ``--flat``: :class:`persona_env.wrappers_numeric.FlatDiscreteAction` (a ``Discrete`` action for
  Tianshou's DQN family) instead of the raw ``MultiDiscrete`` action. Note that Tianshou's
  ``DummyVectorEnv.action_space`` reads ``env.unwrapped.action_space`` and so still reports the
  ``MultiDiscrete`` space; the policy takes its spaces from a wrapped env instead.
"""

from __future__ import annotations

import argparse

import gymnasium as gym
import numpy as np
from tianshou.algorithm.algorithm_base import Policy
from tianshou.data import Batch, Collector, VectorReplayBuffer
from tianshou.env import DummyVectorEnv

import persona_env  # noqa: F401  (registers the env ids)
from persona_env.wrappers_numeric import FlatDiscreteAction, StackableInfo


class RandomPolicy(Policy):
    """Uniformly random actions from the (single) env's action space, one per ready env."""

    def __init__(self, action_space: gym.Space, observation_space: gym.Space | None = None, seed: int = 0) -> None:
        super().__init__(action_space=action_space, observation_space=observation_space)
        self.action_space.seed(seed)

    @staticmethod
    def _compile() -> None:
        """Skip ``Policy``'s numba warm-up of the GAE / n-step return kernels: a random policy
        computes no returns, and compiling them takes seconds (tens on a busy machine)."""

    def forward(self, batch: Batch, state=None, **kwargs) -> Batch:
        return Batch(act=np.stack([self.action_space.sample() for _ in range(len(batch.obs))]))


def make_env(env_id: str, flat: bool = False) -> gym.Env:
    env = gym.make(env_id)
    if flat:
        env = FlatDiscreteAction(env)
    return StackableInfo(env)


def build_collector(env_id: str = "PersonaDialog-Numeric-v0", n_envs: int = 4, buffer_size: int = 2000,
                    seed: int = 0, flat: bool = False) -> tuple[Collector, VectorReplayBuffer]:
    envs = DummyVectorEnv([lambda: make_env(env_id, flat) for _ in range(n_envs)])
    envs.seed([seed + i for i in range(n_envs)])
    # Not envs.action_space: Tianshou's workers read spaces from env.unwrapped, which ignores
    # wrappers that change them (FlatDiscreteAction); take them from one wrapped env instead.
    probe = make_env(env_id, flat)
    policy = RandomPolicy(probe.action_space, probe.observation_space, seed=seed)
    probe.close()
    buffer = VectorReplayBuffer(buffer_size, n_envs)
    collector = Collector(policy, envs, buffer)
    collector.reset()
    return collector, buffer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env-id", default="PersonaDialog-Numeric-v0")
    parser.add_argument("--n-envs", type=int, default=4)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--episodes", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--flat", action="store_true", help="wrap with FlatDiscreteAction (Discrete actions)")
    args = parser.parse_args()

    collector, buffer = build_collector(args.env_id, args.n_envs, seed=args.seed, flat=args.flat)
    print(f"envs: {args.n_envs} x {args.env_id}; action space {collector.policy.action_space}")
    stats = collector.collect(n_step=args.steps)
    print(f"collect(n_step={args.steps}): {stats.n_collected_steps} steps, {stats.n_collected_episodes} "
          f"finished episodes, {stats.collect_speed:.0f} steps/s")
    stats = collector.collect(n_episode=args.episodes)
    print(f"collect(n_episode={args.episodes}): {stats.n_collected_episodes} episodes, "
          f"return {stats.returns_stat.mean:.3f} +- {stats.returns_stat.std:.3f}, length {stats.lens_stat.mean:.1f}")

    data = buffer[buffer.sample_indices(0)]  # every stored transition (0 = all, in order)
    f1 = np.asarray(data.info.reward_terms.profile_f1)
    done = np.asarray(data.done)
    print(f"buffer: {len(buffer)} transitions; obs {data.obs.shape}, act {data.act.shape}, "
          f"info keys {sorted(data.info.keys())}")
    print(f"profile F1: mean per reply {f1.mean():.3f}, at the last turn of {int(done.sum())} episodes "
          f"{f1[done].mean():.3f}")


if __name__ == "__main__":
    main()
