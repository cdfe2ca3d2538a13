"""Builds an env's collaborators from its constructor options, and rejects unknown options.

All env views (Gymnasium, PettingZoo, vector) take the same options and call :func:`build_parts`,
so an option means the same thing everywhere and a typo fails the same way everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from persona_env.core import DialogueCore
from persona_env.cues import CueBank, build_cue_bank, default_cue_bank
from persona_env.generator import default_pool
from persona_env.judges import RuleJudge
from persona_env.pool import PersonaPool, load_jsonl
from persona_env.rewards import ItemMatcher, make_matcher
from persona_env.schema import DEFAULT_SCHEMA, PersonaSchema
from persona_env.persona import Persona
from persona_env.timeline import SCENARIO_FIELDS, PersonaTimeline, Scenario, build_timeline, get_scenario

#: The default reward: RLPA's sum of the profile and response rewards, plus the format penalty
#: (text mode) and 0.1 per invalid choice (numeric mode; always 0 in text mode).
DEFAULT_REWARD_WEIGHTS: dict[str, float] = {"profile_f1": 1.0, "response_score": 1.0, "format_penalty": 1.0,
                                             "invalid_action": 0.1}

_SCENARIO_OVERRIDES = tuple(f for f in SCENARIO_FIELDS if f != "name")
CONSTRUCTOR_OPTIONS: tuple[str, ...] = (
    "scenario", "pool", "persona_split", "matcher", "ambiguity", "format_penalty", "max_obs_chars",
    "reward_weights", "judge", "user_simulator", "llm_judge", "llm_profile_judge",
) + _SCENARIO_OVERRIDES


#: ``reset(options=...)`` keys every view understands.
RESET_OPTIONS: tuple[str, ...] = ("persona", "timeline")


@dataclass(frozen=True)
class EnvParts:
    schema: PersonaSchema
    scenario: Scenario
    pool: PersonaPool
    cue_bank: CueBank
    judge: RuleJudge
    matcher: ItemMatcher
    core: DialogueCore
    reward_weights: dict[str, float]
    max_obs_chars: int
    #: None: the rule simulator speaks; else an ``LLMUserSimulator`` voices its turns (text views)
    user_simulator: Any = None
    llm_judge: Any = None
    llm_profile_judge: Any = None


def check_options(options: Mapping[str, Any], allowed: tuple[str, ...] = CONSTRUCTOR_OPTIONS) -> None:
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        # worded as Python words it, so wrappers that retry without an option (TorchRL's GymEnv
        # drops ``frameskip``) recognise it; and naming the valid options, so a user can fix it
        raise TypeError(f"PersonaDialog env got an unexpected keyword argument {unknown[0]!r} "
                        f"(unknown option(s) {unknown}); valid options are: {', '.join(allowed)}")


def reject_text_only_options(options: Mapping[str, Any]) -> None:
    """Numeric views observe cue counts, not words: no LLM user and no LLM judges."""
    if options.get("llm_judge") is not None or options.get("llm_profile_judge") is not None:
        raise ValueError("numeric mode has no text for an LLM judge; use the text env PersonaDialog-v0")
    if options.get("user_simulator") not in (None, "rule"):
        raise ValueError("numeric mode observes cue counts, not words: user_simulator must be 'rule' "
                         "(use the text env PersonaDialog-v0 for an LLM user)")


def resolve_pool(pool: PersonaPool | str | Path | None, split: str) -> PersonaPool:
    if pool is None:
        return default_pool(split)
    if isinstance(pool, PersonaPool):
        return pool
    if isinstance(pool, (str, Path)):
        if Path(pool).is_dir() and (Path(pool) / "profile.jsonl").exists():
            from persona_env.aloe import aloe_pool  # a folder in ALOE's format (profile + personality)

            return aloe_pool(pool)
        return load_jsonl(pool)
    raise TypeError("pool must be a PersonaPool, a path to a JSONL persona file, a folder in ALOE's "
                    "format (profile.jsonl + personality.jsonl), or None (built-in pool)")


def build_parts(batch_size: int = 1, **options: Any) -> EnvParts:
    """Validate ``options`` and build the core and its collaborators."""
    check_options(options)
    scenario = options.get("scenario", "static")
    if isinstance(scenario, str):
        scenario = get_scenario(scenario)
    elif not isinstance(scenario, Scenario):
        raise TypeError("scenario must be a name (static, swap, drift, conflict, long) or a Scenario")
    overrides = {k: options[k] for k in _SCENARIO_OVERRIDES if options.get(k) is not None}
    if overrides:
        scenario = scenario.with_options(**overrides)
    pool = resolve_pool(options.get("pool"), options.get("persona_split", "train"))
    schema = pool.personas[0].schema if len(pool) else DEFAULT_SCHEMA
    ambiguity = float(options.get("ambiguity", 0.35))
    cue_bank = default_cue_bank(ambiguity) if schema is DEFAULT_SCHEMA else build_cue_bank(schema, ambiguity)
    judge = options.get("judge") or RuleJudge(schema)
    matcher = options.get("matcher", "normalised")
    if isinstance(matcher, str):
        matcher = make_matcher(matcher)
    weights = dict(DEFAULT_REWARD_WEIGHTS if options.get("reward_weights") is None else options["reward_weights"])
    max_obs_chars = int(options.get("max_obs_chars", 16384))
    if max_obs_chars < 256:
        raise ValueError("max_obs_chars must be at least 256")
    core = DialogueCore(schema=schema, cue_bank=cue_bank, judge=judge, scenario=scenario, pool=pool,
                        batch_size=batch_size, format_penalty=float(options.get("format_penalty", 0.2)))
    from persona_env.wrappers import check_weights  # local: wrappers import envs
    check_weights(weights)
    user_simulator = options.get("user_simulator")
    if user_simulator is not None and not (isinstance(user_simulator, str) and user_simulator == "rule"):
        from persona_env.llm_user import make_user_simulator  # local: the rule path stays import-light

        user_simulator = make_user_simulator(user_simulator)
    else:
        user_simulator = None
    return EnvParts(schema, scenario, pool, cue_bank, judge, matcher, core, weights, max_obs_chars,
                    user_simulator, _llm_judge(options.get("llm_judge"), "response"),
                    _llm_judge(options.get("llm_profile_judge"), "profile"))


def _llm_judge(spec: Any, kind: str) -> Any:
    """``llm_judge`` / ``llm_profile_judge``: None, a judge object, or a backend spec dict (with an
    optional ``scale`` for the response judge) that builds one."""
    if spec is None:
        return None
    if hasattr(spec, "score_texts"):
        return spec
    if isinstance(spec, Mapping):
        from persona_env.judges.llm_judge import LLMProfileJudge, LLMResponseJudge
        from persona_env.llm import make_backend

        spec = dict(spec)
        scale = spec.pop("scale", "aloe")
        backend = make_backend(spec)
        return LLMResponseJudge(backend, scale=scale) if kind == "response" else LLMProfileJudge(backend)
    raise TypeError(f"llm_{'profile_' if kind == 'profile' else ''}judge must be a judge from "
                    f"persona_env.judges.llm_judge or a backend spec dict, got {type(spec).__name__}")


def timeline_from_options(parts: EnvParts, options: Mapping[str, Any], rng) -> PersonaTimeline:
    """The timeline that ``reset(options={"persona": ...} | {"timeline": ...})`` asks for."""
    if "timeline" in options:
        tl = options["timeline"]
        if not isinstance(tl, PersonaTimeline):
            raise TypeError("options['timeline'] must be a persona_env.timeline.PersonaTimeline")
        if tl.max_turns != parts.scenario.max_turns:
            raise ValueError(f"options['timeline'] covers {tl.max_turns} turns but the env runs "
                             f"{parts.scenario.max_turns}; build it with max_turns={parts.scenario.max_turns}")
        return tl
    persona = options["persona"]
    if isinstance(persona, str):
        if persona not in parts.pool.ids():
            raise ValueError(f"options['persona']={persona!r} is not an id in the env's pool")
        persona = parts.pool.by_id(persona)
    if not isinstance(persona, Persona):
        raise TypeError("options['persona'] must be a persona_env.Persona or a persona id in the pool")
    return build_timeline(parts.scenario, parts.pool, rng, persona=persona)
