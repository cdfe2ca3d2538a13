"""persona-env: a Gymnasium + PettingZoo environment for personalised dialogue.

``import persona_env`` registers the env ids (``gym.make("PersonaDialog-v0")``);
``persona_env.env()`` and ``persona_env.parallel_env()`` give the multi-agent (user + assistant)
forms.
"""

from persona_env.persona import Persona, PersonaValidationError
from persona_env.registration import ENV_IDS, register_envs
from persona_env.schema import DEFAULT_SCHEMA, PersonaSchema, Slot

__version__ = "0.1.0"

register_envs()


def env(**kwargs):
    """The AEC (turn-based) multi-agent env: agents ``user_0`` and ``assistant_0``."""
    from persona_env.envs.multi_agent import aec_env

    return aec_env(**kwargs)


def parallel_env(**kwargs):
    """The parallel multi-agent env: agents ``user_0`` and ``assistant_0``, one acts per step."""
    from persona_env.envs.multi_agent import ParallelPersonaDialogEnv

    return ParallelPersonaDialogEnv(**kwargs)


__all__ = ["DEFAULT_SCHEMA", "ENV_IDS", "Persona", "PersonaSchema", "PersonaValidationError", "Slot",
           "env", "parallel_env", "__version__"]
