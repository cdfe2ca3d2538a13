"""Reply judges: feature extraction (stage 1) and the vectorised rule judge (stage 2)."""

from persona_env.judges.reply_features import (
    AMOUNT_LEVELS,
    CASUAL_MARKERS,
    DIET_GROUP_VIOLATES,
    DIET_KEYWORDS,
    FLATTERY_MARKERS,
    FORMAL_MARKERS,
    HEDGE_MARKERS,
    MENTION_KEYWORDS,
    PLAYFUL_MARKERS,
    PRICE_MARKERS,
    ReplyFeatureBatch,
    ReplyFeatures,
    count_words,
    extract_reply_features,
    tokenize,
)
from persona_env.judges.rule_judge import CRITERIA, JudgeScores, RuleJudge

__all__ = [
    "AMOUNT_LEVELS", "CASUAL_MARKERS", "CRITERIA", "DIET_GROUP_VIOLATES", "DIET_KEYWORDS",
    "FLATTERY_MARKERS", "FORMAL_MARKERS", "HEDGE_MARKERS", "JudgeScores", "MENTION_KEYWORDS",
    "PLAYFUL_MARKERS", "PRICE_MARKERS", "ReplyFeatureBatch", "ReplyFeatures", "RuleJudge",
    "count_words", "extract_reply_features", "tokenize",
]
