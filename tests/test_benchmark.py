"""Trainers, trained agents, resume, the run logger and the benchmark harness (tiny budgets)."""

from __future__ import annotations

import csv
import json
import warnings
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
CONF = REPO / "conf"


@pytest.fixture(autouse=True)
def _no_wandb(monkeypatch):
    monkeypatch.setenv("WANDB_MODE", "disabled")


class _Interrupt(Exception):
    pass


def _interrupting(after_step: int):
    """A ``log_fn`` that stops training at the first row past ``after_step`` (like a Ctrl-C)."""
    seen = []

    def log_fn(row):
        seen.append(row["step"])
        if row["step"] > after_step:
            raise _Interrupt
    return log_fn, seen


def _steps(path: Path) -> list[int]:
    return [json.loads(l)["step"] for l in path.read_text().splitlines() if l.strip()]


def test_cleanrl_ppo_resume_is_continuous_and_matches_an_uninterrupted_run(tmp_path):
    from agents.trained import CleanPPOTrainer, read_metrics

    def trainer():
        return CleanPPOTrainer(num_envs=8, num_steps=16, checkpoint_every=256, progress=False)
    env_id, kw = "PersonaDialog-Numeric-v0", {"persona_split": "train"}
    full = trainer().train(env_id, kw, total_steps=1024, seed=3, out_dir=tmp_path / "full")
    log_fn, seen = _interrupting(after_step=512)        # checkpoints at 256, 512; dies at row 640
    with pytest.raises(_Interrupt):
        trainer().train(env_id, kw, total_steps=1024, seed=3, out_dir=tmp_path / "cut", log_fn=log_fn)
    assert _steps(tmp_path / "cut" / "metrics.jsonl")[-1] == 640  # a row past the last checkpoint
    replayed = []
    resumed = trainer().train(env_id, kw, total_steps=1024, seed=3, out_dir=tmp_path / "cut",
                              log_fn=replayed.append)
    steps = _steps(tmp_path / "cut" / "metrics.jsonl")
    assert steps == list(range(128, 1025, 128))                  # no lost or repeated rows
    assert [r["step"] for r in replayed] == steps                # the earlier rows were replayed
    a, b = read_metrics(tmp_path / "full"), read_metrics(tmp_path / "cut")
    np.testing.assert_allclose([r["mean_final_profile_f1"] for r in a], [r["mean_final_profile_f1"] for r in b])
    assert resumed.step == full.step == 1024
    # a finished run is not trained again
    again = trainer().train(env_id, kw, total_steps=1024, seed=3, out_dir=tmp_path / "cut")
    assert again.step == 1024 and _steps(tmp_path / "cut" / "metrics.jsonl") == steps


def test_sb3_resume_is_continuous(tmp_path):
    from agents.trained import SB3Trainer, load_trained

    def trainer():
        return SB3Trainer("a2c", n_envs=2, hyperparams={"n_steps": 8}, log_every=32, checkpoint_every=96,
                          progress=False)
    env_id, kw = "PersonaDialog-Numeric-v0", {"persona_split": "train"}
    log_fn, _ = _interrupting(after_step=100)
    with pytest.raises(_Interrupt):
        trainer().train(env_id, kw, total_steps=256, seed=0, out_dir=tmp_path / "a2c", log_fn=log_fn)
    agent = trainer().train(env_id, kw, total_steps=256, seed=0, out_dir=tmp_path / "a2c")
    steps = _steps(tmp_path / "a2c" / "metrics.jsonl")
    assert steps == sorted(set(steps)) and steps[0] == 32 and steps[-1] == 256
    assert all(b - a == 32 for a, b in zip(steps, steps[1:]))
    assert agent.step == 256 and load_trained(tmp_path / "a2c").step == 256


def test_resume_refuses_other_settings_and_missing_checkpoints(tmp_path):
    from agents.trained import CleanPPOTrainer, RunMismatchError, load_trained
    t = CleanPPOTrainer(num_envs=8, num_steps=16, progress=False)
    t.train("PersonaDialog-Numeric-v0", {}, total_steps=128, seed=0, out_dir=tmp_path / "r")
    other = CleanPPOTrainer(num_envs=8, num_steps=16, learning_rate=1e-2, progress=False)
    with pytest.raises(RunMismatchError, match="ppo_args.learning_rate"):
        other.train("PersonaDialog-Numeric-v0", {}, total_steps=128, seed=0, out_dir=tmp_path / "r")
    other.train("PersonaDialog-Numeric-v0", {}, total_steps=128, seed=0, out_dir=tmp_path / "r", resume=False)
    with pytest.raises(FileNotFoundError) as err:
        load_trained(tmp_path / "nothing_here")
    assert str(err.value) == f"checkpoint not found: {tmp_path / 'nothing_here'}"
    with pytest.raises(TypeError, match="no_such_arg"):
        CleanPPOTrainer(no_such_arg=1)


def test_dqn_agent_acts_like_its_flat_action_wrapper(tmp_path):
    """A DQN TrainedAgent in the plain numeric env takes exactly the actions the model takes through
    FlatDiscreteAction (the wrapper state is kept by the agent)."""
    from persona_env.wrappers_numeric import FlatDiscreteAction
    from stable_baselines3 import DQN

    from agents.registry import build_agent
    from agents.trained import SB3Trainer
    trainer = SB3Trainer("dqn", n_envs=1, hyperparams={"learning_starts": 32, "buffer_size": 500,
                                                       "exploration_fraction": 0.5}, progress=False)
    trainer.train("PersonaDialog-Numeric-v0", {}, total_steps=200, seed=0, out_dir=tmp_path / "dqn")
    env = gym.make("PersonaDialog-Numeric-Swap-v0")
    agent = build_agent("dqn", env, checkpoint=tmp_path / "dqn")
    model = DQN.load(next((tmp_path / "dqn" / "checkpoints").glob("step_*.zip")), device="cpu")
    wrapped = FlatDiscreteAction(gym.make("PersonaDialog-Numeric-Swap-v0"))
    for seed in (1, 2):
        obs, _ = env.reset(seed=seed)
        wobs, _ = wrapped.reset(seed=seed)
        agent.reset(seed)
        done = False
        while not done:
            a = agent.act(obs)
            d, _ = model.predict(wobs, deterministic=True)
            np.testing.assert_array_equal(a, wrapped.action(d))
            obs, _, te, tr, info = env.step(a)
            wobs, _, wte, wtr, winfo = wrapped.step(d)
            assert info["reward_terms"]["profile_f1"] == winfo["reward_terms"]["profile_f1"]
            done = te or tr
            assert done == (wte or wtr)


def test_run_logger_local_files_and_offline_wandb_without_a_key(tmp_path, monkeypatch):
    from persona_env.logging_utils import RunLogger
    from persona_env.metrics import EpisodeLog
    logs = [EpisodeLog([0.1, 0.2, np.nan], [0.5, 0.6, np.nan], [0.6, 0.8, np.nan], None, "heuristic", "static", 0),
            EpisodeLog([0.1, 0.2, 0.1], [0.5, 0.6, 0.7], [0.6, 0.8, 0.8], 2, "heuristic", "swap", 1, episode=3)]
    with RunLogger(tmp_path / "csv", {"a": 1}, None) as lg:
        lg.log({"step": 1, "x": 0.5})
        lg.log_episodes(logs)
        lg.log_turn_curves(logs)
        lg.log_dialogues([{"agent": "heuristic", "turn": 1, "text": "User: hi"}])
        lg.log_summary({"objective": 0.2})
        assert not lg.wandb_enabled
    rows = [json.loads(l) for l in (tmp_path / "csv" / "metrics.jsonl").read_text().splitlines()]
    assert rows[0] == {"kind": "train", "step": 1, "x": 0.5} and rows[1]["kind"] == "curve"
    eps = list(csv.DictReader(open(tmp_path / "csv" / "episodes.csv")))
    assert eps[0]["agent"] == "heuristic" and float(eps[0]["final_f1"]) == pytest.approx(0.2)
    # offline wandb: no API key anywhere
    monkeypatch.delenv("WANDB_MODE")
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="wandb")   # every wandb call works (failures only warn)
        with RunLogger(tmp_path / "wb", {"a": 1}, {"mode": "offline", "project": "t"}) as lg:
            assert lg.wandb_enabled
            lg.log({"step": 1, "x": 0.5})
            lg.log_episodes(logs)
            lg.log_turn_curves(logs)
            lg.log_dialogues([{"agent": "heuristic", "turn": 1, "text": "User: hi"}])
            lg.log_table("board", [{"agent": "a", "f1": 0.5, "curve": [0.1, None]}, {"agent": "b", "f1": None}])
            lg.log_summary({"objective": 0.2})
    assert list((tmp_path / "wb" / "wandb").glob("offline-run-*"))


def test_benchmark_tiny_preset(tmp_path):
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from experiments.benchmark import benchmark
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        cfg = compose("benchmark", overrides=["+preset=tiny", f"out_dir={tmp_path}"])
    result = benchmark(cfg)
    for f in ("leaderboard.md", "leaderboard.csv", "leaderboard.json", "paper_results.md", "timing.json",
              "figures/static_profile_f1.png", "figures/swap_profile_f1.png", "figures/learning_curves.png"):
        assert (tmp_path / f).exists(), f
    board = list(csv.DictReader(open(tmp_path / "leaderboard.csv")))
    assert {(r["agent"], r["scenario"]) for r in board} == {
        (a, s) for a in ("ppo", "cleanrl_ppo", "random", "heuristic", "oracle") for s in ("static", "swap")}
    paper = (tmp_path / "paper_results.md").read_text()
    for needle in ("## (a)", "cleanrl_ppo[profile_only]", "cleanrl_ppo[rlpa]", "## (b)", "| oracle |",
                   "## (c)", "F1 N-R²"):
        assert needle in paper, needle
    assert "| cleanrl_ppo |" in (tmp_path / "leaderboard.md").read_text()
    # re-running resumes every finished run instead of training again
    again = benchmark(cfg)
    assert again["timing"]["train_s"] < result["timing"]["train_s"] + 5
    assert all(t < 3 for t in again["timing"]["runs"].values())
