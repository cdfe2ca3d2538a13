"""The multi-agent forms: ``user_0`` and ``assistant_0`` take turns (AEC and parallel).

Both forms are thin views on :class:`TurnBasedDialogue`, which holds one conversation of the
batched core (B = 1) with the rule simulator's message as a *suggestion*: the user agent observes
its own persona and ``"simulated_utterance"`` and says whatever it likes, so it can be played by
the built-in simulator (:func:`simulated_user_policy` returns the suggestion), a learner or any
other policy. The assistant acts exactly as in ``PersonaDialog-v0``.

``mode="numeric"`` gives the same game with numeric spaces (and ``pad=True`` identical spaces for
both agents): see :mod:`persona_env.envs.numeric_multi_agent`.

Turn order: the user speaks first, then the assistant, alternately. In the **AEC** form that is
``agent_iter()``'s order; a cycle is one round (a user message and a reply), so ``max_cycles`` is
rounds. In the **parallel** form one agent acts per ``step()`` (a half-turn): each observation's
``"is_turn"`` and ``info["is_turn"]`` say whose turn it is, and the other agent's action is
ignored (``info["ignored_action"]`` says so); a cycle is one ``step()``.

Rewards: the assistant gets the same reward as in ``PersonaDialog-v0`` (all terms in
``info["reward_terms"]``) when it replies; the user gets the judge's ``response_score`` for that
reply (its satisfaction). The conversation *terminates* after ``max_turns`` replies or when the
user's message contains ``END_TOKEN`` (the simulator suggests it when its patience runs out), and
is *truncated* after ``max_cycles`` cycles.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

import gymnasium as gym
from gymnasium import spaces
from gymnasium.utils import seeding
from pettingzoo import AECEnv, ParallelEnv
from pettingzoo.utils import AgentSelector, wrappers

from persona_env.actions import MAX_PROFILE_CHARS, MAX_REPLY_CHARS, sanitise_text
from persona_env.envs.factory import (CONSTRUCTOR_OPTIONS, RESET_OPTIONS, build_parts, check_options,
                                      timeline_from_options)
from persona_env.rendering import render_turn
from persona_env.text_dialogue import TextDialogue
from persona_env.text_spaces import ACTION_CHARSET, OBSERVATION_CHARSET, fit_text
from persona_env.wrappers import combine

USER, ASSISTANT = "user_0", "assistant_0"
AGENTS = (USER, ASSISTANT)
END_TOKEN = "[END]"
MAX_USER_CHARS = 2000
MAX_CARD_CHARS = 4000
RENDER_MODES = ["ansi", "human"]


def simulated_user_policy(observation: dict[str, Any]) -> str:
    """Plays ``user_0`` with the built-in rule simulator: say what it suggests."""
    return observation["simulated_utterance"]


class TurnBasedDialogue:
    """One conversation with both sides as agents; the shared logic of the AEC and parallel envs."""

    def __init__(self, render_mode: str | None = None, max_cycles: int | None = None, **options: Any) -> None:
        check_options(options, CONSTRUCTOR_OPTIONS)
        if render_mode is not None and render_mode not in RENDER_MODES:
            raise ValueError(f"render_mode={render_mode!r} is not supported; use one of {RENDER_MODES} or None")
        self.render_mode = render_mode
        self.parts = build_parts(batch_size=1, **options)
        self.parts.core.quit_ends_episode = False
        # with an LLM user simulator, its words become the suggestion the user agent observes
        self.dialogue = TextDialogue(self.parts.core, self.parts.matcher, auto_user=False,
                                     user_simulator=self.parts.user_simulator,
                                     llm_judge=self.parts.llm_judge,
                                     llm_profile_judge=self.parts.llm_profile_judge)
        T = self.parts.scenario.max_turns
        self.max_obs_chars = self.parts.max_obs_chars
        self.max_cycles = max_cycles
        dialogue = spaces.Text(self.max_obs_chars, min_length=0, charset=OBSERVATION_CHARSET)
        turn = spaces.Discrete(T + 1)
        is_turn = spaces.Discrete(2)
        self.observation_spaces = {
            USER: spaces.Dict({
                "dialogue": dialogue, "turn": turn, "is_turn": is_turn,
                "persona": spaces.Text(MAX_CARD_CHARS, min_length=0, charset=OBSERVATION_CHARSET),
                "simulated_utterance": spaces.Text(self.max_obs_chars, min_length=0, charset=OBSERVATION_CHARSET),
            }),
            ASSISTANT: spaces.Dict({"dialogue": dialogue, "turn": turn, "is_turn": is_turn}),
        }
        self.action_spaces = {
            USER: spaces.Text(MAX_USER_CHARS, min_length=0, charset=ACTION_CHARSET),
            ASSISTANT: spaces.Dict({
                "profile": spaces.Text(MAX_PROFILE_CHARS, min_length=0, charset=ACTION_CHARSET),
                "reply": spaces.Text(MAX_REPLY_CHARS, min_length=0, charset=ACTION_CHARSET),
            }),
        }
        self.np_random, _ = seeding.np_random(None)
        self.to_move = USER
        self.ended = True

    # ------------------------------------------------------------------ transitions
    def reset(self, seed: int | None = None, options: dict | None = None) -> None:
        if seed is not None:
            self.np_random, _ = seeding.np_random(seed)
        options = dict(options or {})
        unknown = sorted(set(options) - set(RESET_OPTIONS))
        if unknown:
            # PettingZoo's api_test resets with arbitrary options, so these are warned, not raised
            warnings.warn(f"ignoring unknown reset option(s) {unknown}; valid: {list(RESET_OPTIONS)}",
                          stacklevel=3)
        known = {k: options[k] for k in RESET_OPTIONS if k in options}
        timelines = [timeline_from_options(self.parts, known, self.np_random)] if known else None
        self.dialogue.reset(self.np_random, timelines=timelines)
        self.to_move = USER
        self.ended = False
        self.user_ended = False
        self.rounds = 0

    def user_acts(self, utterance: Any) -> dict[str, Any]:
        """The user's message; returns the user's info notes."""
        if not isinstance(utterance, str):
            raise TypeError(f"{USER}'s action must be a str (its message), got {type(utterance).__name__}; "
                            f"to let the built-in simulator speak, pass observation['simulated_utterance']")
        message, notes = sanitise_text(utterance)
        notes = list(notes)
        if len(message) > MAX_USER_CHARS:
            message = message[:MAX_USER_CHARS]
            notes.append(f"message truncated to {MAX_USER_CHARS} chars")
        if not message.strip():
            notes.append("empty user message")
        if END_TOKEN in message:
            self.user_ended = True
            message = message.replace(END_TOKEN, "").strip()
        self.dialogue.commit_user(0, message)
        self.to_move = ASSISTANT
        if self.user_ended:
            self.ended = True
        return {"notes": notes}

    def assistant_acts(self, action: Any) -> tuple[float, float, dict[str, Any]]:
        """The assistant's reply; returns (assistant reward, user reward, assistant info)."""
        out, (record,) = self.dialogue.step(self.np_random, [action])
        self.rounds += 1
        if bool(out.terminated[0] or out.truncated[0]):
            self.ended = True
        if self.dialogue.suggested_user[0] and out.user.quit[0]:
            self.dialogue.suggested_user[0] += f" {END_TOKEN}"
        self.to_move = USER
        info = {"reward_terms": record.terms, "turn": record.turn, "notes": list(record.notes),
                "user_reaction": record.reaction, "truth_persona_id": record.truth_persona_id}
        return combine(record.terms, self.parts.reward_weights), record.terms["response_score"], info

    # ------------------------------------------------------------------ views
    def observe(self, agent: str) -> dict[str, Any]:
        transcript = self.dialogue.transcripts[0].as_text()
        obs: dict[str, Any] = {
            "dialogue": fit_text(transcript, self.max_obs_chars, clean=True),
            "turn": len(self.dialogue.records[0]),
            "is_turn": int(agent == self.to_move and not self.ended),
        }
        if agent == USER:
            tl = self.parts.core.timelines[0]
            persona = tl.truth_at(len(self.dialogue.records[0]) + 1) if tl is not None else None
            obs["persona"] = fit_text(persona.card() if persona else "", MAX_CARD_CHARS)
            obs["simulated_utterance"] = fit_text(self.dialogue.suggested_user[0], self.max_obs_chars)
        return obs

    def render(self) -> str | None:
        if self.render_mode is None:
            gym.logger.warn("render() called without a render_mode; pass render_mode='ansi' or 'human'")
            return None
        pending = self.dialogue.current_user[0] if self.to_move == ASSISTANT else ""
        text = render_turn(self.parts.core.timelines[0], self.dialogue.records[0], pending,
                           self.parts.schema, scenario=self.parts.scenario.name, ended=self.ended,
                           color=self.render_mode == "human" and sys.stdout.isatty())
        if self.render_mode == "ansi":
            return text
        print(text)
        return None

    def timeline_info(self) -> dict[str, Any]:
        return self.parts.core.timelines[0].to_info()


def make_game(mode: str, render_mode: str | None, max_cycles: int | None, **options: Any):
    """The shared game of both forms: ``mode="text"`` (this module) or ``"numeric"``
    (:mod:`persona_env.envs.numeric_multi_agent`, which also takes ``pad`` and ``history``)."""
    if mode == "text":
        return TurnBasedDialogue(render_mode, max_cycles, **options)
    if mode == "numeric":
        from persona_env.envs.numeric_multi_agent import NumericTurnBasedDialogue

        return NumericTurnBasedDialogue(render_mode, max_cycles, **options)
    raise ValueError(f"unknown mode {mode!r}; use 'text' or 'numeric'")


class RawPersonaDialogAEC(AECEnv):
    """AEC form (use :func:`aec_env`, which adds PettingZoo's order-enforcing wrapper)."""

    metadata = {"render_modes": RENDER_MODES, "name": "persona_dialog_v0", "is_parallelizable": True,
                "render_fps": 1}

    def __init__(self, render_mode: str | None = None, max_cycles: int | None = None, mode: str = "text",
                 **options: Any) -> None:
        super().__init__()
        self.game = make_game(mode, render_mode, max_cycles, **options)
        self.render_mode = render_mode
        self.possible_agents = list(AGENTS)
        self.agents: list[str] = []

    def observation_space(self, agent: str) -> spaces.Space:
        return self.game.observation_spaces[agent]

    def action_space(self, agent: str) -> spaces.Space:
        return self.game.action_spaces[agent]

    def reset(self, seed: int | None = None, options: dict | None = None) -> None:
        self.game.reset(seed, options)
        self.agents = list(AGENTS)
        self.rewards = dict.fromkeys(self.agents, 0.0)
        self._cumulative_rewards = dict.fromkeys(self.agents, 0.0)
        self.terminations = dict.fromkeys(self.agents, False)
        self.truncations = dict.fromkeys(self.agents, False)
        self.infos = {a: {"is_turn": a == USER} for a in self.agents}
        self.infos[ASSISTANT]["timeline"] = self.game.timeline_info()
        self._selector = AgentSelector(self.agents)
        self.agent_selection = self._selector.reset()

    def observe(self, agent: str) -> dict[str, Any]:
        return self.game.observe(agent)

    def step(self, action: Any) -> None:
        agent = self.agent_selection
        if self.terminations[agent] or self.truncations[agent]:
            self._was_dead_step(action)
            return
        self._cumulative_rewards[agent] = 0.0
        self.rewards = dict.fromkeys(self.agents, 0.0)
        if agent == USER:
            info = self.game.user_acts(action)
            self.infos = {USER: info, ASSISTANT: {}}
        else:
            r_assistant, r_user, info = self.game.assistant_acts(action)
            self.rewards = {USER: r_user, ASSISTANT: r_assistant}
            self.infos = {USER: {"reward_terms": {"response_score": r_user}}, ASSISTANT: info}
        cycles_done = self.game.max_cycles is not None and self.game.rounds >= self.game.max_cycles
        if self.game.ended or cycles_done:
            ended_by_user = self.game.user_ended or bool(self.game.parts.core.done[0])
            for a in self.agents:
                self.terminations[a] = bool(ended_by_user)
                self.truncations[a] = not ended_by_user
            self.infos[ASSISTANT]["timeline"] = self.game.timeline_info()
        for a in self.agents:
            self.infos[a]["is_turn"] = a == self.game.to_move and not (self.game.ended or cycles_done)
        self.agent_selection = self._selector.next()
        self._accumulate_rewards()
        if self.render_mode == "human":
            self.render()

    def render(self) -> str | None:
        return self.game.render()

    def close(self) -> None:
        pass


def aec_env(**kwargs: Any) -> AECEnv:
    """The AEC env wrapped in PettingZoo's OrderEnforcingWrapper (as PettingZoo's own envs are)."""
    return wrappers.OrderEnforcingWrapper(RawPersonaDialogAEC(**kwargs))


class ParallelPersonaDialogEnv(ParallelEnv):
    """Parallel form: one agent acts per step, the other's action is ignored (see module doc)."""

    metadata = {"render_modes": RENDER_MODES, "name": "persona_dialog_parallel_v0", "render_fps": 1}

    def __init__(self, render_mode: str | None = None, max_cycles: int | None = None, mode: str = "text",
                 **options: Any) -> None:
        self.game = make_game(mode, render_mode, max_cycles, **options)
        self.render_mode = render_mode
        self.possible_agents = list(AGENTS)
        self.agents: list[str] = []
        self.steps = 0

    def observation_space(self, agent: str) -> spaces.Space:
        return self.game.observation_spaces[agent]

    def action_space(self, agent: str) -> spaces.Space:
        return self.game.action_spaces[agent]

    def reset(self, seed: int | None = None, options: dict | None = None):
        self.game.reset(seed, options)
        self.agents = list(AGENTS)
        self.steps = 0
        infos = {a: {"is_turn": a == USER} for a in self.agents}
        infos[ASSISTANT]["timeline"] = self.game.timeline_info()
        return {a: self.game.observe(a) for a in self.agents}, infos

    def step(self, actions: dict[str, Any]):
        if not self.agents:
            raise RuntimeError("step() after the episode ended: call reset() first")
        mover = self.game.to_move
        if mover not in actions:
            raise KeyError(f"actions must include {mover!r}, whose turn it is (its observation's "
                           f"'is_turn' is 1); got actions for {sorted(actions)}")
        rewards = dict.fromkeys(self.agents, 0.0)
        infos: dict[str, dict[str, Any]] = {a: {} for a in self.agents}
        for other in set(actions) - {mover}:
            infos.setdefault(other, {})["ignored_action"] = f"not {other}'s turn; action ignored"
        if mover == USER:
            infos[USER].update(self.game.user_acts(actions[USER]))
        else:
            r_assistant, r_user, info = self.game.assistant_acts(actions[ASSISTANT])
            rewards = {USER: r_user, ASSISTANT: r_assistant}
            infos[ASSISTANT].update(info)
            infos[USER]["reward_terms"] = {"response_score": r_user}
        self.steps += 1
        cycles_done = self.game.max_cycles is not None and self.steps >= self.game.max_cycles
        ended = self.game.ended or cycles_done
        by_user = ended and (self.game.user_ended or bool(self.game.parts.core.done[0]))
        terminations = dict.fromkeys(self.agents, bool(by_user))
        truncations = dict.fromkeys(self.agents, bool(ended and not by_user))
        for a in self.agents:
            infos[a]["is_turn"] = a == self.game.to_move and not ended
        if ended:
            infos[ASSISTANT]["timeline"] = self.game.timeline_info()
        observations = {a: self.game.observe(a) for a in self.agents}
        if ended:
            self.agents = []
        if self.render_mode == "human":
            self.render()
        return observations, rewards, terminations, truncations, infos

    def render(self) -> str | None:
        return self.game.render()

    def close(self) -> None:
        pass
