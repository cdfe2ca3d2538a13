"""ALOE personas through the rule simulator: extracted slots kept, the rest imputed coherently."""

from __future__ import annotations

import math
from pathlib import Path

import gymnasium as gym
import pytest

import persona_env  # noqa: F401
from persona_env.aloe import aloe_pool, load_aloe
from persona_env.generator import violated_rules

SAMPLE = Path(__file__).parent / "data" / "aloe_sample"
REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "aloe"


def test_pool_keeps_what_was_extracted_and_is_seeded():
    texts = load_aloe(SAMPLE / "profile.jsonl", SAMPLE / "personality.jsonl")
    pool = aloe_pool(SAMPLE)
    assert [p.persona_id for p in pool] == [t.persona_id for t in texts]
    for persona, text in zip(pool, texts):
        for slot, values in text.slot_values.items():
            assert persona.values[slot] == tuple(values[: persona.schema.slot(slot).max_items])
    assert [p.values for p in aloe_pool(SAMPLE)] == [p.values for p in pool]
    assert [p.values for p in aloe_pool(SAMPLE, seed=1)] != [p.values for p in pool]


def test_the_env_runs_on_aloe_personas():
    env = gym.make("PersonaDialog-v0", pool=aloe_pool(SAMPLE))
    obs, info = env.reset(seed=0)
    assert info["timeline"]["segments"][0]["persona_id"].startswith("aloe-")
    _, reward, *_ = env.step({"profile": "- Occupation: nurse", "reply": "For dinner, a lentil soup."})
    assert math.isfinite(reward)


@pytest.mark.skipif(not REAL.exists(), reason="the real ALOE data lives in ../shared/data/aloe")
def test_real_aloe_pool_is_mostly_coherent():
    pool = aloe_pool(REAL)
    assert len(pool) == 331
    incoherent = sum(bool(violated_rules(p)) for p in pool)
    assert incoherent <= 10, f"{incoherent} personas break a coherence rule (extracted facts that clash)"
