"""persona_env.metrics and persona_env.plots: exact values, edge cases, a small env run."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import scipy.stats

from persona_env import metrics as M
from persona_env.metrics import (EpisodeLog, al_curve, aloe_summary, episode_return, iqm, iqm_ci,
                                 save, score_matrix, summarise, swap_recovery, to_markdown,
                                 turns_to_threshold)

REPS = 200


# ------------------------------------------------------------------ AL curve and ALOE summary
def test_al_curve_nanmean_per_turn():
    scores = np.array([[1.0, 2.0, np.nan],
                       [3.0, np.nan, np.nan]])
    al = al_curve(scores)
    assert al[:2] == pytest.approx([2.0, 2.0])
    assert np.isnan(al[2])


def test_aloe_linear_curve_exact():
    # y = [0, 1/3, 2/3, 1] against x = k = 1..4: slope 1/3, perfect fit
    out = aloe_summary(np.array([1.0, 2.0, 3.0, 4.0]))
    assert out["AVG"] == pytest.approx(2.5)
    assert out["N_IR"] == pytest.approx(1 / 3)
    assert out["N_R2"] == pytest.approx(1.0)


def test_aloe_decreasing_curve():
    out = aloe_summary(np.array([4.0, 3.0, 2.0, 1.0]))
    assert out["N_IR"] == pytest.approx(-1 / 3)
    assert out["N_R2"] == pytest.approx(1.0)


def test_aloe_nonlinear_curve_by_hand_and_polyfit():
    al = np.array([0.0, 1.0, 4.0, 9.0])
    out = aloe_summary(al)
    # by hand: y = [0, 1, 4, 9]/9, slope = (5/3)/5 = 1/3, SS_res = 4/81, SS_tot = 49/81
    assert out["AVG"] == pytest.approx(3.5)
    assert out["N_IR"] == pytest.approx(1 / 3)
    assert out["N_R2"] == pytest.approx(45 / 49)
    # independent check with numpy.polyfit
    k = np.arange(1, 5, dtype=float)
    y = (al - al.min()) / (al.max() - al.min())
    slope, intercept = np.polyfit(k, y, 1)
    r2 = 1 - ((y - (slope * k + intercept)) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    assert out["N_IR"] == pytest.approx(slope)
    assert out["N_R2"] == pytest.approx(r2)


def test_aloe_random_curve_matches_polyfit():
    rng = np.random.default_rng(0)
    al = rng.random(10)
    out = aloe_summary(al)
    k = np.arange(1, 11, dtype=float)
    y = (al - al.min()) / (al.max() - al.min())
    slope, intercept = np.polyfit(k, y, 1)
    r2 = 1 - ((y - (slope * k + intercept)) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    assert out["AVG"] == pytest.approx(al.mean())
    assert out["N_IR"] == pytest.approx(slope)
    assert out["N_R2"] == pytest.approx(r2)


def test_aloe_constant_and_degenerate_curves():
    assert aloe_summary(np.full(5, 0.7)) == pytest.approx({"AVG": 0.7, "N_IR": 0.0, "N_R2": 0.0})
    assert aloe_summary(np.array([0.3])) == pytest.approx({"AVG": 0.3, "N_IR": 0.0, "N_R2": 0.0})
    nan = aloe_summary(np.full(3, np.nan))
    assert all(math.isnan(v) for v in nan.values())


def test_aloe_skips_nan_turns_keeping_k():
    out = aloe_summary(np.array([1.0, np.nan, 3.0]))   # x = [1, 3], y = [0, 1]
    assert out["AVG"] == pytest.approx(2.0)
    assert out["N_IR"] == pytest.approx(0.5)
    assert out["N_R2"] == pytest.approx(1.0)


# ------------------------------------------------------------------ milestones
def test_turns_to_threshold_edges():
    f1 = np.array([0.1, 0.5, 0.9])
    assert turns_to_threshold(f1, 0.5) == 2            # >= is inclusive, turns are 1-based
    assert turns_to_threshold(f1, 0.05) == 1
    assert turns_to_threshold(f1, 0.95) is None
    assert turns_to_threshold(np.array([np.nan, 0.2, 0.8, np.nan]), 0.8) == 3
    assert turns_to_threshold(np.full(4, np.nan), 0.0) is None
    assert turns_to_threshold(np.array([]), 0.5) is None


def test_swap_recovery_crafted_curve():
    f1 = np.array([0.1, 0.3, 0.5, 0.7, 0.8, 0.2, 0.4, 0.6, 0.85, 0.9])
    rec = swap_recovery(f1, swap_turn=6)
    assert rec["before"] == pytest.approx(0.8)
    assert rec["at_swap"] == pytest.approx(0.2)
    assert rec["drop"] == pytest.approx(0.6)
    assert rec["recovered_turn"] == 9
    assert rec["turns_to_recover"] == 3
    # a window of 2 turns after the swap is too short
    short = swap_recovery(f1, swap_turn=6, window=2)
    assert short["recovered_turn"] is None and short["turns_to_recover"] is None
    assert swap_recovery(f1, swap_turn=6, window=3)["turns_to_recover"] == 3
    # tolerance: 0.6 >= 0.8 - 0.25 at turn 8
    assert swap_recovery(f1, swap_turn=6, tol=0.25)["recovered_turn"] == 8


def test_swap_recovery_no_drop_never_and_invalid():
    no_drop = swap_recovery(np.array([0.2, 0.4, 0.5, 0.6]), swap_turn=3)
    assert no_drop["drop"] == pytest.approx(-0.1)
    assert no_drop["recovered_turn"] == 3 and no_drop["turns_to_recover"] == 0
    never = swap_recovery(np.array([0.9, 0.9, 0.1, 0.2, np.nan]), swap_turn=3)
    assert never["recovered_turn"] is None and never["drop"] == pytest.approx(0.8)
    left = swap_recovery(np.array([0.5, np.nan, np.nan]), swap_turn=3)
    assert math.isnan(left["before"]) and left["recovered_turn"] is None
    with pytest.raises(ValueError):
        swap_recovery(np.array([0.1, 0.2]), swap_turn=1)
    with pytest.raises(ValueError):
        swap_recovery(np.array([0.1, 0.2]), swap_turn=3)


def test_episode_return_ignores_unplayed_turns():
    assert episode_return(np.array([1.0, 0.5, np.nan])) == pytest.approx(1.5)


# ------------------------------------------------------------------ IQM and bootstrap CI
def test_iqm_matches_scipy_trim_mean():
    x = np.arange(1.0, 9.0)                             # trims 1, 2 and 7, 8 -> mean(3..6)
    assert iqm(x) == pytest.approx(4.5)
    assert iqm(x) == pytest.approx(scipy.stats.trim_mean(x, 0.25))
    grid = np.random.default_rng(1).random((4, 5))
    assert iqm(grid) == pytest.approx(scipy.stats.trim_mean(grid.ravel(), 0.25))


def test_iqm_ci_contains_point_and_is_reproducible():
    x = np.random.default_rng(2).normal(size=40)
    state = np.random.get_state()
    point, lo, hi = iqm_ci(x, reps=REPS, seed=3)
    assert point == pytest.approx(scipy.stats.trim_mean(x, 0.25))
    assert lo <= point <= hi and lo < hi
    assert iqm_ci(x, reps=REPS, seed=3) == (point, lo, hi)
    # the global NumPy generator is left as it was
    after = np.random.get_state()
    assert after[0] == state[0] and np.array_equal(after[1], state[1]) and after[2:] == state[2:]
    # grid layout (runs x tasks) and degenerate inputs
    p2, lo2, hi2 = iqm_ci(np.arange(12.0).reshape(3, 4), reps=REPS)
    assert lo2 <= p2 <= hi2
    assert iqm_ci(np.array([0.4]), reps=REPS) == pytest.approx((0.4, 0.4, 0.4))
    assert all(math.isnan(v) for v in iqm_ci(np.array([]), reps=REPS))


def test_score_matrix_layout():
    # complete grid: runs = seeds (rows), tasks = episodes (columns)
    seeds, episodes = [1, 0, 1, 0], [0, 1, 1, 0]
    mat = score_matrix([10.0, 1.0, 11.0, 0.0], seeds, episodes)
    assert mat.tolist() == [[0.0, 1.0], [10.0, 11.0]]
    # no episode ids: one task, one run per episode (sorted by seed); NaNs dropped
    flat = score_matrix([3.0, np.nan, 1.0], [2, 1, 0], [None, None, None])
    assert flat.shape == (2, 1) and flat[:, 0].tolist() == [1.0, 3.0]


# ------------------------------------------------------------------ episode logs
def _infos(f1, resp, fp=0.0):
    steps = [{"reward_terms": {"profile_f1": a, "response_score": b, "format_penalty": fp},
              "turn": i + 1} for i, (a, b) in enumerate(zip(f1, resp))]
    return [{"timeline": {}, "turn": 0}] + steps       # the reset info is skipped


def test_from_infos_pads_early_quit_and_computes_reward():
    log = EpisodeLog.from_infos(_infos([0.2, 0.4, 0.6], [0.5, 0.5, 1.0], fp=-0.2), max_turns=5,
                                swap_turn=None, agent="a", scenario="static", seed=7)
    assert log.max_turns == 5 and log.n_turns == 3
    assert log.profile_f1[:3] == pytest.approx([0.2, 0.4, 0.6])
    assert np.isnan(log.profile_f1[3:]).all() and np.isnan(log.response_score[3:]).all()
    assert log.reward[:3] == pytest.approx([0.5, 0.7, 1.4])   # f1 + response + format_penalty
    assert episode_return(log.reward) == pytest.approx(2.6)
    given = EpisodeLog.from_infos(_infos([0.2], [0.5]), 3, None, "a", "static", 0, rewards=[9.0])
    assert given.reward[0] == 9.0
    with pytest.raises(ValueError):
        EpisodeLog.from_infos(_infos([0.1] * 4, [0.1] * 4), 3, None, "a", "static", 0)
    with pytest.raises(ValueError):
        log.profile_f1[0] = 1.0                          # read-only arrays


def test_swap_turn_from_timeline():
    assert M.swap_turn_from_timeline({"events": [{"turn": 6, "kind": "swap"}]}) == 6
    assert M.swap_turn_from_timeline({"events": [{"turn": 4, "kind": "drift"}]}) is None
    assert M.swap_turn_from_timeline(None) is None


# ------------------------------------------------------------------ summarise / markdown / save
def _synthetic_logs(seed=0, n=12, T=10, swap=6):
    rng = np.random.default_rng(seed)
    logs = []
    for agent, rate in (("good", 0.15), ("weak", 0.05)):
        for ep in range(n):
            k = np.arange(1, T + 1)
            f1 = np.clip(rate * k + rng.normal(0, 0.05, T), 0, 1)
            f1[swap - 1:] = np.clip(rate * (k[swap - 1:] - swap + 1) + rng.normal(0, 0.05, T - swap + 1), 0, 1)
            resp = np.clip(0.5 + 0.03 * k + rng.normal(0, 0.05, T), 0, 1)
            if agent == "weak" and ep == 0:              # this user left after turn 4
                f1[4:], resp[4:] = np.nan, np.nan
            logs.append(EpisodeLog(f1, resp, f1 + resp, swap, agent, "swap", ep))
    return logs


def test_summarise_synthetic_logs():
    logs = _synthetic_logs()
    df = summarise(logs, reps=REPS, seed=0)
    assert list(df["agent"]) == ["good", "weak"] and set(df["scenario"]) == {"swap"}
    good = df.iloc[0]
    glogs = [log for log in logs if log.agent == "good"]
    assert good["n_episodes"] == 12 and good["swap_turn"] == 6
    # pooled ALOE numbers are aloe_summary of the AL curve
    al = al_curve(np.stack([log.response_score for log in glogs]))
    ref = aloe_summary(al)
    assert good["response_AVG"] == pytest.approx(ref["AVG"])
    assert good["response_N_IR"] == pytest.approx(ref["N_IR"])
    assert good["response_N_R2"] == pytest.approx(ref["N_R2"])
    f1_ref = aloe_summary(al_curve(np.stack([log.profile_f1 for log in glogs])))
    assert good["f1_N_IR"] == pytest.approx(f1_ref["N_IR"])
    # per-episode aggregates: plain mean, IQM (= trimmed mean), CI around it
    final = np.array([log.profile_f1[-1] for log in glogs])
    assert good["final_f1"] == pytest.approx(final.mean())
    assert good["final_f1_iqm"] == pytest.approx(scipy.stats.trim_mean(final, 0.25))
    returns = np.array([np.nansum(log.reward) for log in glogs])
    assert good["return"] == pytest.approx(returns.mean())
    for name in ("final_f1", "return", "swap_drop", "response_N_IR", "f1_AVG"):
        assert good[f"{name}_ci_low"] <= good[f"{name}_iqm"] <= good[f"{name}_ci_high"]
    # thresholds: mean over the episodes that got there, plus the reached fraction
    t05 = [turns_to_threshold(log.profile_f1, 0.5) for log in glogs]
    reached = [t for t in t05 if t is not None]
    assert good["reached_f1_0.5"] == pytest.approx(len(reached) / len(t05))
    assert good["turns_to_f1_0.5"] == pytest.approx(np.mean(reached))
    drops = [swap_recovery(log.profile_f1, 6)["drop"] for log in glogs]
    assert good["swap_drop"] == pytest.approx(np.mean(drops))
    assert 0.0 <= good["swap_recovered"] <= 1.0
    # the early-quit episode: final F1 is the last turn played, length 4
    weak = df.iloc[1]
    assert weak["length"] == pytest.approx((4 + 11 * 10) / 12)
    wfinal = [M.final_value(log.profile_f1) for log in logs if log.agent == "weak"]
    assert weak["final_f1"] == pytest.approx(np.mean(wfinal))
    assert np.isfinite(weak["response_AVG"]) and np.isfinite(weak["f1_N_IR"])  # despite NaN turns
    assert good["final_f1"] > weak["final_f1"]
    # deterministic with a fixed seed
    again = summarise(logs, reps=REPS, seed=0)
    assert again["final_f1_ci_low"].tolist() == df["final_f1_ci_low"].tolist()
    rows = summarise(logs, reps=REPS, as_frame=False)
    assert isinstance(rows, list) and rows[0]["agent"] == "good"


def test_summarise_grid_layout_and_no_swap():
    rng = np.random.default_rng(5)
    logs = [EpisodeLog(rng.random(4), rng.random(4), rng.random(4), None, "a", "static", s, e)
            for s in range(3) for e in range(4)]
    row = summarise(logs, reps=REPS, as_frame=False)[0]
    assert row["n_seeds"] == 3 and row["n_tasks"] == 4 and row["swap_turn"] is None
    assert "swap_drop" not in row
    final = np.array([log.profile_f1[-1] for log in logs])
    assert row["final_f1_iqm"] == pytest.approx(scipy.stats.trim_mean(final, 0.25))


def test_markdown_and_save(tmp_path):
    df = summarise(_synthetic_logs(n=6), reps=REPS)
    md = to_markdown(df)
    lines = md.splitlines()
    assert lines[0].startswith("| agent | scenario |") and "final F1" in lines[0]
    assert set(lines[1]) <= set("|-") and len(lines) == 2 + len(df)
    assert lines[2].startswith("| good | swap |")
    custom = to_markdown(df.to_dict(orient="records"), columns=["agent", "final_f1"])
    assert custom.splitlines()[0] == "| agent | final_f1 |"
    paths = save(df, tmp_path / "out")
    assert paths["csv"].stat().st_size > 0
    data = json.loads(paths["json"].read_text())
    assert len(data) == 2 and data[0]["agent"] == "good" and len(data[0]["f1_curve"]) == 10
    header = paths["csv"].read_text().splitlines()[0].split(",")
    assert "final_f1_iqm" in header and "response_N_IR" in header


# ------------------------------------------------------------------ plots
def _is_png(path):
    data = path.read_bytes()
    return len(data) > 1000 and data[:8] == b"\x89PNG\r\n\x1a\n"


def test_plots_write_pngs(tmp_path):
    from persona_env.plots import plot_learning_curves, plot_turn_curves
    logs = _synthetic_logs(n=5)
    out = plot_turn_curves(logs, "profile_f1", tmp_path / "f1.png", reps=100)
    assert out == tmp_path / "f1.png" and _is_png(out)
    assert _is_png(plot_turn_curves(logs, "response_score", tmp_path / "sub" / "resp.png", reps=100))
    with pytest.raises(ValueError):
        plot_turn_curves(logs, "nope", tmp_path / "x.png")
    steps = np.arange(0, 5000, 500)
    curves = {"ppo": (steps, np.random.default_rng(0).random((3, len(steps)))),
              "random": (steps, np.full(len(steps), 0.2))}
    out = plot_learning_curves(curves, tmp_path / "learn.png", reps=100)
    assert _is_png(out)


# ------------------------------------------------------------------ a real env run
def test_swap_env_belief_agent_integration(tmp_path):
    import gymnasium as gym

    import persona_env  # noqa: F401
    from agents import BeliefAgent

    env = gym.make("PersonaDialog-Swap-v0")
    agent = BeliefAgent()
    logs = []
    for seed in range(2):
        obs, info = env.reset(seed=seed)
        agent.reset(seed)
        infos, rewards, done = [], [], False
        while not done:
            obs, reward, terminated, truncated, info = env.step(agent.act(obs))
            infos.append(info)
            rewards.append(reward)
            done = terminated or truncated
        swap = M.swap_turn_from_timeline(info["timeline"])
        assert swap == 6
        log = EpisodeLog.from_infos(infos, max_turns=10, swap_turn=swap, agent="oracle",
                                    scenario="swap", seed=seed, rewards=rewards)
        assert log.reward[:len(rewards)] == pytest.approx(rewards)
        logs.append(log)
    # the helper gives the same log
    again = M.collect_episode(env, BeliefAgent(), 0, agent_name="oracle", scenario="swap")
    np.testing.assert_allclose(again.profile_f1, logs[0].profile_f1, equal_nan=True)
    assert again.swap_turn == 6
    env.close()
    df = summarise(logs, reps=REPS)
    assert len(df) == 1 and df.loc[0, "n_episodes"] == 2
    assert 0.0 <= df.loc[0, "final_f1"] <= 1.0 and np.isfinite(df.loc[0, "swap_drop"])
    assert "| oracle | swap |" in to_markdown(df)
