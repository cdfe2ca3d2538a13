"""Trainers and loaders for learned agents on the numeric env, behind one small protocol.

Two trainers, both usable from Hydra through ``_target_`` (see ``conf/agent/*.yaml``)::

    trainer = SB3Trainer(algo="ppo", n_envs=4, hyperparams={"learning_rate": 3e-4})
    trainer = CleanPPOTrainer(num_envs=32, learning_rate=2.5e-3)      # experiments/ppo.py's Args
    agent = trainer.train("PersonaDialog-Numeric-v0", {"persona_split": "train"}, total_steps=20_000,
                          seed=0, out_dir="runs/ppo_s0")                # -> TrainedAgent
    env = agent.make_eval_env("PersonaDialog-Numeric-Swap-v0", persona_split="test")
    obs, _ = env.reset(seed=10_000); agent.reset(10_000); action = agent.act(obs)
    agent = load_trained("runs/ppo_s0")                                 # the latest checkpoint

A run directory ``out_dir`` holds

* ``run.json`` -- the settings (algorithm, hyperparameters, env id and options, seed);
* ``metrics.jsonl`` -- one JSON object per log point, ``step`` increasing (training episodes that
  ended since the last point: ``episodes``, ``mean_return``, ``mean_final_profile_f1``, plus the
  algorithm's own losses for CleanRL PPO);
* ``checkpoints/step_<N>.zip|.pt`` with a ``.json`` beside each (what :func:`load_trained` needs)
  and ``checkpoints/latest.json`` naming the newest one (the last ``keep_checkpoints`` are kept).

**Resume** (``resume=True``, the default): training continues from ``latest.json``'s checkpoint;
rows of ``metrics.jsonl`` logged after that checkpoint (an interrupted run) are dropped and
re-logged as training redoes those steps, so the file stays continuous (no lost or repeated rows,
``step`` strictly increasing). The kept rows are replayed through ``log_fn``, so a fresh logger
(wandb, ``RunLogger``) gets the whole curve. A run whose checkpoint already reached
``total_steps`` is not trained again. Resuming a directory that holds a run with other settings
(hyperparameters, env, seed; ``total_steps`` may differ) raises :class:`RunMismatchError`;
``resume=False`` starts over and deletes the directory's metrics and checkpoints.

DQN acts through :class:`persona_env.wrappers_numeric.FlatDiscreteAction` (a ``Discrete`` action
that edits a guess the agent keeps). A :class:`TrainedAgent` for DQN keeps that wrapper's state
itself (bound to the plain numeric env with :meth:`TrainedAgent.bind`, which
:func:`agents.registry.build_agent` and :meth:`TrainedAgent.make_eval_env` do), so every trained
agent acts in the same plain numeric env as the baselines, with the ``MultiDiscrete`` action.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import math
import shutil
import sys
import time
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any, Callable, Mapping

import gymnasium as gym
import numpy as np
import torch

import persona_env  # noqa: F401  (registers the env ids)
from persona_env.wrappers_numeric import FlatDiscreteAction

REPO = Path(__file__).resolve().parents[1]
METRICS_FILE = "metrics.jsonl"
RUN_FILE = "run.json"
CKPT_DIR = "checkpoints"
LATEST = "latest.json"

LogFn = Callable[[dict[str, Any]], None]


class RunMismatchError(RuntimeError):
    """``resume=True`` on a directory that holds a run with different settings."""


# ---------------------------------------------------------------------------------- run files
def _jsonable(v: Any) -> Any:
    if isinstance(v, Mapping):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, Path):
        return str(v)
    return v


def _flatten(d: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, Mapping) and v:
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def read_metrics(path: str | Path) -> list[dict[str, Any]]:
    """The rows of a ``metrics.jsonl`` (a torn last line, from a killed run, is skipped)."""
    path = Path(path)
    if path.is_dir():
        path = path / METRICS_FILE
    if not path.exists():
        return []
    rows = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return rows


class _RunDir:
    """Settings, metrics and checkpoints of one training run (see the module doc)."""

    def __init__(self, out_dir: str | Path, settings: dict[str, Any], resume: bool, keep: int) -> None:
        self.root = Path(out_dir)
        self.ckpts = self.root / CKPT_DIR
        self.metrics_path = self.root / METRICS_FILE
        self.keep = max(1, int(keep))
        self.settings = _jsonable(settings)
        self.root.mkdir(parents=True, exist_ok=True)
        if not resume:
            shutil.rmtree(self.ckpts, ignore_errors=True)
            self.metrics_path.unlink(missing_ok=True)
        else:
            self._check_same_run()
        (self.root / RUN_FILE).write_text(json.dumps(self.settings, indent=1) + "\n")
        self.latest = self._read_latest()
        start = self.latest["step"] if self.latest else 0
        # keep the rows up to the checkpoint; later ones are redone (and re-logged) by training
        self.rows = [r for r in read_metrics(self.metrics_path) if int(r.get("step", 0)) <= start]
        with open(self.metrics_path, "w") as fh:
            for r in self.rows:
                fh.write(json.dumps(r) + "\n")
        self._fh = open(self.metrics_path, "a")

    def _check_same_run(self) -> None:
        path = self.root / RUN_FILE
        if not path.exists():
            return
        prev, now = _flatten(json.loads(path.read_text())), _flatten(self.settings)
        diff = [k for k in sorted(set(prev) | set(now)) if k != "total_steps" and prev.get(k) != now.get(k)]
        if diff:
            k = diff[0]
            raise RunMismatchError(
                f"{self.root} holds a run with other settings ({k}: {prev.get(k)!r} there, {now.get(k)!r} "
                f"now); resume=false starts it over, or use another out_dir")

    def _read_latest(self) -> dict[str, Any] | None:
        path = self.ckpts / LATEST
        if not path.exists():
            return None
        latest = json.loads(path.read_text())
        if not (self.ckpts / latest["file"]).exists():
            return None
        return latest

    @property
    def start_step(self) -> int:
        return int(self.latest["step"]) if self.latest else 0

    @property
    def latest_file(self) -> Path | None:
        return self.ckpts / self.latest["file"] if self.latest else None

    def log(self, row: dict[str, Any], log_fn: LogFn | None) -> None:
        row = _jsonable(row)
        self._fh.write(json.dumps(row) + "\n")
        self._fh.flush()
        self.rows.append(row)
        if log_fn is not None:
            log_fn(row)

    def checkpoint(self, step: int, suffix: str, save: Callable[[Path], None]) -> Path:
        """Save with ``save(path)``, write its meta and ``latest.json``, prune old checkpoints."""
        self.ckpts.mkdir(parents=True, exist_ok=True)
        name = f"step_{int(step):09d}{suffix}"
        path = self.ckpts / name
        save(path)
        meta = dict(self.settings, step=int(step), file=name)
        path.with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n")
        tmp = self.ckpts / (LATEST + ".tmp")
        tmp.write_text(json.dumps({"step": int(step), "file": name}) + "\n")
        tmp.replace(self.ckpts / LATEST)      # atomic: latest.json never names a half-written file
        self.latest = {"step": int(step), "file": name}
        olds = sorted(p for p in self.ckpts.glob(f"step_*{suffix}") if p.name != name)
        for p in olds[: max(0, len(olds) - (self.keep - 1))]:
            p.unlink(missing_ok=True)
            p.with_suffix(".json").unlink(missing_ok=True)
        return path

    def close(self) -> None:
        self._fh.close()


def _progress(total: int, initial: int, desc: str, enabled: bool):
    from tqdm.auto import tqdm
    return tqdm(total=total, initial=min(initial, total), desc=desc, unit="step", disable=not enabled,
                dynamic_ncols=True, leave=False)


# ---------------------------------------------------------------------------------- the agent
class TrainedAgent:
    """A trained policy behind the agents protocol (``reset(seed)``, ``act(obs)``), numeric env.

    ``act`` takes the plain numeric env's observation and returns its ``MultiDiscrete`` action
    (greedy). For DQN, call :meth:`bind` with that env first (it builds the
    ``FlatDiscreteAction`` view whose guess state the agent keeps); :meth:`make_eval_env` does it.
    """

    def __init__(self, algo: str, policy: Callable[[np.ndarray], np.ndarray], meta: Mapping[str, Any],
                 path: str | Path | None = None, name: str | None = None) -> None:
        self.algo = algo
        self.name = name or algo
        self._policy = policy
        self.meta = dict(meta)
        self.path = Path(path) if path is not None else None
        self.step = int(self.meta.get("step", 0))
        self.env_id: str = self.meta.get("env_id", "PersonaDialog-Numeric-v0")
        self.env_kwargs: dict[str, Any] = dict(self.meta.get("env_kwargs") or {})
        self.obs_size: int | None = self.meta.get("obs_size")
        self._flat: FlatDiscreteAction | None = None

    @property
    def needs_flat_action(self) -> bool:
        return self.algo == "dqn"

    def bind(self, env: gym.Env) -> "TrainedAgent":
        """Attach to the plain numeric env the agent will act in (checks the observation size)."""
        space = env.observation_space
        if not isinstance(env.action_space, gym.spaces.MultiDiscrete) or not isinstance(space, gym.spaces.Box):
            raise TypeError(f"trained agents act in the numeric env (PersonaDialog-Numeric-*), got action "
                            f"space {env.action_space}")
        if self.obs_size is not None and space.shape != (self.obs_size,):
            raise ValueError(f"checkpoint {self.path} expects observations of shape ({self.obs_size},), "
                             f"the env gives {space.shape}")
        self._flat = FlatDiscreteAction(env) if self.needs_flat_action else None
        return self

    def make_eval_env(self, env_id: str | None = None, **env_kwargs: Any) -> gym.Env:
        """A plain numeric env (default: the training env id and options) with this agent bound."""
        env = gym.make(env_id or self.env_id, **(env_kwargs if env_id else {**self.env_kwargs, **env_kwargs}))
        self.bind(env)
        return env

    def reset(self, seed: int | None = None) -> None:
        if self._flat is not None:
            self._flat.guess[:] = 0
            self._flat._last_obs = None

    def act(self, observation: np.ndarray) -> np.ndarray:
        obs = np.asarray(observation, dtype=np.float32)
        if self.needs_flat_action:
            if self._flat is None:
                raise RuntimeError("a DQN agent acts through FlatDiscreteAction: call bind(env) or "
                                   "make_eval_env() before act()")
            x = self._flat._observation(obs)             # the wrapper's observation: obs + its guess
            md = self._flat.action(int(np.asarray(self._policy(x)).reshape(())))
            self._flat.guess = md[: self._flat.numeric_spec.n_guess].copy()   # as FlatDiscreteAction.step
            return md
        return np.asarray(self._policy(obs), dtype=np.int64)

    def __repr__(self) -> str:
        return f"TrainedAgent({self.name!r}, algo={self.algo!r}, step={self.step}, path={str(self.path)!r})"


# ---------------------------------------------------------------------------------- SB3
def _sb3_algos() -> dict[str, type]:
    from stable_baselines3 import A2C, DQN, PPO
    return {"ppo": PPO, "a2c": A2C, "dqn": DQN}


class SB3Trainer:
    """Stable-Baselines3 PPO / A2C / DQN on a numeric env (DQN through ``FlatDiscreteAction``).

    ``hyperparams`` go to the SB3 constructor (``learning_rate``, ``n_steps``, ``gamma``...).
    ``log_every`` (env steps, default ``total_steps // 20``) sets the metrics rows,
    ``checkpoint_every`` (default ``total_steps // 4``) the checkpoints.
    """

    def __init__(self, algo: str = "ppo", n_envs: int = 4, hyperparams: Mapping[str, Any] | None = None,
                 policy: str = "MlpPolicy", log_every: int | None = None, checkpoint_every: int | None = None,
                 keep_checkpoints: int = 2, save_replay_buffer: bool = True, progress: bool = True) -> None:
        if algo not in ("ppo", "a2c", "dqn"):
            raise ValueError(f"unknown SB3 algo {algo!r}; choose ppo, a2c or dqn")
        self.algo, self.n_envs, self.policy = algo, int(n_envs), policy
        self.hyperparams = dict(hyperparams or {})
        self.log_every, self.checkpoint_every = log_every, checkpoint_every
        self.keep_checkpoints, self.save_replay_buffer, self.progress = keep_checkpoints, save_replay_buffer, progress

    def settings(self) -> dict[str, Any]:
        return {"trainer": "sb3", "algo": self.algo, "n_envs": self.n_envs, "policy": self.policy,
                "hyperparams": self.hyperparams}

    def make_train_env(self, env_id: str, env_kwargs: Mapping[str, Any] | None = None) -> gym.Env:
        env = gym.make(env_id, **dict(env_kwargs or {}))
        return FlatDiscreteAction(env) if self.algo == "dqn" else env

    def make_eval_env(self, env_id: str, **env_kwargs: Any) -> gym.Env:
        """The plain numeric env (a DQN :class:`TrainedAgent` keeps the flat-action state itself)."""
        return gym.make(env_id, **env_kwargs)

    def train(self, env_id: str, env_kwargs: Mapping[str, Any] | None = None, total_steps: int = 10_000,
              seed: int = 0, out_dir: str | Path = "runs/sb3", resume: bool = True,
              log_fn: LogFn | None = None) -> TrainedAgent:
        from stable_baselines3.common.callbacks import BaseCallback
        from stable_baselines3.common.env_util import make_vec_env

        torch.set_num_threads(1)
        env_kwargs = dict(env_kwargs or {})
        total_steps = int(total_steps)
        settings = dict(self.settings(), env_id=env_id, env_kwargs=env_kwargs, seed=int(seed),
                        total_steps=total_steps)
        run = _RunDir(out_dir, settings, resume, self.keep_checkpoints)
        for row in run.rows:                     # replay what was logged before the checkpoint
            if log_fn is not None:
                log_fn(row)
        ALGO = _sb3_algos()[self.algo]
        start = run.start_step
        # a callable, not the id: given an id, make_vec_env asks for render_mode="rgb_array"
        venv = make_vec_env(lambda: self.make_train_env(env_id, env_kwargs), n_envs=self.n_envs,
                            seed=int(seed) + 7919 * start)
        buffer_path = run.ckpts / "replay_buffer.pkl"
        if run.latest_file is not None:
            model = ALGO.load(run.latest_file, env=venv, device="cpu")
            model.set_random_seed(int(seed) + 7919 * start)
            if self.algo == "dqn" and buffer_path.exists():
                model.load_replay_buffer(buffer_path)
        else:
            model = ALGO(self.policy, venv, seed=int(seed), verbose=0, device="cpu", **self.hyperparams)

        log_every = int(self.log_every or max(self.n_envs, total_steps // 20))
        ckpt_every = int(self.checkpoint_every or max(self.n_envs, total_steps // 4))
        trainer, t0 = self, time.time()

        def save_checkpoint(step: int) -> None:
            run.checkpoint(step, ".zip", lambda p: model.save(p))
            if trainer.algo == "dqn" and trainer.save_replay_buffer:
                model.save_replay_buffer(buffer_path)

        class _Callback(BaseCallback):
            def _on_training_start(self) -> None:
                self.returns: list[float] = []
                self.f1: list[float] = []
                n = self.model.num_timesteps
                self.next_log = (n // log_every + 1) * log_every
                self.next_ckpt = (n // ckpt_every + 1) * ckpt_every
                self.bar = _progress(total_steps, n, f"{trainer.algo} s{seed}", trainer.progress)

            def _on_step(self) -> bool:
                for info, done in zip(self.locals["infos"], self.locals["dones"]):
                    if done:
                        if "episode" in info:
                            self.returns.append(float(info["episode"]["r"]))
                        self.f1.append(float(info["reward_terms"]["profile_f1"]))
                n = self.model.num_timesteps
                self.bar.update(n - self.bar.n)
                if n >= self.next_log:            # log first, then checkpoint (see the module doc)
                    self._emit(n)
                    self.next_log = (n // log_every + 1) * log_every
                if n >= self.next_ckpt:
                    save_checkpoint(n)
                    self.next_ckpt = (n // ckpt_every + 1) * ckpt_every
                return True

            def _emit(self, n: int) -> None:
                if run.rows and int(run.rows[-1]["step"]) >= n:
                    return
                run.log({"step": n, "episodes": len(self.f1),
                         "mean_return": float(np.mean(self.returns)) if self.returns else None,
                         "mean_final_profile_f1": float(np.mean(self.f1)) if self.f1 else None,
                         "wall_s": round(time.time() - t0, 3)}, log_fn)
                self.returns, self.f1 = [], []

            def _on_training_end(self) -> None:
                self._emit(self.model.num_timesteps)
                self.bar.close()

        try:
            remaining = total_steps - model.num_timesteps
            if remaining > 0:
                model.learn(total_timesteps=remaining, callback=_Callback(), reset_num_timesteps=False)
            if run.start_step < model.num_timesteps or run.latest is None:
                save_checkpoint(model.num_timesteps)
        finally:
            run.close()
            venv.close()
        obs_size = int(gym.make(env_id, **env_kwargs).observation_space.shape[0])
        meta = dict(run.settings, step=int(model.num_timesteps), obs_size=obs_size)
        return TrainedAgent(self.algo, _sb3_policy(model), meta, run.latest_file)


def _sb3_policy(model: Any) -> Callable[[np.ndarray], np.ndarray]:
    def policy(obs: np.ndarray) -> np.ndarray:
        action, _ = model.predict(obs, deterministic=True)
        return action
    return policy


# ---------------------------------------------------------------------------------- CleanRL PPO
_PPO_MODULE: ModuleType | None = None


def ppo_module() -> ModuleType:
    """``experiments/ppo.py``, imported from the repository by path (it is a script, not a package)."""
    global _PPO_MODULE
    if _PPO_MODULE is None:
        name = "_persona_experiments_ppo"
        spec = importlib.util.spec_from_file_location(name, REPO / "experiments" / "ppo.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module          # dataclasses look their module up while building Args
        try:
            spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(name, None)
            raise
        _PPO_MODULE = module
    return _PPO_MODULE


class CleanPPOTrainer:
    """``experiments/ppo.py`` (CleanRL-style PPO) with checkpoints and resume.

    Keyword arguments are fields of ``experiments/ppo.py``'s ``Args`` (``learning_rate``,
    ``num_envs``, ``gamma``, ``ent_coef``...); an unknown one raises ``TypeError`` naming it.

    ``ppo.train`` runs a whole schedule in one call, so this trainer calls it once per checkpoint
    chunk (``checkpoint_every`` env steps, rounded to whole rollouts; default 5 chunks), carrying
    the network and the Adam state from chunk to chunk (it hands ``ppo.train`` the same agent and
    optimizer through the module's ``make_agent``/``optim`` names). With ``anneal_lr`` the
    learning rate is annealed piecewise: constant within a chunk, at the linear schedule's value
    at the chunk's midpoint. Episodes in flight at a chunk boundary are cut (each chunk resets
    its envs, seeded ``seed + 1000 * chunk``).
    """

    _RESERVED = {"env_id", "env_kwargs", "total_timesteps", "seed", "out", "verbose", "eval_episodes",
                 "batch_size", "minibatch_size", "num_iterations"}

    def __init__(self, checkpoint_every: int | None = None, keep_checkpoints: int = 2, progress: bool = True,
                 **ppo_args: Any) -> None:
        mod = ppo_module()
        fields = {f.name for f in dataclasses.fields(mod.Args)}
        unknown = sorted(set(ppo_args) - fields)
        if unknown:
            raise TypeError(f"CleanPPOTrainer got unknown PPO argument(s) {unknown}; valid: "
                            f"{', '.join(sorted(fields - self._RESERVED))}")
        reserved = sorted(set(ppo_args) & self._RESERVED)
        if reserved:
            raise TypeError(f"CleanPPOTrainer: {reserved} are set by train(), not by the trainer")
        self.ppo_args = dict(ppo_args)
        self.checkpoint_every, self.keep_checkpoints, self.progress = checkpoint_every, keep_checkpoints, progress
        self.algo = "cleanrl_ppo"

    def settings(self) -> dict[str, Any]:
        return {"trainer": "cleanrl_ppo", "algo": self.algo, "ppo_args": self.ppo_args}

    def make_eval_env(self, env_id: str, **env_kwargs: Any) -> gym.Env:
        return gym.make(env_id, **env_kwargs)

    def train(self, env_id: str, env_kwargs: Mapping[str, Any] | None = None, total_steps: int = 100_000,
              seed: int = 0, out_dir: str | Path = "runs/cleanrl_ppo", resume: bool = True,
              log_fn: LogFn | None = None) -> TrainedAgent:
        mod = ppo_module()
        torch.set_num_threads(1)
        env_kwargs = dict(env_kwargs or {})
        total_steps = int(total_steps)
        base = mod.Args(**self.ppo_args)
        batch = int(base.num_envs * base.num_steps)
        settings = dict(self.settings(), env_id=env_id, env_kwargs=env_kwargs, seed=int(seed),
                        total_steps=total_steps)
        run = _RunDir(out_dir, settings, resume, self.keep_checkpoints)
        for row in run.rows:
            if log_fn is not None:
                log_fn(row)

        probe = gym.make(env_id, **env_kwargs)
        spec = probe.unwrapped.dialogue.spec
        probe.close()
        torch.manual_seed(int(seed))
        agent = mod.make_agent(spec, base.hidden, base.mask_acts)
        optimizer = torch.optim.Adam(agent.parameters(), lr=base.learning_rate, eps=1e-5)
        step = run.start_step
        if run.latest_file is not None:
            ckpt = torch.load(run.latest_file, map_location="cpu", weights_only=False)
            agent.load_state_dict(ckpt["state_dict"])
            if ckpt.get("optimizer") is not None:
                optimizer.load_state_dict(ckpt["optimizer"])

        chunk = int(self.checkpoint_every or max(batch, total_steps // 5))
        chunk = max(batch, (chunk // batch) * batch)          # whole rollouts
        bar = _progress(total_steps, step, f"cleanrl_ppo s{seed}", self.progress)
        t0 = time.time()

        def save(path: Path) -> None:
            torch.save({"state_dict": agent.state_dict(), "optimizer": optimizer.state_dict(),
                        "args": dataclasses.asdict(base), "obs_size": spec.obs_size, "nvec": spec.nvec.tolist(),
                        "act_dim": spec.n_guess, "n_acts": spec.n_acts, "global_step": step}, path)

        try:
            while total_steps - step >= batch:
                n = min(chunk, ((total_steps - step) // batch) * batch)
                lr = base.learning_rate
                if base.anneal_lr:
                    lr *= max(0.0, 1.0 - (step + n / 2) / total_steps)
                args = dataclasses.replace(
                    base, env_id=env_id, env_kwargs=json.dumps(env_kwargs), total_timesteps=n,
                    seed=int(seed) + 1000 * (step // chunk), out="", verbose=False, eval_episodes=0,
                    learning_rate=lr, anneal_lr=False)
                result = self._run_chunk(mod, args, agent, optimizer, lr)
                for r in result["metrics"]["updates"]:
                    row = {k: v for k, v in r.items() if k not in ("global_step", "iteration", "sps")}
                    run.log(dict(step=step + int(r["global_step"]), **row,
                                 wall_s=round(time.time() - t0, 3)), log_fn)
                step += int(result["metrics"]["updates"][-1]["global_step"]) if result["metrics"]["updates"] else n
                run.checkpoint(step, ".pt", save)
                bar.update(step - bar.n)
            if run.latest is None:                     # budget below one rollout: save the initial net
                run.checkpoint(step, ".pt", save)
        finally:
            bar.close()
            run.close()
        agent.eval()
        meta = dict(run.settings, step=step, obs_size=int(spec.obs_size))
        return TrainedAgent(self.algo, _torch_policy(agent), meta, run.latest_file)

    @staticmethod
    def _run_chunk(mod: ModuleType, args: Any, agent: torch.nn.Module, optimizer: torch.optim.Optimizer,
                   lr: float) -> dict[str, Any]:
        """One ``ppo.train`` call that continues ``agent`` and ``optimizer``."""
        def make_agent(*_a: Any, **_k: Any) -> torch.nn.Module:
            return agent

        def adam(*_a: Any, **_k: Any) -> torch.optim.Optimizer:
            for group in optimizer.param_groups:
                group["lr"] = lr
            return optimizer

        saved = mod.make_agent, mod.optim
        mod.make_agent, mod.optim = make_agent, SimpleNamespace(Adam=adam)
        try:
            result = mod.train(args)
        finally:
            mod.make_agent, mod.optim = saved
        if result["agent"] is not agent:
            raise RuntimeError("experiments/ppo.py no longer builds its network through make_agent(); "
                               "CleanPPOTrainer cannot continue a run -- update agents/trained.py")
        return result


def _torch_policy(agent: torch.nn.Module) -> Callable[[np.ndarray], np.ndarray]:
    def policy(obs: np.ndarray) -> np.ndarray:
        x = torch.as_tensor(obs, dtype=torch.float32).unsqueeze(0)
        with torch.no_grad():
            return agent.act(x, greedy=True)[0].cpu().numpy()
    return policy


# ---------------------------------------------------------------------------------- loading
def find_checkpoint(path: str | Path) -> Path:
    """The checkpoint file for ``path``: a checkpoint file, or a run directory (its latest one;
    ``<dir>/checkpoints`` or ``<dir>/train/checkpoints``, the layout ``experiments/train.py`` writes).
    Raises ``FileNotFoundError`` with a one-line message naming the path."""
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"checkpoint not found: {p}")
    if p.is_file():
        return p
    for d in (p, p / CKPT_DIR, p / "train" / CKPT_DIR):
        latest = d / LATEST
        if latest.exists():
            f = d / json.loads(latest.read_text())["file"]
            if f.exists():
                return f
            raise FileNotFoundError(f"checkpoint not found: {f} (named by {latest})")
    raise FileNotFoundError(f"checkpoint not found: no {CKPT_DIR}/{LATEST} under {p}")


def load_trained(path: str | Path, name: str | None = None) -> TrainedAgent:
    """A :class:`TrainedAgent` from a checkpoint file or a run directory (its latest checkpoint)."""
    torch.set_num_threads(1)
    f = find_checkpoint(path)
    meta_path = f.with_suffix(".json")
    if not meta_path.exists():
        raise FileNotFoundError(f"checkpoint metadata not found: {meta_path} (written beside every checkpoint)")
    meta = json.loads(meta_path.read_text())
    algo = meta.get("algo")
    if algo == "cleanrl_ppo":
        net = ppo_module().load_agent(f)
        net.eval()
        meta.setdefault("obs_size", int(net.obs_size))
        return TrainedAgent(algo, _torch_policy(net), meta, f, name)
    if algo in ("ppo", "a2c", "dqn"):
        model = _sb3_algos()[algo].load(f, device="cpu")
        shape = model.observation_space.shape
        if algo == "dqn":      # the flat-action wrapper's observation: env obs + one-hot guess
            probe = FlatDiscreteAction(gym.make(meta["env_id"], **meta.get("env_kwargs", {})))
            meta.setdefault("obs_size", int(shape[0]) - probe.n_set)
        else:
            meta.setdefault("obs_size", int(shape[0]))
        return TrainedAgent(algo, _sb3_policy(model), meta, f, name)
    raise ValueError(f"{meta_path}: unknown algo {algo!r} (expected ppo, a2c, dqn or cleanrl_ppo)")


TRAINERS = {"sb3": SB3Trainer, "cleanrl_ppo": CleanPPOTrainer}

__all__ = ["CleanPPOTrainer", "RunMismatchError", "SB3Trainer", "TrainedAgent", "find_checkpoint",
           "load_trained", "ppo_module", "read_metrics"]
