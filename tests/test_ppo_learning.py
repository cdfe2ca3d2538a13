"""PPO (experiments/ppo.py) on the numeric env: a smoke test of ``train()`` and a learning test."""

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

PPO_PATH = Path(__file__).resolve().parents[1] / "experiments" / "ppo.py"


def _load_ppo():
    name = "experiments_ppo"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, PPO_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look the module up while the file executes
    spec.loader.exec_module(module)
    return module


ppo = _load_ppo()


def test_parse_args():
    args = ppo.parse_args(["--total-timesteps", "1234", "--no-anneal-lr", "--gamma", "0.5", "--out", "x"])
    assert (args.total_timesteps, args.anneal_lr, args.gamma, args.out) == (1234, False, 0.5, "x")
    assert ppo.parse_args([]) == ppo.Args()


def test_act_mask_is_respected():
    import gymnasium as gym

    envs = gym.make_vec("PersonaDialog-Numeric-v0", num_envs=4, vectorization_mode="vector_entry_point")
    spec = envs.unwrapped.dialogue.spec
    obs, _ = envs.reset(seed=0)
    envs.close()
    x = torch.as_tensor(obs).repeat(16, 1)  # 64 rows
    x[:, -spec.n_acts:] = 0.0
    x[:, -spec.n_acts + 3] = 1.0  # only act 3 (ask about slot 3) is valid
    torch.manual_seed(0)
    agent = ppo.make_agent(spec, hidden=32)
    action, logp, entropy, value = agent.get_action_and_value(x)
    assert action.shape == (64, len(spec.nvec))
    assert (action[:, spec.n_guess] == 3).all()
    assert (agent.act(x)[:, spec.n_guess] == 3).all()
    assert ((action >= 0) & (action < torch.as_tensor(spec.nvec))).all()
    # log-prob of a given action matches the sampled one; entropy is the per-dimension sum
    _, logp2, _, _ = agent.get_action_and_value(x, action)
    torch.testing.assert_close(logp, logp2)
    assert entropy.max() <= float(np.log(spec.nvec).sum()) + 1e-3


def test_train_smoke(tmp_path):
    args = ppo.Args(total_timesteps=2 * 8 * 16, num_envs=8, num_steps=16, hidden=32, eval_episodes=2,
                    out=str(tmp_path / "ppo"), verbose=False, seed=0)
    result = ppo.train(args)
    updates = result["metrics"]["updates"]
    assert len(updates) == 2
    assert updates[-1]["global_step"] == 2 * 8 * 16
    # 10-turn episodes: 8 envs x 16 steps ends every conversation at least once in the first rollout
    assert updates[0]["episodes"] >= 8
    assert 0.0 <= updates[0]["mean_final_profile_f1"] <= 1.0
    assert np.isfinite(updates[-1]["value_loss"])
    assert 0.0 <= result["eval_f1"] <= 1.0
    saved = json.loads((tmp_path / "ppo" / "metrics.json").read_text())
    assert len(saved["updates"]) == 2
    agent = ppo.load_agent(tmp_path / "ppo" / "agent.pt")
    for p, q in zip(agent.parameters(), result["agent"].parameters()):
        torch.testing.assert_close(p, q)


@pytest.mark.slow
def test_ppo_beats_random(tmp_path):
    # Measured on a 2-core machine (torch 2.13 CPU, greedy evaluation on single-env seeds
    # 10000-10099): random policy 0.190; PPO with this budget 0.472 (seed 1; 25-47 s wall
    # depending on load); seeds 2 and 3: 0.459, 0.458; at 60k steps 0.43-0.44. The asserted
    # margin (+0.15) leaves ~0.1 of headroom.
    # gamma = 0: the profile reward is immediate and the bandit critic learns fastest on this budget.
    args = ppo.Args(seed=1, total_timesteps=100_000, num_envs=64, num_steps=64, learning_rate=2.5e-3,
                    gamma=0.0, gae_lambda=0.0, eval_episodes=100, eval_seed=10_000, out=str(tmp_path / "ppo"),
                    verbose=False)
    result = ppo.train(args)
    random_f1 = ppo.evaluate(None, "PersonaDialog-Numeric-v0", episodes=100, seed=10_000)
    ppo_f1 = result["eval_f1"]
    assert ppo_f1 >= random_f1 + 0.15, f"PPO {ppo_f1:.3f} vs random {random_f1:.3f}"
    # the training curve went up too (sampled actions, so below the greedy evaluation)
    curve = [u["mean_final_profile_f1"] for u in result["metrics"]["updates"]]
    assert np.mean(curve[-3:]) > np.mean(curve[:3]) + 0.05
