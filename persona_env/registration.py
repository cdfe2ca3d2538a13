"""Registers the env ids (see the README's env-id table)."""

from __future__ import annotations

from gymnasium.envs.registration import register, registry

#: env id -> (scenario, one-line description)
ENV_IDS: dict[str, tuple[str, str]] = {
    "PersonaDialog-v0": ("static", "10 turns, one fixed persona"),
    "PersonaDialog-Swap-v0": ("swap", "10 turns, a different persona takes over at turn 6 (RLPA)"),
    "PersonaDialog-Drift-v0": ("drift", "10 turns, two single-slot changes at turns 4-8, each announced with p=0.5"),
    "PersonaDialog-Conflict-v0": ("conflict", "10 turns, each implicit cue points at a wrong value with p=0.2"),
    "PersonaDialog-Long-v0": ("long", "70 turns, one fixed persona (RLPA's long dialogue)"),
}


#: numeric twins (``PersonaDialog-Numeric-v0``...), and the memoryless variant
NUMERIC_ENV_IDS: dict[str, tuple[str, bool, str]] = {
    env_id.replace("PersonaDialog", "PersonaDialog-Numeric"): (scenario, True, what)
    for env_id, (scenario, what) in ENV_IDS.items()
}
NUMERIC_ENV_IDS["PersonaDialog-NumericLatest-v0"] = (
    "static", False, "numeric, static; observes only the latest user message (memory is the agent's job)")


def register_envs() -> None:
    for env_id, (scenario, _) in ENV_IDS.items():
        if env_id not in registry:
            register(id=env_id, entry_point="persona_env.envs.dialog_env:PersonaDialogEnv",
                     vector_entry_point="persona_env.envs.text_vector_env:make_text_vector_env",
                     kwargs={"scenario": scenario}, disable_env_checker=False)
    for env_id, (scenario, history, _) in NUMERIC_ENV_IDS.items():
        if env_id not in registry:
            register(id=env_id, entry_point="persona_env.envs.numeric_env:PersonaDialogNumericEnv",
                     vector_entry_point="persona_env.envs.numeric_env:make_numeric_vector_env",
                     kwargs={"scenario": scenario, "history": history})
