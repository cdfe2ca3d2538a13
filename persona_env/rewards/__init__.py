"""Reward terms. The profile reward is RLPA's item-level F1 (:mod:`persona_env.rewards.profile`)."""

from persona_env.rewards.profile import (
    MATCHERS,
    ExactMatcher,
    ItemMatcher,
    NormalisedStringMatcher,
    ProfileScore,
    guess_vector,
    make_matcher,
    profile_f1,
    profile_f1_batch,
)

__all__ = [
    "MATCHERS", "ExactMatcher", "ItemMatcher", "NormalisedStringMatcher", "ProfileScore",
    "guess_vector", "make_matcher", "profile_f1", "profile_f1_batch",
]

# the embedding matcher ("embedding"); torch and transformers load only when it is first used
from persona_env.rewards.embedding import register_embedding_matcher  # noqa: E402

register_embedding_matcher()
