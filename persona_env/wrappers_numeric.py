"""Wrappers for the numeric envs (``PersonaDialog-Numeric-v0`` and friends).

:class:`FlatDiscreteAction` turns the numeric env's ``MultiDiscrete`` action into one small
``Discrete`` action for DQN-style algorithms (SB3's DQN, Tianshou's DQN, TorchRL's DQN...).
It is not an oracle: it never reads the cues to decide a guess, it only edits a guess that the
agent builds itself, one entry per turn.

:class:`StackableInfo` gives every ``info`` the same keys and only numbers, so collectors that
stack infos across envs into arrays (Tianshou's ``Batch``, RLlib) can store them.
"""

from __future__ import annotations

from typing import Any, Sequence

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from persona_env.core import REACTIONS, TERM_NAMES
from persona_env.numeric import NumericSpec

#: length, formality, emoji, humour, hedging = moderate, neutral, none, serious, direct
DEFAULT_STYLE: tuple[int, int, int, int, int] = (1, 1, 0, 0, 0)
_STYLE_NAMES = ("length", "formality", "emoji", "humour", "hedging")


def _numeric_spec(env: gym.Env) -> NumericSpec:
    spec = getattr(getattr(env.unwrapped, "dialogue", None), "spec", None)
    if not isinstance(spec, NumericSpec):
        raise TypeError(f"FlatDiscreteAction wraps a numeric PersonaDialog env (PersonaDialog-Numeric-v0...), "
                        f"got {env.unwrapped!r} with action space {env.action_space}")
    return spec


class FlatDiscreteAction(gym.ActionWrapper):
    """A flat ``Discrete(K)`` action for the numeric env: one guess edit or one question per turn.

    The numeric action is a full profile guess plus a reply (``MultiDiscrete``, see
    :mod:`persona_env.numeric`); its product has ~1e27 elements, far too many for a Q-network's
    output layer. This wrapper keeps **the agent's current guess vector as its own state** (all
    "unknown" after ``reset``) and lets each discrete action change it by at most one entry, or
    pick the reply act. Every turn the env receives the (edited) full guess, reply act as below,
    and a fixed ``style`` (default moderate length, neutral formality, no emoji, serious, direct).
    The wrapper never looks at the cues to choose values: the guess is only what the agent
    wrote into it, so it is not an oracle.

    With ``E`` guess entries (25 for the default schema: one per single slot, ``max_items`` per
    list slot), ``V_i`` values for entry ``i``, ``S`` slots (19) and ``R`` recommendable content
    slots (:data:`persona_env.numeric.RECOMMENDABLE`, 5), the actions are, in order:

    ======================================  =================================================
    action                                  effect (guess edit; reply act)
    ======================================  =================================================
    ``0``                                   keep the guess; answer the request (act 0)
    ``1 .. N_set``                          set entry ``i`` to value ``v`` (1-based), entries
                                            in order, values in order within an entry
                                            (``N_set = sum_i V_i``, 217); act 0
    ``N_set+1 .. N_set+E``                  reset entry ``i`` to "unknown"; act 0
    next ``S``                              keep the guess; also ask about slot ``k`` (act ``1+k``)
    next ``R``                              keep the guess; also recommend using the guessed
                                            value of content slot ``k`` (act ``1+S+k``)
    ======================================  =================================================

    ``K = 1 + N_set + E + S + R`` (267 for the default schema). :meth:`describe` names an
    action, :attr:`table` gives the whole mapping as arrays (``entry``, ``value``, ``act``;
    ``entry = -1`` for no edit), and :meth:`action_masks` marks the actions the env would
    treat as invalid choices (asking an answered slot, recommending an unknown guess) -- the
    method name MaskablePPO (sb3-contrib) looks for.

    Because the guess lives in the wrapper, the env's observation alone is not Markov for it;
    with ``observe_guess=True`` (default) the observation is extended by ``N_set`` 0/1 floats, a
    one-hot of the current guess laid out exactly like the "set" actions (feature ``j`` is 1 iff
    action ``1 + j`` would change nothing). Set it to False to keep the env's observation space.

    Invalid discrete actions (not an integer scalar, NaN, out of range) raise ``ValueError``
    naming the space; the env's own invalid-choice penalty applies as usual.

    Example::

        env = FlatDiscreteAction(gym.make("PersonaDialog-Numeric-v0"))
        obs, info = env.reset(seed=0)
        obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
    """

    def __init__(self, env: gym.Env, style: Sequence[int] = DEFAULT_STYLE, observe_guess: bool = True) -> None:
        super().__init__(env)
        spec = _numeric_spec(env)
        self.numeric_spec = spec
        nvec = np.asarray(spec.nvec)
        style = np.asarray(style)
        style_nvec = nvec[spec.n_guess + 1:]
        if style.shape != (5,) or style.dtype.kind not in "iu" or (style < 0).any() or (style >= style_nvec).any():
            raise ValueError(f"style must be 5 integers ({', '.join(_STYLE_NAMES)}) below {style_nvec.tolist()}, "
                             f"got {style.tolist()}")
        self.style = style.astype(np.int64)
        E, S = spec.n_guess, spec.n_slots
        entry, value, act = [-1], [0], [0]                      # 0: keep, answer
        for i in range(E):                                      # set entry i to v
            for v in range(1, int(nvec[i])):
                entry.append(i), value.append(v), act.append(0)
        self.n_set = len(entry) - 1
        for i in range(E):                                      # clear entry i
            entry.append(i), value.append(0), act.append(0)
        for k in range(S):                                      # ask about slot k
            entry.append(-1), value.append(0), act.append(1 + k)
        self.recommendable_slots = np.flatnonzero(spec.recommendable)
        for k in self.recommendable_slots:                      # recommend slot k's guess
            entry.append(-1), value.append(0), act.append(spec.recommend_act(spec.schema.slots[int(k)].name))
        self.table = {"entry": np.array(entry, dtype=np.int64), "value": np.array(value, dtype=np.int64),
                      "act": np.array(act, dtype=np.int64)}
        self.action_space = spaces.Discrete(len(entry))
        self.observe_guess = bool(observe_guess)
        if self.observe_guess:
            base = env.observation_space
            self.observation_space = spaces.Box(
                np.concatenate([base.low, np.zeros(self.n_set, np.float32)]).astype(np.float32),
                np.concatenate([base.high, np.ones(self.n_set, np.float32)]).astype(np.float32),
                dtype=np.float32)
        # offsets of each entry's block of "set" actions (and of its one-hot guess features)
        self._set_offset = np.concatenate([[0], np.cumsum(nvec[:E] - 1)[:-1]]).astype(np.int64)
        self.guess = np.zeros(E, dtype=np.int64)
        self._last_obs: np.ndarray | None = None

    # ------------------------------------------------------------------ mapping
    def _index(self, action: Any) -> int:
        a = np.asarray(action)
        if a.size != 1 or a.ndim > 1:
            raise ValueError(f"expected one integer action in {self.action_space}, got shape {a.shape}")
        a = a.reshape(())
        if a.dtype.kind == "f" and np.isfinite(a) and a == np.round(a):
            a = a.astype(np.int64)
        if a.dtype.kind not in "iu":
            raise ValueError(f"actions must be integers in {self.action_space} (got {a!r} of dtype {a.dtype})")
        if not 0 <= int(a) < self.action_space.n:
            raise ValueError(f"action {int(a)} is outside {self.action_space} (allowed 0..{self.action_space.n - 1})")
        return int(a)

    def _apply(self, action: Any) -> tuple[np.ndarray, np.ndarray]:
        """``(new guess, MultiDiscrete action)`` for a discrete action, without changing state."""
        i = self._index(action)
        guess = self.guess.copy()
        entry = self.table["entry"][i]
        if entry >= 0:
            guess[entry] = self.table["value"][i]
        md = np.concatenate([guess, [self.table["act"][i]], self.style]).astype(np.int64)
        return guess, md

    def action(self, action: Any) -> np.ndarray:
        """The ``MultiDiscrete`` action the env would receive for ``action`` now (pure)."""
        return self._apply(action)[1]

    def describe(self, action: int) -> str:
        """A human-readable name for a discrete action."""
        i = self._index(action)
        schema = self.numeric_spec.schema
        entry, value, act = (int(self.table[k][i]) for k in ("entry", "value", "act"))
        if entry >= 0:
            k = self.numeric_spec.guess_slot[entry]
            slot = schema.slots[k]
            j = entry - int(self.numeric_spec.first_entry[k])
            item = f"{slot.name}[{j}]" if slot.max_items > 1 else slot.name
            return f"set {item} = {slot.values[value - 1]!r}" if value else f"clear {item}"
        if act == 0:
            return "keep the guess"
        kind, slot_name = self.numeric_spec.act_slot(act)
        return f"ask about {slot_name}" if kind == "ask" else f"recommend using the guess of {slot_name}"

    def action_masks(self) -> np.ndarray:
        """``bool [K]``: False for actions the env would score as an invalid choice right now."""
        mask = np.ones(self.action_space.n, dtype=bool)
        if self._last_obs is None:
            return mask
        spec, S = self.numeric_spec, self.numeric_spec.n_slots
        act_mask = self._last_obs[spec.obs_size - spec.n_acts: spec.obs_size] > 0.5
        acts = self.table["act"]
        ask = (acts >= 1) & (acts <= S)
        mask[ask] = act_mask[acts[ask]]
        rec = np.flatnonzero(acts > S)
        slots = spec.rec_slots[acts[rec] - S - 1]
        mask[rec] = self.guess[spec.first_entry[slots]] > 0
        return mask

    # ------------------------------------------------------------------ gym API
    def _observation(self, obs: np.ndarray) -> np.ndarray:
        self._last_obs = obs
        if not self.observe_guess:
            return obs
        onehot = np.zeros(self.n_set, dtype=np.float32)
        known = self.guess > 0
        onehot[self._set_offset[known] + self.guess[known] - 1] = 1.0
        return np.concatenate([obs, onehot]).astype(np.float32, copy=False)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        obs, info = self.env.reset(seed=seed, options=options)
        self.guess[:] = 0
        return self._observation(obs), info

    def step(self, action: Any):
        guess, md = self._apply(action)
        obs, reward, terminated, truncated, info = self.env.step(md)
        self.guess = guess
        return self._observation(obs), reward, terminated, truncated, info


class StackableInfo(gym.Wrapper):
    """Fixed-key, numbers-only ``info`` for collectors that stack infos into arrays.

    The envs' ``info`` is free-form: ``timeline`` (a nested dict with ragged lists, in ``reset``
    and on the last step only), ``notes`` (a list of strings), ``user_reaction`` (a string).
    Tianshou's ``Batch`` cannot stack such dicts across envs. This wrapper replaces every info by

    * ``turn`` (int): replies given so far (0 after ``reset``);
    * ``reward_terms`` (dict of float): every term of :data:`persona_env.core.TERM_NAMES`
      (all 0.0 after ``reset``, where no reply has been scored yet);
    * ``n_notes`` (int): how many notes (format problems, invalid choices) the step produced;
    * ``user_reaction`` (int): the index of the reaction in :data:`persona_env.core.REACTIONS`
      (-1 after ``reset``).

    Works on the text and the numeric envs. Use the unwrapped env for the timeline.
    """

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        obs, info = self.env.reset(seed=seed, options=options)
        return obs, {"turn": int(info.get("turn", 0)), "reward_terms": dict.fromkeys(TERM_NAMES, 0.0),
                     "n_notes": 0, "user_reaction": -1}

    def step(self, action: Any):
        obs, reward, terminated, truncated, info = self.env.step(action)
        terms = info.get("reward_terms", {})
        reaction = info.get("user_reaction")
        return obs, reward, terminated, truncated, {
            "turn": int(info.get("turn", 0)),
            "reward_terms": {k: float(terms.get(k, 0.0)) for k in TERM_NAMES},
            "n_notes": len(info.get("notes", ())),
            "user_reaction": REACTIONS.index(reaction) if reaction in REACTIONS else -1,
        }


__all__ = ["DEFAULT_STYLE", "FlatDiscreteAction", "StackableInfo"]
