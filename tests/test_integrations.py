"""RL-library integrations: SB3 (check_env, PPO/A2C/DQN), Tianshou's Collector, TorchRL's GymWrapper.

Needs the ``rl`` extra (skipped without it). Budgets are tiny: these check that the envs plug in,
not that anything learns. The helpers of ``experiments/train_sb3.py``, ``collect_tianshou.py`` and
``collect_torchrl.py`` are imported from the scripts so the scripts stay tested.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("stable_baselines3")
pytest.importorskip("tianshou")
pytest.importorskip("torchrl")

import gymnasium as gym  # noqa: E402
from stable_baselines3 import PPO  # noqa: E402
from stable_baselines3.common.env_checker import check_env  # noqa: E402
from stable_baselines3.common.env_util import make_vec_env  # noqa: E402

import persona_env  # noqa: E402,F401
from persona_env.core import TERM_NAMES  # noqa: E402
from persona_env.wrappers_numeric import DEFAULT_STYLE, FlatDiscreteAction, StackableInfo  # noqa: E402

EXPERIMENTS = Path(__file__).resolve().parents[1] / "experiments"
NUMERIC = "PersonaDialog-Numeric-v0"


def _load(name: str):
    """Import ``experiments/<name>.py`` as a module (the folder is not a package)."""
    mod_name = f"experiments_{name}"
    if mod_name in sys.modules:
        return sys.modules[mod_name]
    spec = importlib.util.spec_from_file_location(mod_name, EXPERIMENTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[mod_name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """Tiny networks: extra intra-op threads only contend with the env (and other processes)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


# ---------------------------------------------------------------------- FlatDiscreteAction
@pytest.fixture(scope="module")
def flat_env():
    return FlatDiscreteAction(gym.make(NUMERIC))


def test_flat_action_table(flat_env):
    spec = flat_env.numeric_spec
    n_set = int((spec.nvec[: spec.n_guess] - 1).sum())
    K = 1 + n_set + spec.n_guess + spec.n_slots + int(spec.recommendable.sum())
    assert flat_env.action_space == gym.spaces.Discrete(K)
    assert K <= 400
    assert flat_env.n_set == n_set
    assert flat_env.observation_space.shape == (spec.obs_size + n_set,)
    assert flat_env.describe(0) == "keep the guess"
    assert flat_env.describe(1).startswith("set age = ")
    assert flat_env.describe(n_set + 1) == "clear age"
    assert flat_env.describe(n_set + spec.n_guess + 1) == "ask about age"
    assert flat_env.describe(K - 1).startswith("recommend using the guess of ")
    # every "set" action names a distinct (entry, value) pair
    table = flat_env.table
    pairs = set(zip(table["entry"][1:n_set + 1].tolist(), table["value"][1:n_set + 1].tolist()))
    assert len(pairs) == n_set and all(v > 0 for _, v in pairs)


def test_flat_action_keeps_its_own_guess(flat_env):
    spec = flat_env.numeric_spec
    obs, _ = flat_env.reset(seed=0)
    assert not obs[spec.obs_size:].any()
    # not an oracle: "keep" after reset sends an all-unknown guess, whatever the cues say
    md = flat_env.action(0)
    assert (md[: spec.n_guess] == 0).all() and md[spec.n_guess] == 0
    assert md[spec.n_guess + 1:].tolist() == list(DEFAULT_STYLE)
    set_age = 3                                    # age := its 3rd value
    obs, *_ = flat_env.step(set_age)
    assert flat_env.guess[0] == 3 and flat_env.guess[1:].sum() == 0
    assert obs[spec.obs_size + set_age - 1] == 1 and obs[spec.obs_size:].sum() == 1
    ask = 1 + flat_env.n_set + spec.n_guess + 2    # ask about slot 2 (keeps the guess)
    md = flat_env.action(ask)
    assert md[0] == 3 and md[spec.n_guess] == 1 + 2
    obs, *_ = flat_env.step(ask)
    assert flat_env.guess[0] == 3
    obs, *_ = flat_env.step(1 + flat_env.n_set)    # clear age
    assert flat_env.guess.sum() == 0 and not obs[spec.obs_size:].any()
    flat_env.step(set_age)
    flat_env.reset(seed=1)
    assert flat_env.guess.sum() == 0


def test_flat_action_edits_score_like_the_guess_they_build(flat_env):
    """A test-side oracle (it reads the truth from reset's info) that only uses "set" actions
    reaches a clearly positive F1: the table maps actions to the right (slot, value) pairs."""
    spec = flat_env.numeric_spec
    _, info = flat_env.reset(seed=0)
    persona = info["timeline"]["segments"][0]["persona"]
    edits = []
    for k, slot in enumerate(spec.schema.slots):
        values = persona[slot.name] if isinstance(persona[slot.name], list) else [persona[slot.name]]
        for j, v in enumerate(values[: slot.max_items]):
            entry = int(spec.first_entry[k]) + j
            edits.append(1 + int(flat_env._set_offset[entry]) + slot.values.index(v))
    assert all(flat_env.describe(a).startswith("set ") for a in edits)
    done, t = False, 0
    while not done:
        _, _, terminated, truncated, info = flat_env.step(edits[t] if t < len(edits) else 0)
        done, t = terminated or truncated, t + 1
        assert info["reward_terms"]["profile_precision"] == pytest.approx(1.0)   # only true items set
    assert info["reward_terms"]["profile_f1"] > 0.3


def test_flat_action_masks(flat_env):
    flat_env.reset(seed=0)
    mask = flat_env.action_masks()
    rec = flat_env.table["act"] > flat_env.numeric_spec.n_slots
    assert mask.shape == (flat_env.action_space.n,) and mask[~rec].all() and not mask[rec].any()


def test_stackable_info_has_fixed_numeric_keys():
    env = StackableInfo(gym.make(NUMERIC))
    _, info0 = env.reset(seed=0)
    _, _, _, _, info1 = env.step(env.action_space.sample())
    assert info0.keys() == info1.keys() and set(info1["reward_terms"]) == set(TERM_NAMES)
    assert info1["turn"] == 1 and isinstance(info1["user_reaction"], int)


# ---------------------------------------------------------------------- bad actions
BAD_NUMERIC = {
    "wrong shape": np.zeros(3, dtype=np.int64),
    "batched shape": np.zeros((1, 31), dtype=np.int64),
    "nan": np.full(31, np.nan),
    "out of range": np.full(31, 99, dtype=np.int64),
    "negative": np.full(31, -1, dtype=np.int64),
    "fractional": np.full(31, 0.5),
}


@pytest.mark.parametrize("bad", list(BAD_NUMERIC), ids=list(BAD_NUMERIC))
def test_bad_numeric_action_raises_naming_the_space(bad):
    env = gym.make(NUMERIC)
    env.reset(seed=0)
    with pytest.raises(ValueError, match="MultiDiscrete"):
        env.step(BAD_NUMERIC[bad])


@pytest.mark.parametrize("bad", [267, -1, np.nan, 1.5, np.array([1, 2]), "3"], ids=str)
def test_bad_flat_action_raises_naming_the_space(flat_env, bad):
    flat_env.reset(seed=0)
    with pytest.raises(ValueError, match=r"Discrete\(267\)"):
        flat_env.step(bad)


# ---------------------------------------------------------------------- SB3
@pytest.mark.parametrize("env_id", [NUMERIC, "PersonaDialog-NumericLatest-v0"])
def test_sb3_check_env(env_id):
    check_env(gym.make(env_id), warn=True)


def test_sb3_check_env_flat():
    check_env(FlatDiscreteAction(gym.make(NUMERIC)), warn=True)
    check_env(FlatDiscreteAction(gym.make(NUMERIC), observe_guess=False), warn=True)


@pytest.mark.parametrize("algo", ["ppo", "a2c", "dqn"])
def test_sb3_learn_and_predict(algo):
    train_sb3 = _load("train_sb3")
    model = train_sb3.build_model(algo, NUMERIC, n_envs=2, seed=0, steps=256)
    model.learn(total_timesteps=256)
    assert model.num_timesteps >= 256
    env = train_sb3.make_env(NUMERIC, algo)
    obs, _ = env.reset(seed=0)
    action, _ = model.predict(obs, deterministic=True)
    assert env.action_space.contains(action if algo != "dqn" else int(action))
    scores = train_sb3.evaluate(env, lambda o: model.predict(o, deterministic=True)[0], episodes=1, seed0=123)
    assert 0.0 <= scores["profile_f1_last"] <= 1.0


def test_sb3_ppo_on_the_plain_env_id():
    """Without the script: SB3's usual make_vec_env over a callable and a MultiDiscrete PPO."""
    venv = make_vec_env(lambda: gym.make("PersonaDialog-NumericLatest-v0"), n_envs=2, seed=1)
    model = PPO("MlpPolicy", venv, n_steps=32, batch_size=32, n_epochs=1, seed=1, device="cpu")
    model.learn(total_timesteps=64)
    actions, _ = model.predict(venv.reset())
    assert actions.shape == (2, 31)


# ---------------------------------------------------------------------- Tianshou
@pytest.mark.parametrize("flat", [False, True], ids=["multidiscrete", "flat"])
def test_tianshou_collector_collects(flat):
    collect = _load("collect_tianshou")
    collector, buffer = collect.build_collector(NUMERIC, n_envs=2, buffer_size=200, seed=0, flat=flat)
    stats = collector.collect(n_step=40)
    assert stats.n_collected_steps == 40 and len(buffer) == 40
    stats = collector.collect(n_episode=2)
    assert stats.n_collected_episodes == 2
    data = buffer[buffer.sample_indices(0)]
    f1 = np.asarray(data.info.reward_terms.profile_f1)
    assert f1.shape == (len(buffer),) and ((0 <= f1) & (f1 <= 1)).all()
    assert data.act.shape == ((len(buffer),) if flat else (len(buffer), 31))
    collector.close()


# ---------------------------------------------------------------------- TorchRL
def test_torchrl_numeric_rollout():
    collect = _load("collect_torchrl")
    env = collect.numeric_env(NUMERIC, seed=0)
    td = env.rollout(12, break_when_any_done=False)
    assert td.batch_size == (12,)
    assert td["action"].shape == (12, 31)
    assert td["observation"].shape == (12, env.observation_spec["observation"].shape[-1])
    assert td["next", "done"].any()                       # a 10-turn episode ended and restarted
    f1 = td["next", "profile_f1"]
    assert f1.shape == (12,) and ((0 <= f1) & (f1 <= 1)).all()


def test_torchrl_text_rollout():
    collect = _load("collect_torchrl")
    env = collect.text_env("PersonaDialog-v0", seed=0)
    td = env.rollout(3, collect.scripted_text_policy)
    assert td.batch_size == (3,)
    dialogue = td["next", "dialogue"]
    assert len(dialogue) == 3 and all(isinstance(d, str) for d in dialogue)
    assert "lentil" in dialogue[0] or "omelette" in dialogue[0]     # the reply reached the env
    assert td["profile"][0].startswith("- Diet")
    assert td["next", "response_score"].shape == (3,)


def test_torchrl_gymenv_by_id():
    # TorchRL passes frameskip=1 and retries without it on Python's "unexpected keyword" wording
    from torchrl.envs import GymEnv

    env = GymEnv(NUMERIC)
    assert env.rollout(2).batch_size == (2,)
