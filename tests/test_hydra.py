"""Hydra configs and apps: every config group option composes (and instantiates), a tiny training
run, a multirun with the basic sweeper, the Optuna preset, and one-line messages for bad input."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf

REPO = Path(__file__).resolve().parents[1]
CONF = REPO / "conf"
PY = sys.executable
GROUPS = ("env", "persona", "user", "reward", "agent", "logger", "experiment", "preset", "hparams_search",
          "launcher")
#: groups selected in a primary config's defaults list, per app
APP_GROUPS = {"train": ("env", "persona", "user", "reward", "agent", "logger"),
              "evaluate": ("persona", "user", "reward", "logger"),
              "benchmark": ("persona", "user", "reward", "logger")}
TINY_PPO = ["agent.total_steps=256", "agent.trainer.num_envs=8", "agent.trainer.num_steps=16",
            "eval.episodes=2", "eval.reps=20", "eval.n_dialogues=1", "progress=false"]


@pytest.fixture(autouse=True)
def _no_wandb(monkeypatch):
    monkeypatch.setenv("WANDB_MODE", "disabled")


def _compose(config_name: str, overrides: list[str], hydra_cfg: bool = False) -> DictConfig:
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        return compose(config_name=config_name, overrides=overrides, return_hydra_config=hydra_cfg)


def _options(group: str) -> list[str]:
    return sorted(p.stem for p in (CONF / group).glob("*.yaml"))


def _targets(node, path=""):
    """(path, node) of every config node with a ``_target_`` (outside ``hydra``)."""
    if isinstance(node, DictConfig):
        if "_target_" in node:
            yield path, node
        for k, v in node.items_ex(resolve=False):
            if path == "" and k == "hydra":
                continue
            yield from _targets(v, f"{path}.{k}" if path else str(k))


def _command(group: str, option: str) -> tuple[str, list[str]]:
    """The app and the ``+group=option`` override named in a preset file's header comment."""
    lines = (CONF / group / f"{option}.yaml").read_text().splitlines()
    header = []
    for line in lines:
        if not line.startswith("#"):
            break
        header.append(line)
    cmd = next((l for l in header if re.match(r"#\s+python experiments/\w+\.py", l)), None)
    assert cmd is not None, f"conf/{group}/{option}.yaml must start with a comment giving its command"
    app = re.search(r"experiments/(\w+)\.py", cmd).group(1)
    assert f"+{group}={option}" in cmd, f"conf/{group}/{option}.yaml: the command must select +{group}={option}"
    return app, [f"+{group}={option}"]


def test_every_group_option_composes_and_instantiates():
    from agents.trained import CleanPPOTrainer, SB3Trainer

    assert sorted(p.name for p in CONF.iterdir() if p.is_dir()) == sorted(GROUPS)
    seen = 0
    for app, groups in APP_GROUPS.items():
        for group in groups:
            for option in _options(group):
                cfg = _compose(app, [f"{group}={option}"])
                assert group in cfg, (app, group, option)
                for path, node in _targets(cfg):
                    obj = instantiate(node, progress=False) if "trainer" in path else instantiate(node)
                    assert obj is not None
                seen += 1
    # the agent trainers are the agents.trained trainers
    for option in ("ppo", "a2c", "dqn", "cleanrl_ppo"):
        trainer = instantiate(_compose("train", [f"agent={option}"]).agent.trainer)
        assert isinstance(trainer, CleanPPOTrainer if option == "cleanrl_ppo" else SB3Trainer)
        assert trainer.algo == option
    # presets: the app and override named in the file's first comment compose
    for group in ("experiment", "preset", "hparams_search", "launcher"):
        for option in _options(group):
            app, overrides = _command(group, option)
            cfg = _compose(app, overrides, hydra_cfg=group in ("hparams_search", "launcher"))
            for path, node in _targets(cfg):
                instantiate(node, progress=False) if "trainer" in path else instantiate(node)
            if group == "hparams_search":
                assert "optuna" in cfg.hydra.sweeper._target_.lower()
                assert cfg.hydra.sweeper.direction == "maximize"
                assert cfg.hydra.sweeper.params
                instantiate(cfg.hydra.sweeper.sampler)
            if group == "launcher":
                assert "joblib" in cfg.hydra.launcher._target_.lower() and cfg.hydra.launcher.n_jobs == 2
            seen += 1
    assert seen > 40


def test_config_values_match_the_code():
    from agents.registry import AGENT_NAMES, TEXT_BASELINES, TRAINED
    from persona_env.registration import ENV_IDS
    from persona_env.wrappers import PRESETS

    for option in _options("reward"):
        weights = dict(_compose("train", [f"reward={option}"]).reward.weights)
        assert weights == {**PRESETS[option], "invalid_action": 0.1}, option
    for option in _options("agent"):
        agent = _compose("train", [f"agent={option}"]).agent
        assert agent.name == option and agent.name in AGENT_NAMES
        assert agent.kind == ("trained" if option in TRAINED else "baseline")
        assert option in TRAINED or option in TEXT_BASELINES
    scenarios = {s for s, _ in ENV_IDS.values()}
    for option in _options("env"):
        env = _compose("train", [f"env={option}"]).env
        assert env.scenario in scenarios and env.mode in ("numeric", "text")
    assert scenarios <= set(_options("env"))


def test_agents_build_for_every_baseline_option():
    import gymnasium as gym

    from agents.registry import TRAINED, build_agent
    for option in _options("agent"):
        cfg = _compose("train", [f"agent={option}"])
        for mode, env_id in (("numeric", "PersonaDialog-Numeric-v0"), ("text", "PersonaDialog-v0")):
            env = gym.make(env_id)
            if option in TRAINED:
                with pytest.raises(ValueError, match="checkpoint"):
                    build_agent(cfg.agent.name, env)
            elif option == "mode" and mode == "numeric":
                with pytest.raises(ValueError, match="numeric"):
                    build_agent(cfg.agent.name, env)
            else:
                agent = build_agent(cfg.agent.name, env, seed=0)
                obs, _ = env.reset(seed=0)
                agent.reset(0)
                env.step(agent.act(obs))


def test_tiny_train_in_process_and_resume(tmp_path):
    """train.py's body, in-process: trains, evaluates, returns the objective; a second call with a
    larger budget resumes and the run's metrics stay continuous."""
    from experiments.train import train_and_evaluate
    out = tmp_path / "run"
    cfg = _compose("train", TINY_PPO + [f"out_dir={out}"])
    objective = train_and_evaluate(cfg)
    assert 0.0 <= objective <= 1.0
    for f in ("metrics.jsonl", "episodes.csv", "summary.json", "dialogues.md", "eval/metrics.md",
              "eval/metrics.csv", "eval/figures/static_profile_f1.png", "train/checkpoints/latest.json"):
        assert (out / f).exists(), f
    summary = json.loads((out / "summary.json").read_text())
    assert summary["objective"] == pytest.approx(objective)
    cfg = _compose("train", TINY_PPO + [f"out_dir={out}", "agent.total_steps=512"])
    train_and_evaluate(cfg)
    steps = [json.loads(l)["step"] for l in (out / "metrics.jsonl").read_text().splitlines()
             if json.loads(l)["kind"] == "train"]
    assert steps == sorted(set(steps)) and steps[-1] == 512 and 256 in steps


def _run(args: list[str], cwd: Path = REPO, timeout: int = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, WANDB_MODE="disabled", HYDRA_FULL_ERROR="0")
    return subprocess.run([PY] + args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def test_multirun_basic_sweeper(tmp_path):
    r = _run(["experiments/train.py", "-m", "seed=0,1", f"hydra.sweep.dir={tmp_path}", "agent=heuristic",
              "eval.episodes=2", "eval.reps=20", "eval.n_dialogues=0", "progress=false"])
    assert r.returncode == 0, r.stderr[-2000:]
    runs = sorted(p.name for p in tmp_path.iterdir() if p.is_dir())
    assert runs == ["0-heuristic-s0", "1-heuristic-s1"]
    for run in runs:
        assert json.loads((tmp_path / run / "summary.json").read_text())["objective"] >= 0


def test_optuna_preset_runs_two_trials(tmp_path):
    r = _run(["experiments/train.py", "+hparams_search=optuna", "hydra.sweeper.n_trials=2",
              f"hydra.sweep.dir={tmp_path}"] + TINY_PPO[:3] + ["eval.episodes=2", "eval.reps=20",
                                                              "eval.n_dialogues=0", "progress=false"])
    assert r.returncode == 0, r.stderr[-2000:]
    results = OmegaConf.load(tmp_path / "optimization_results.yaml")
    assert set(results.best_params) == {"agent.trainer.learning_rate", "agent.trainer.ent_coef"}
    assert 0.0 <= results.best_value <= 1.0


def _one_line_error(r: subprocess.CompletedProcess) -> str:
    assert r.returncode != 0
    lines = [l for l in r.stderr.strip().splitlines() if l.strip()]
    assert len(lines) == 1, r.stderr
    return lines[0]


def test_bad_input_stops_with_a_one_line_message(tmp_path):
    # an unknown group option: Hydra's own error names it
    r = _run(["experiments/train.py", "agent=no_such_agent"])
    assert r.returncode != 0 and "agent/no_such_agent" in r.stderr
    # a malformed persona file
    bad = tmp_path / "personas.jsonl"
    bad.write_text('{"id": "p1", "slots": {"age": "25-34"}\n')
    r = _run(["experiments/train.py", "persona=jsonl", f"persona.pool={bad}", f"hydra.run.dir={tmp_path / 'r1'}"])
    line = _one_line_error(r)
    assert "malformed persona file" in line and str(bad) in line and ":1:" in line
    # a missing checkpoint
    missing = tmp_path / "no_run"
    r = _run(["experiments/evaluate.py", "agents=[ppo]", f"checkpoints.ppo={missing}", f"out_dir={tmp_path / 'e'}"])
    line = _one_line_error(r)
    assert "checkpoint not found" in line and str(missing) in line


def test_bad_input_in_process(tmp_path):
    from experiments.evaluate import UsageError, evaluate
    from experiments.train import train_and_evaluate
    cases = [
        ("train", ["agent=ppo", "+agent.trainer.bogus=1"], "bogus"),
        ("train", ["agent=mode"], "mode"),                        # the text-only baseline in the numeric env
        ("train", ["persona=jsonl"], "persona.pool"),
        ("train", ["persona=jsonl", f"persona.pool={tmp_path / 'nope.jsonl'}"], "persona file not found"),
        ("evaluate", ["agents=[no_such]"], "unknown agent 'no_such'"),
        ("evaluate", ["agents=[dqn]"], "checkpoints.dqn"),
        ("evaluate", ["scenarios=[nowhere]"], "unknown scenario 'nowhere'"),
    ]
    for app, overrides, needle in cases:
        cfg = _compose(app, overrides + [f"out_dir={tmp_path / 'o'}", "progress=false"])
        with pytest.raises(UsageError) as err:
            (train_and_evaluate if app == "train" else evaluate)(cfg)
        msg = str(err.value)
        assert needle in msg and "\n" not in msg, msg
