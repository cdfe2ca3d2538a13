"""Numeric multi-agent mode: ``persona_env.env(mode="numeric")`` / ``parallel_env(mode="numeric")``.

The same turn-based game as the text form (:mod:`persona_env.envs.multi_agent`), with numeric
spaces, so classic multi-agent libraries can train either side:

* ``assistant_0`` acts and observes exactly as in ``PersonaDialog-Numeric-v0``
  (:mod:`persona_env.numeric`), plus an ``is_turn`` flag as the last observation entry.
* ``user_0`` chooses what to say: ``Discrete(n_items + 2)`` -- 0 = the rule simulator's message,
  ``i`` = the specific hint of item ``i - 1`` (true or not: a user agent may mislead), and
  ``n_items + 1`` = leave (the ``[END]`` of the text form). The simulator's reaction and request
  are kept in every case. It observes its persona at the current turn (multi-hot), the
  assistant's last guess (multi-hot), the turn fraction and ``is_turn``.

``pad=True`` gives both agents *identical* spaces, which SuperSuit's vector wrappers and
Tianshou's PettingZoo wrapper need: the observation is
``[own observation zero-padded to the longer one | one-hot agent id | entry mask]`` and the action
is ``MultiDiscrete(assistant entries + [user choices])``; each agent's entries are marked 1 in the
entry mask, and the other agent's entries are ignored.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from gymnasium.utils import seeding

from persona_env.core import REACTIONS
from persona_env.envs.factory import CONSTRUCTOR_OPTIONS, build_parts, check_options, reject_text_only_options
from persona_env.numeric import NumericSpec
from persona_env.rendering import render_turn
from persona_env.text_dialogue import TurnRecord
from persona_env.user_text import user_message
from persona_env.wrappers import combine

USER, ASSISTANT = "user_0", "assistant_0"
RENDER_MODES = ["ansi", "human"]


class NumericTurnBasedDialogue:
    """One numeric conversation with both sides as agents (the interface of ``TurnBasedDialogue``)."""

    def __init__(self, render_mode: str | None = None, max_cycles: int | None = None, pad: bool = False,
                 history: bool = True, **options: Any) -> None:
        check_options(options, CONSTRUCTOR_OPTIONS)
        if render_mode is not None and render_mode not in RENDER_MODES:
            raise ValueError(f"render_mode={render_mode!r} is not supported; use one of {RENDER_MODES} or None")
        self.render_mode, self.max_cycles, self.pad = render_mode, max_cycles, pad
        reject_text_only_options(options)
        self.parts = build_parts(batch_size=1, **options)
        self.core = self.parts.core
        self.core.quit_ends_episode = False
        self.spec = NumericSpec(self.parts.schema, self.parts.cue_bank, self.parts.scenario.max_turns, history)
        n = self.parts.schema.n_items
        self.n_user_actions = n + 2
        self.user_obs_size = 2 * n + 2
        self.asst_obs_size = self.spec.obs_size + 1
        raw_obs = {USER: spaces.Box(0.0, 1.0, (self.user_obs_size,), np.float32),
                   ASSISTANT: spaces.Box(0.0, np.inf, (self.asst_obs_size,), np.float32)}
        raw_act = {USER: spaces.Discrete(self.n_user_actions), ASSISTANT: self.spec.action_space}
        if pad:
            width = max(self.user_obs_size, self.asst_obs_size)
            self.n_entries = len(self.spec.nvec) + 1
            self.pad_width = width
            box = spaces.Box(0.0, np.inf, (width + 2 + self.n_entries,), np.float32)
            multi = spaces.MultiDiscrete(np.concatenate([self.spec.nvec, [self.n_user_actions]]))
            self.observation_spaces = {USER: box, ASSISTANT: box}
            self.action_spaces = {USER: multi, ASSISTANT: multi}
        else:
            self.observation_spaces, self.action_spaces = raw_obs, raw_act
        self.np_random, _ = seeding.np_random(None)
        self.to_move, self.ended, self.user_ended, self.rounds = USER, True, False, 0

    # ------------------------------------------------------------------ transitions
    def reset(self, seed: int | None = None, options: dict | None = None) -> None:
        if seed is not None:
            self.np_random, _ = seeding.np_random(seed)
        if options:
            gym.logger.warn(f"numeric multi-agent mode ignores reset options {sorted(options)}")
        self.suggested = self.core.reset(self.np_random)
        self.heard = np.zeros((1, self.parts.cue_bank.n_cues), dtype=np.float32)
        self.said = self.suggested
        self.prev_comps = None
        self.last_guess = np.zeros(self.parts.schema.n_items, dtype=np.float32)
        self.records: list[TurnRecord] = []
        self.user_text = ""
        self.to_move, self.ended, self.user_ended, self.rounds = USER, False, False, 0

    def user_acts(self, action: Any) -> dict[str, Any]:
        choice = self._user_choice(action)
        notes: list[str] = []
        if choice == self.n_user_actions - 1:
            self.user_ended = self.ended = True
            self.to_move = ASSISTANT
            return {"notes": ["the user left"]}
        said = self.suggested
        if choice > 0:
            cue = int(self.parts.cue_bank.specific_cue[choice - 1])
            said = replace(said, cue_ids=np.array([[cue]]), cue_u=np.zeros((1, 1)),
                           misleading=np.zeros((1, 1), dtype=bool), answer_cue=np.array([-1]),
                           deflected=np.array([False]), announce_cue=np.array([-1]))
            slot, value = self.parts.schema.items[choice - 1]
            if value not in self.core.timelines[0].truth_at(int(self.core.turn[0])).values[slot]:
                notes.append(f"the user hinted at {slot}={value}, which is not true of it")
        self.said = said
        counts = self.spec.heard_counts(said)
        self.heard = self.heard + counts if self.spec.history else counts
        if self.render_mode:
            self.user_text = user_message(said, 0, self.parts.cue_bank)
        self.to_move = ASSISTANT
        return {"notes": notes}

    def assistant_acts(self, action: Any) -> tuple[float, float, dict[str, Any]]:
        spec, core = self.spec, self.core
        a = spec.check(np.asarray(self._assistant_entries(action))[None, :])
        decoded = spec.decode(a, core.answered, core.request_idx)
        features = spec.features(decoded["comps"], self.prev_comps)
        self.prev_comps = decoded["comps"]
        invalid = decoded["invalid_rec"] | decoded["invalid_ask"]
        guess = spec.guess(a)
        out = core.step(self.np_random, guess, np.zeros(1, dtype=np.int64), np.ones(1, dtype=bool), features,
                        invalid=invalid)
        self.suggested = out.user
        self.last_guess = guess[0].astype(np.float32)
        self.rounds += 1
        terms = {k: float(v[0]) for k, v in out.terms.items()}
        if bool(out.terminated[0] or out.truncated[0]):
            self.ended = True
        self.to_move = USER
        reaction = REACTIONS[int(out.explanations["reaction"][0])]
        if self.render_mode:
            self.records.append(TurnRecord(
                turn=self.rounds, user_message=self.user_text, profile=spec.guess_text(guess[0]),
                reply=spec.render_reply(decoded["comps"][0]),
                guessed_items=tuple(spec.schema.items[i] for i in np.flatnonzero(guess[0])), n_unresolved=0,
                terms=terms, notes=(), reaction=reaction, truth_persona_id=""))
        info = {"reward_terms": terms, "turn": self.rounds, "user_reaction": reaction,
                "notes": ["invalid choice"] if invalid[0] else []}
        return combine(terms, self.parts.reward_weights), terms["response_score"], info

    # ------------------------------------------------------------------ views
    def observe(self, agent: str) -> np.ndarray:
        is_turn = float(agent == self.to_move and not self.ended)
        if agent == USER:
            truth = self.core.truth()[0].astype(np.float32)
            turn = min(int(self.core.turn[0]) - 1, self.spec.max_turns) / self.spec.max_turns
            own = np.concatenate([truth, self.last_guess, [turn, is_turn]]).astype(np.float32)
        else:
            own = np.concatenate([self.spec.observe(self.heard, self.said, self.core.turn - 1,
                                                    self.core.answered)[0], [is_turn]]).astype(np.float32)
        if not self.pad:
            return own
        out = np.zeros(self.observation_spaces[agent].shape, dtype=np.float32)
        out[: len(own)] = own
        w = self.pad_width
        out[w + (0 if agent == USER else 1)] = 1.0
        if agent == USER:
            out[w + 2 + self.n_entries - 1] = 1.0
        else:
            out[w + 2: w + 2 + self.n_entries - 1] = 1.0
        return out

    def render(self) -> str | None:
        if self.render_mode is None:
            gym.logger.warn("render() called without a render_mode; pass render_mode='ansi' or 'human'")
            return None
        pending = self.user_text if self.to_move == ASSISTANT else ""
        text = render_turn(self.core.timelines[0], self.records, pending, self.parts.schema,
                           scenario=self.parts.scenario.name, ended=self.ended, color=False)
        if self.render_mode == "ansi":
            return text
        print(text)
        return None

    def timeline_info(self) -> dict[str, Any]:
        return self.core.timelines[0].to_info()

    # ------------------------------------------------------------------ helpers
    def _user_choice(self, action: Any) -> int:
        a = np.asarray(action)
        if self.pad:
            if a.shape != (self.n_entries,):
                raise ValueError(f"padded actions have shape ({self.n_entries},) in {self.action_spaces[USER]}; "
                                 f"got {a.shape}")
            a = a[-1]
        if a.ndim != 0 or a.dtype.kind not in "iu" or not 0 <= int(a) < self.n_user_actions:
            raise ValueError(f"{USER}'s numeric action must be an int in Discrete({self.n_user_actions}); got {action!r}")
        return int(a)

    def _assistant_entries(self, action: Any) -> np.ndarray:
        a = np.asarray(action)
        if self.pad:
            if a.shape != (self.n_entries,):
                raise ValueError(f"padded actions have shape ({self.n_entries},) in {self.action_spaces[ASSISTANT]}; "
                                 f"got {a.shape}")
            a = a[:-1]
        return a
