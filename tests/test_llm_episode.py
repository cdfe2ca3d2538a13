"""The Hydra preset that runs a whole episode with LLM user, assistant and judges (tiny model)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("transformers")
pytest.importorskip("hydra")

ROOT = Path(__file__).resolve().parents[1]


def test_llm_episode_preset_runs_on_the_tiny_model(tmp_path):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "WANDB_MODE": "disabled"}
    run = subprocess.run([sys.executable, str(ROOT / "experiments" / "llm_episode.py"), "max_turns=2",
                          "assistant.prompting=self_critic", f"out_dir={tmp_path}"],
                         capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    episode = json.loads((tmp_path / "episode.json").read_text())
    assert len(episode["turns"]) == 2
    for turn in episode["turns"]:
        terms = turn["terms"]
        assert {"profile_f1", "response_score", "response_llm", "response_llm_missing",
                "profile_llm_f1", "profile_llm_missing"} <= set(terms)
        # an LLM verdict is either a score in [0, 1] or flagged missing (0 with the flag), never silent
        assert 0.0 <= terms["response_llm"] <= 1.0 and terms["response_llm_missing"] in (0.0, 1.0)
    assert episode["llm_judge_missing"] == sum(t["terms"]["response_llm_missing"] for t in episode["turns"])
    assert episode["messages"][0]["role"] == "user"
