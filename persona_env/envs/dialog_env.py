"""``PersonaDialog-v0``: the assistant's view of a conversation with a simulated user."""

from __future__ import annotations

import sys
from typing import Any, Mapping

import gymnasium as gym
from gymnasium import spaces

from persona_env.actions import MAX_PROFILE_CHARS, MAX_REPLY_CHARS
from persona_env.envs.factory import (CONSTRUCTOR_OPTIONS, RESET_OPTIONS, EnvParts, build_parts,
                                      timeline_from_options)
from persona_env.rendering import render_turn
from persona_env.text_dialogue import TextDialogue
from persona_env.wrappers import combine
from persona_env.text_spaces import ACTION_CHARSET, OBSERVATION_CHARSET, fit_text



class PersonaDialogEnv(gym.Env):
    """Personalised dialogue with a latent user persona (text mode).

    ## Description
    A simulated user holds a hidden persona (RLPA's ten profile slots plus reply-style and content
    preferences, see :mod:`persona_env.schema`) and asks the assistant for help (a dinner idea, a
    book, a holiday...). It reveals who it is only gradually, through implicit and sometimes
    ambiguous cues, answers direct questions (and may deflect private ones), complains when a
    reply misfits its style or content, and loses patience with poor, repeated or flattering
    replies. The agent plays the assistant: every turn it states its current guess of the user's
    profile and replies. The persona can change mid-conversation (see *Arguments*: ``scenario``).

    ## Observation
    ``Dict``:

    * ``"dialogue"`` -- ``Text``: the conversation so far, one message per line
      (``"User: ..."`` / ``"Assistant: ..."``; a newline inside a reply is shown as ``" / "``);
      only the newest ``max_obs_chars`` characters are kept (older text is cut at a line start
      and marked ``[...]``); characters outside the observation charset are replaced by ``?``.
    * ``"turn"`` -- ``Discrete(max_turns + 1)``: replies given so far.

    The full chat (``[{"role", "content"}]``) is in ``env.unwrapped.messages``.

    ## Action
    ``Dict({"profile": Text, "reply": Text})`` -- or one string in RLPA's format
    ``"<profile>\\n- trait\\n...</profile>\\n\\n<response>\\n...</response>"``. The profile may be
    JSON (``{"occupation": "nurse", "interests": ["hiking"]}``), RLPA's ``- Slot: value`` list, or
    prose; it is parsed leniently (:mod:`persona_env.profile_parsing`). Text is untrusted: it is
    sanitised and cut at 4,000 (profile) and 2,000 (reply) characters; missing tags or an empty
    part earn ``format_penalty`` and a note in ``info["notes"]`` -- never an exception. A wrong
    action *type* (not a str or mapping, missing keys) raises ``TypeError``/``KeyError``.

    ## Rewards
    Every term is in ``info["reward_terms"]``:

    * ``profile_f1`` (with ``profile_precision``/``profile_recall``) -- RLPA's item-level F1 of the
      guess against the truth at this turn; ``profile_f1_delta`` -- its change since last turn;
    * ``response_score`` -- the rule judge's score in [0, 1], with each criterion as
      ``response_<criterion>`` (length, formality, emoji, humour, directness, content, relevance,
      repetition) and ``response_gated`` -- RLPA's 0/1 verdict;
    * ``format_valid`` (1/0) and ``format_penalty`` (0 or ``-format_penalty``); ``turn_cost`` (-1).

    The reward is RLPA's sum ``profile_f1 + response_score`` plus ``format_penalty``. Re-weight the
    terms with :class:`persona_env.wrappers.WeightedReward` (or the ``reward_weights`` option).

    ## Info
    ``reward_terms`` (above), ``turn``, ``notes`` (format problems in the action),
    ``user_reaction`` (how the user reacted to this reply: ``satisfied``, ``too_long``, ``quit``...),
    ``truth_persona_id`` (whose persona this turn was scored against), and ``timeline`` (the
    truth over the whole episode: personas, swaps, drifts) in ``reset``'s info and on the last step.
    None of it is in the observation.

    ## Starting State
    A persona (or a timeline, in changing scenarios) drawn from the built-in pool of generated
    personas (``persona_split``: ``"train"``, ``"test"`` or ``"all"``) or from ``pool``; a
    request; the user's opening message.

    ## Episode End
    *Terminated* when the user loses patience and leaves, or after ``max_turns`` replies (the
    session's fixed length is part of the task and the turn is observed). Never truncated by the
    env itself; wrap it in a ``TimeLimit`` for a shorter horizon.

    ## Arguments
    ``gym.make("PersonaDialog-v0", scenario="static", render_mode=None, pool=None,
    persona_split="train", matcher="normalised", ambiguity=0.35, format_penalty=0.2,
    max_obs_chars=16384, max_turns=None, swap_turn=None, n_drifts=None, conflict_prob=None,
    user_simulator="rule")``.
    ``scenario`` is ``static``, ``swap``, ``drift``, ``conflict``, ``long`` or a
    :class:`~persona_env.timeline.Scenario`; the ``None`` options override the scenario's field.
    ``user_simulator``: ``"rule"`` (the built-in simulator's words), an
    :class:`~persona_env.llm_user.LLMUserSimulator`, or a backend spec such as
    ``{"kind": "transformers", "model": PATH}`` (builds one). With an LLM user *the rule simulator
    keeps the books, the LLM speaks*: rewards, reactions, patience and the timeline still come
    from the rule simulator's structured turns; the user's messages in the observation are the
    LLM's, guided by them (one batched backend call per step; its seed is drawn from the env's
    ``np_random``, so a seeded episode is reproducible for a deterministic backend).
    ``reset(options={"persona": Persona, "timeline": PersonaTimeline})`` fixes the user.

    ## Version History
    * v0: initial version.

    Example::

        >>> import gymnasium as gym, persona_env
        >>> env = gym.make("PersonaDialog-v0")
        >>> obs, info = env.reset(seed=0)
        >>> obs, reward, terminated, truncated, info = env.step(
        ...     {"profile": "- Occupation: nurse", "reply": "How about a quick pasta?"})
        >>> sorted(info["reward_terms"])[:3]
        ['format_penalty', 'format_valid', 'profile_f1']
    """

    metadata = {"render_modes": ["ansi", "human"], "render_fps": 1}

    def __init__(self, render_mode: str | None = None, **options: Any) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode={render_mode!r} is not supported; use one of "
                             f"{self.metadata['render_modes']} or None")
        self.render_mode = render_mode
        self.parts: EnvParts = build_parts(batch_size=1, **options)
        self.dialogue = TextDialogue(self.parts.core, self.parts.matcher,
                                     user_simulator=self.parts.user_simulator,
                                     llm_judge=self.parts.llm_judge,
                                     llm_profile_judge=self.parts.llm_profile_judge)
        T = self.parts.scenario.max_turns
        self.max_obs_chars = self.parts.max_obs_chars
        self.observation_space = spaces.Dict({
            "dialogue": spaces.Text(self.max_obs_chars, min_length=0, charset=OBSERVATION_CHARSET),
            "turn": spaces.Discrete(T + 1),
        })
        self.action_space = spaces.Dict({
            "profile": spaces.Text(MAX_PROFILE_CHARS, min_length=0, charset=ACTION_CHARSET),
            "reply": spaces.Text(MAX_REPLY_CHARS, min_length=0, charset=ACTION_CHARSET),
        })
        self._ended = True

    # ------------------------------------------------------------------ gym API
    def reset(self, *, seed: int | None = None, options: Mapping[str, Any] | None = None):
        super().reset(seed=seed)
        timelines = None
        if options:
            unknown = set(options) - set(RESET_OPTIONS)
            if unknown:
                raise ValueError(f"unknown reset option(s) {sorted(unknown)}; valid: {list(RESET_OPTIONS)}")
            timelines = [timeline_from_options(self.parts, options, self.np_random)]
        self.dialogue.reset(self.np_random, timelines=timelines)
        self._ended = False
        info = {"timeline": self.parts.core.timelines[0].to_info(), "turn": 0}
        if self.render_mode == "human":
            self.render()
        return self._obs(), info

    def step(self, action: Any):
        if self._ended:
            raise RuntimeError("step() after the episode ended: call reset() first")
        out, (record,) = self.dialogue.step(self.np_random, [action])
        terminated, truncated = bool(out.terminated[0]), bool(out.truncated[0])
        self._ended = terminated or truncated
        reward = combine(record.terms, self.parts.reward_weights)
        info: dict[str, Any] = {
            "reward_terms": record.terms,
            "turn": record.turn,
            "notes": list(record.notes),
            "user_reaction": record.reaction,
            "truth_persona_id": record.truth_persona_id,
        }
        if self._ended:
            info["timeline"] = self.parts.core.timelines[0].to_info()
        if self.render_mode == "human":
            self.render()
        return self._obs(), reward, terminated, truncated, info

    def render(self) -> str | None:
        if self.render_mode is None:
            gym.logger.warn("render() called without a render_mode; pass render_mode='ansi' or 'human'")
            return None
        text = render_turn(self.parts.core.timelines[0], self.dialogue.records[0],
                           self.dialogue.current_user[0], self.parts.schema,
                           scenario=self.parts.scenario.name, ended=self._ended,
                           color=self.render_mode == "human" and sys.stdout.isatty())
        if self.render_mode == "ansi":
            return text
        print(text)
        return None

    # ------------------------------------------------------------------ helpers
    @property
    def messages(self) -> list[dict[str, str]]:
        """The conversation as chat messages (a copy)."""
        return [dict(m) for m in self.dialogue.transcripts[0].messages]

    @property
    def records(self):
        """Per-turn records (guess, reply, reward terms, notes) of the current episode."""
        return list(self.dialogue.records[0])

    def _obs(self) -> dict[str, Any]:
        text = self.dialogue.transcripts[0].as_text()
        return {"dialogue": fit_text(text, self.max_obs_chars, clean=True),
                "turn": len(self.dialogue.records[0])}


__all__ = ["PersonaDialogEnv", "CONSTRUCTOR_OPTIONS"]
