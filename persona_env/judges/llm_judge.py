"""LLM judges: a language model scores replies and profile guesses, as in ALOE and RLPA.

Both judges take any :class:`~persona_env.llm.ChatBackend` (a local ``transformers`` model, an
OpenAI-compatible server, or a test double) and make **one batched backend call per batch**,
plus one batched *retry* call (per retry round) holding only the verdicts that could not be
parsed. The retry continues the judge's chat: its unparseable answer is shown back to it with a
short request to answer in the required form (:data:`RETRY_RESPONSE_ALOE`, ...). A verdict still
unparseable after the retries is **missing**: ``NaN`` in every score array and ``True`` in
``missing`` -- never silently 0 or 1. Aggregate with ``np.nanmean`` or
:meth:`LLMJudgeResult.filled`, and report ``n_missing``.

:class:`LLMResponseJudge` -- the response reward
    ``scale="aloe"``: ALOE's evaluation prompt (Wu et al., COLING 2025; ``evaluation/eval_own.py``
    of the ALOE repository), adapted to this environment: the judge sees the user's persona card,
    the conversation, the user's latest message and the reply and rates, from 1 to 5, how well the
    reply is tailored to the user on ALOE's three criteria -- (1) is the conversational style
    tailored to the user's personality, (2) is the content relevant to the user's profile,
    (3) is the reply human-like, engaging and concise -- answering ``Score: N``
    (:data:`ALOE_RESPONSE_PROMPT`). Normalised score ``(N - 1) / 4``.

    ``scale="rlpa"``: RLPA's gated 0/1 response reward: the judge answers ``Yes`` only if the
    reply fits the user's profile **and** meets every one of RLPA's criteria -- naturalness,
    relevance to the user's interests and needs, logical consistency with the user's message,
    engagement, and informativeness -- and ``No`` if even one fails
    (:data:`RLPA_RESPONSE_PROMPT`). Normalised score = the verdict.

:class:`LLMProfileJudge` -- RLPA's LLM profile judge
    The guess is split into items with :func:`~persona_env.profile_parsing.parse_profile` and shown
    as a numbered list next to the gold persona card; the judge answers how many of the numbered
    items the gold profile covers (``Covered: K``, :data:`RLPA_PROFILE_PROMPT`). Then
    ``precision = K / n_inferred``, ``recall = min(K, n_gold) / n_gold`` (``K`` is first clipped to
    ``[0, n_inferred]``, flagged in ``clipped``) and ``F1`` their harmonic mean (0 when both are 0).
    An empty guess scores 0 without asking the model (as :func:`~persona_env.rewards.profile.profile_f1`).

Verdict parsing is lenient (:func:`parse_aloe_score`, :func:`parse_yes_no`, :func:`parse_count`):
``"Score: 4"``, ``"4/5"``, ``"4 out of 5"``, ``"**4**"``, ``"I'd give it a 4."``, ``"4"``,
``{"score": 3}``, ``\\boxed{4}``; ``"Yes."``, ``"no"``, ``"Verdict: No"``, ``{"verdict": "yes"}``,
``1``/``0``. A text naming two different in-range numbers without a marker (``"3 or 4"``) or both
yes and no is ambiguous, hence unparseable.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from persona_env.profile_parsing import GuessItem, parse_profile
from persona_env.schema import DEFAULT_SCHEMA, PersonaSchema

__all__ = [
    "ALOE_RESPONSE_PROMPT",
    "JUDGE_SYSTEM_PROMPT",
    "JUDGE_SCALES",
    "LLMJudgeResult",
    "LLMProfileJudge",
    "LLMProfileResult",
    "LLMResponseJudge",
    "RETRY_PROFILE",
    "RETRY_RESPONSE_ALOE",
    "RETRY_RESPONSE_RLPA",
    "RLPA_PROFILE_PROMPT",
    "RLPA_RESPONSE_PROMPT",
    "parse_aloe_score",
    "parse_count",
    "parse_yes_no",
]

JUDGE_SCALES = ("aloe", "rlpa")

# ============================================================================ prompts

#: System message of every judge chat.
JUDGE_SYSTEM_PROMPT = (
    "You are a careful, impartial evaluator of conversations between a user and an AI assistant. "
    "Follow the instructions exactly and answer in the requested format."
)

#: ALOE's 1-5 evaluation prompt, adapted: persona card, conversation, the user's latest message,
#: the reply. Placeholders: ``{persona}``, ``{dialogue}``, ``{request}``, ``{reply}``.
ALOE_RESPONSE_PROMPT = """\
You will be given a user's profile and personality, a conversation between the user and a \
chatbot, and the user's latest message. You will also be given the chatbot's response to that \
message. Your task is to carefully evaluate how much the response is tailored to the user's \
potential preferences based on the user's profile and personality.

The user's profile and personality:
{persona}

The conversation so far:
{dialogue}

The user's latest message:
{request}

The chatbot's response:
{reply}

Evaluate the response on these criteria:
1. Is the conversational style of the response tailored to the user's personality?
2. Is the content or topic of the response relevant to the user's profile?
3. Is the response human-like, engaging and concise?
Give the response a score from 1 to 5, where 1 means the least tailored to this user and 5 the \
most aligned with this user. Do not include any analysis. Answer with exactly one line: \
"Score: N" where N is 1, 2, 3, 4 or 5."""

#: RLPA's gated 0/1 response verdict. Same placeholders as :data:`ALOE_RESPONSE_PROMPT`.
RLPA_RESPONSE_PROMPT = """\
You are judging whether a chatbot's response works for one particular user.

The user's profile and personality:
{persona}

The conversation so far:
{dialogue}

The user's latest message:
{request}

The chatbot's response:
{reply}

Evaluation criteria:
1. Profile fit: does the response fit the user's profile and preferences (their interests, \
needs, tastes and preferred style)?
2. Naturalness: is it fluent, natural and conversational, like a real person talking?
3. Relevance: does it relate to the user's interests and needs?
4. Logical consistency: does it respond logically to the user's latest message?
5. Engagement: does it make the user want to keep talking, rather than being dull?
6. Informativeness: does it offer something of value, rather than repeating the user or giving \
shallow praise?
Judge strictly: if even one criterion is not met, the answer is No. Do not include any \
analysis. Answer with exactly one word: "Yes" if the response meets every criterion, "No" \
otherwise."""

#: RLPA's LLM profile judge. Placeholders: ``{gold}`` (the persona card), ``{items}`` (the
#: numbered inferred items), ``{n_items}``.
RLPA_PROFILE_PROMPT = """\
You will be given a user's true profile and a numbered list of items that an assistant inferred \
about the user. Count how many of the inferred items are covered by the true profile: an item \
is covered if the true profile states the same fact (paraphrases, synonyms and equivalent \
values count; a different or contradicting value does not).

The user's true profile:
{gold}

The inferred items ({n_items} in all):
{items}

Do not include any analysis. Answer with exactly one line: "Covered: K" where K is an integer \
from 0 to {n_items}."""

#: Follow-up user message after an unparseable ALOE verdict (the retry).
RETRY_RESPONSE_ALOE = ('I could not read a score in your answer. Reply with exactly one line: '
                       '"Score: N" where N is 1, 2, 3, 4 or 5.')
#: Follow-up user message after an unparseable RLPA verdict.
RETRY_RESPONSE_RLPA = 'I could not read a verdict in your answer. Reply with exactly one word: Yes or No.'
#: Follow-up user message after an unparseable count (``{n_items}``).
RETRY_PROFILE = ('I could not read a count in your answer. Reply with exactly one line: '
                 '"Covered: K" where K is an integer from 0 to {n_items}.')

# ============================================================================ parsing

_NUM = r"(\d+(?:\.\d+)?)"
_WORD_NUMBERS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                 "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_NUM_OR_WORD = r"(\d+(?:\.\d+)?|zero|one|two|three|four|five|six|seven|eight|nine|ten)\b"
_MD = r"[\s*_`\"'#>]*"  # markdown and quotes between a marker and its value
_JSON_OBJ_RE = re.compile(r"\{[^{}]{0,400}\}", re.DOTALL)
_BOXED_RE = re.compile(r"\\?boxed\{\s*" + _NUM_OR_WORD + r"\s*\}", re.IGNORECASE)
_SCORE_MARKER_RE = re.compile(
    r"\b(?:final\s+score|score|rating|rated|grade|verdict)\b" + _MD + r"(?:[:=\-]|is|of)?" + _MD
    + _NUM_OR_WORD, re.IGNORECASE)
_GIVE_RE = re.compile(r"\b(?:give|giving|gave|rate|rating|award|assign)\b[^.\n\d]{0,25}?\b(?:an?\s+)?"
                      + _MD + _NUM_OR_WORD, re.IGNORECASE)
_OUT_OF_RE = re.compile(_NUM + r"\s*(?:/|out\s+of|of)\s*5\b", re.IGNORECASE)
_BOLD_RE = re.compile(r"(?:\*\*|__)\s*" + _NUM + r"\s*(?:\*\*|__)")
_RANGE_RE = re.compile(r"\b\d+\s*(?:-|–|—|to)\s*\d+\b", re.IGNORECASE)
_SCALE_RE = re.compile(r"\b(?:out\s+of|of)\s+\d+\b|/\s*\d+\b", re.IGNORECASE)
_STANDALONE_RE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(?![\w]|\.\d)")
_JSON_SCORE_KEYS = ("score", "rating", "verdict", "grade", "result", "answer", "value")
_JSON_COUNT_KEYS = ("covered", "count", "matched", "n_covered", "number", "answer", "score", "result")
_COVERED_RE = re.compile(
    r"\b(?:covered|count|matched|matches|total|answer|number)\b" + _MD + r"(?:[:=\-]|is|of)?" + _MD
    + _NUM_OR_WORD, re.IGNORECASE)
_YES_NO_MARKER_RE = re.compile(
    r"\b(?:verdict|answer|decision|final\s+answer|final\s+decision|judgement|judgment)\b" + _MD
    + r"[:=\-]?" + _MD + r"(yes|no|1|0)\b", re.IGNORECASE)
_YES_NO_WORD_RE = re.compile(r"\b(yes|no)\b", re.IGNORECASE)


def _to_number(token: str) -> float | None:
    token = token.strip().lower()
    if token in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[token])
    try:
        value = float(token)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _json_value(text: str, keys: Sequence[str]) -> Any:
    """The first value under one of ``keys`` in a JSON object found in ``text`` (else None)."""
    for match in _JSON_OBJ_RE.finditer(text):
        try:
            obj = json.loads(match.group())
        except ValueError:
            continue
        if isinstance(obj, dict):
            lowered = {str(k).strip().lower(): v for k, v in obj.items()}
            for key in keys:
                if key in lowered:
                    return lowered[key]
    return None


def _in_range(value: float | None, lo: float, hi: float) -> float | None:
    return value if value is not None and lo <= value <= hi else None


def _last_in_range(regex: re.Pattern[str], text: str, lo: float, hi: float) -> float | None:
    found = [_to_number(m.group(1)) for m in regex.finditer(text)]
    found = [v for v in found if v is not None and lo <= v <= hi]
    return found[-1] if found else None


def _unique_standalone(text: str, lo: float, hi: float) -> float | None:
    """The one in-range number left once range mentions ("1-5", "out of 5") are removed."""
    stripped = _SCALE_RE.sub(" ", _RANGE_RE.sub(" ", text))
    values = {_to_number(m.group(1)) for m in _STANDALONE_RE.finditer(stripped)}
    values = {v for v in values if v is not None and lo <= v <= hi}
    return values.pop() if len(values) == 1 else None


def parse_aloe_score(text: str, lo: int = 1, hi: int = 5) -> float | None:
    """A 1-5 score from a judge's answer, or ``None`` when there is none or it is ambiguous.

    Tried in order (the first that yields an in-range number wins; within one form the last
    occurrence): a JSON object's ``score``/``rating`` key; ``\\boxed{N}``; ``N/5`` or
    ``N out of 5``; a marker (``Score: N``, ``Rating - **N**``, ``score of N``); ``give it a N``;
    ``**N**``; else the one distinct in-range number in the text (range mentions such as ``1-5``
    ignored) -- two different ones are ambiguous. Out-of-range numbers are never clipped.
    """
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not text:
        return None
    value = _json_value(text, _JSON_SCORE_KEYS)
    if value is not None and not isinstance(value, bool):
        number = _to_number(str(value)) if isinstance(value, (int, float, str)) else None
        if _in_range(number, lo, hi) is not None:
            return number
    for regex in (_BOXED_RE, _OUT_OF_RE, _SCORE_MARKER_RE, _GIVE_RE, _BOLD_RE):
        value = _last_in_range(regex, text, lo, hi)
        if value is not None:
            return value
    return _unique_standalone(text, lo, hi)


def parse_yes_no(text: str) -> float | None:
    """``1.0`` for yes, ``0.0`` for no, ``None`` when unparseable or ambiguous.

    Tried in order: a JSON object's ``verdict``/``answer``/``score`` key (``"yes"``/``"no"``,
    ``true``/``false``, ``1``/``0``); ``\\boxed{1|0}``; a marker (``Verdict: No``, ``Answer: yes``);
    the first word (``"Yes."``, ``"**No**, because..."``; ambiguous when its sentence also holds
    the other word: ``"Yes and no"``); a bare ``1``/``0``; else the only one of yes/no occurring
    as a word (both present: ambiguous).
    """
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not text:
        return None
    value = _json_value(text, _JSON_SCORE_KEYS)
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)) and value in (0, 1):
        return float(value)
    if isinstance(value, str) and value.strip().lower() in ("yes", "no", "1", "0", "true", "false"):
        return 1.0 if value.strip().lower() in ("yes", "1", "true") else 0.0
    boxed = [m.group(1) for m in _BOXED_RE.finditer(text) if m.group(1) in ("0", "1")]
    if boxed:
        return float(boxed[-1])
    markers = [m.group(1).lower() for m in _YES_NO_MARKER_RE.finditer(text)]
    if markers:
        return 1.0 if markers[-1] in ("yes", "1") else 0.0
    first = re.match(r"[\s*_`\"'#>]*([A-Za-z]+|\d+)\b", text)
    if first and first.group(1).lower() in ("yes", "no"):
        sentence = re.split(r"[.!?;\n]", text, maxsplit=1)[0]
        if len({m.group(1).lower() for m in _YES_NO_WORD_RE.finditer(sentence)}) > 1:
            return None  # "Yes and no"
        return 1.0 if first.group(1).lower() == "yes" else 0.0
    if text.strip(" \t\n.*_`\"'") in ("1", "0"):
        return float(text.strip(" \t\n.*_`\"'"))
    words = {m.group(1).lower() for m in _YES_NO_WORD_RE.finditer(text)}
    if len(words) == 1:
        return 1.0 if words.pop() == "yes" else 0.0
    return None


def parse_count(text: str, hi: int | None = None) -> int | None:
    """A non-negative integer count (``Covered: 3``, ``{"covered": 3}``, ``**3**``, ``3``), or None.

    Tried in order: JSON (``covered``/``count``/... keys); ``\\boxed{K}``; a marker
    (``Covered: K``, ``Count = K``, ``the answer is K``); ``**K**``; else the one distinct
    integer in the text (``"3 of 5"`` reads as 3). ``hi`` is not enforced here (the caller clips);
    non-integers are rejected.
    """
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not text:
        return None

    def as_int(v: Any) -> int | None:
        if isinstance(v, bool) or v is None:
            return None
        number = _to_number(str(v)) if isinstance(v, (int, float, str)) else None
        if number is None or number < 0 or not float(number).is_integer():
            return None
        return int(number)

    value = as_int(_json_value(text, _JSON_COUNT_KEYS))
    if value is not None:
        return value
    for regex in (_BOXED_RE, _COVERED_RE, _BOLD_RE):
        found = [as_int(m.group(1)) for m in regex.finditer(text)]
        found = [v for v in found if v is not None]
        if found:
            return found[-1]
    k_of_n = re.search(r"\b(\d+)\s*(?:/|out\s+of|of)\s*(\d+)\b", text, re.IGNORECASE)
    if k_of_n:
        return int(k_of_n.group(1))
    values = {as_int(m.group(1)) for m in _STANDALONE_RE.finditer(text)}
    values.discard(None)
    return values.pop() if len(values) == 1 else None


# ============================================================================ results


@dataclass(frozen=True, eq=False)
class LLMJudgeResult:
    """The LLM response judge's verdicts on a batch of ``B`` replies.

    Attributes:
        scale: ``"aloe"`` or ``"rlpa"``.
        scores: ``float [B]``, the verdict on the judge's scale (ALOE 1-5, RLPA 0/1); NaN where
            missing.
        normalised: ``float [B]`` in [0, 1] (ALOE ``(s - 1) / 4``, RLPA the verdict); NaN where
            missing.
        missing: ``bool [B]``, no verdict could be parsed even after the retries.
        retried: ``bool [B]``, the first answer was unparseable and the judge was asked again.
        raw: the judge's last answer per reply (after any retry).
    """

    scale: str
    scores: np.ndarray
    normalised: np.ndarray
    missing: np.ndarray
    retried: np.ndarray
    raw: tuple[str, ...]

    @property
    def n_missing(self) -> int:
        return int(self.missing.sum())

    def mean(self) -> float:
        """Mean normalised score over the verdicts that exist (NaN if none)."""
        return float(np.mean(self.normalised[~self.missing])) if (~self.missing).any() else math.nan

    def filled(self, value: float) -> np.ndarray:
        """``normalised`` with missing verdicts replaced by ``value`` (an explicit choice)."""
        return np.where(self.missing, float(value), self.normalised)

    def __len__(self) -> int:
        return int(self.scores.shape[0])


@dataclass(frozen=True, eq=False)
class LLMProfileResult:
    """The LLM profile judge's verdicts on a batch of ``B`` profile guesses.

    Attributes:
        covered: ``float [B]``, inferred items the judge found covered by the gold profile
            (clipped to ``[0, n_inferred]``); NaN where missing.
        n_inferred: ``int [B]``, items of the guess (as :func:`parse_profile` splits it).
        n_gold: ``int [B]``, items of the gold profile.
        precision, recall, f1: ``float [B]`` in [0, 1]; NaN where missing.
        missing: ``bool [B]``, no count could be parsed even after the retries.
        retried: ``bool [B]``, the first answer was unparseable.
        clipped: ``bool [B]``, the judge's count exceeded ``n_inferred`` and was clipped.
        raw: the judge's last answer per guess (``""`` where the model was not asked: empty guess
            or empty gold profile).
    """

    covered: np.ndarray
    n_inferred: np.ndarray
    n_gold: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    missing: np.ndarray
    retried: np.ndarray
    clipped: np.ndarray
    raw: tuple[str, ...]

    @property
    def n_missing(self) -> int:
        return int(self.missing.sum())

    def __len__(self) -> int:
        return int(self.f1.shape[0])


# ============================================================================ shared machinery


def _check_backend(backend: Any) -> None:
    if not callable(getattr(backend, "generate", None)):
        raise TypeError(f"backend must implement ChatBackend.generate(chats, ...), got "
                        f"{type(backend).__name__}")


def _judge_batch(backend: Any, chats: list[list[dict[str, str]]], parse: Callable[[str], Any],
                 retry_message: Callable[[int], str], *, retries: int, max_new_tokens: int,
                 temperature: float, seed: int | None) -> tuple[list[Any], list[str], np.ndarray]:
    """One batched call, then up to ``retries`` batched calls for the unparseable answers.

    Returns the parsed values (``None`` where missing), the last raw answers and the retried mask.
    """
    n = len(chats)
    parsed: list[Any] = [None] * n
    raw: list[str] = [""] * n
    retried = np.zeros(n, dtype=bool)
    if n == 0:
        return parsed, raw, retried
    outputs = backend.generate(chats, max_new_tokens=max_new_tokens, temperature=temperature, seed=seed)
    _check_outputs(outputs, n, backend)
    for i, text in enumerate(outputs):
        raw[i] = text
        parsed[i] = parse(text)
    for round_ in range(retries):
        todo = [i for i in range(n) if parsed[i] is None]
        if not todo:
            break
        retry_chats = [chats[i] + [{"role": "assistant", "content": raw[i] or "(no answer)"},
                                   {"role": "user", "content": retry_message(i)}] for i in todo]
        retry_seed = None if seed is None else int(seed) + round_ + 1
        outputs = backend.generate(retry_chats, max_new_tokens=max_new_tokens,
                                   temperature=temperature, seed=retry_seed)
        _check_outputs(outputs, len(todo), backend)
        for i, text in zip(todo, outputs):
            retried[i] = True
            raw[i] = text
            parsed[i] = parse(text)
    return parsed, raw, retried


def _check_outputs(outputs: Any, n: int, backend: Any) -> None:
    if not isinstance(outputs, (list, tuple)) or len(outputs) != n:
        got = len(outputs) if isinstance(outputs, (list, tuple)) else type(outputs).__name__
        raise RuntimeError(f"backend {getattr(backend, 'name', backend)!r} returned {got} "
                           f"completions for {n} chats")
    bad = [type(o).__name__ for o in outputs if not isinstance(o, str)]
    if bad:
        raise RuntimeError(f"backend {getattr(backend, 'name', backend)!r} returned non-string "
                           f"completions ({bad[0]})")


def _as_card(persona: Any) -> str:
    card = getattr(persona, "card", None)
    if callable(card):
        return str(card())
    if isinstance(persona, str):
        return persona
    raise TypeError(f"a persona must be a persona card (str) or have .card(), got {type(persona).__name__}")


def _check_lengths(**lists: Sequence[Any]) -> int:
    lengths = {name: len(v) for name, v in lists.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"batch lists must have the same length, got {lengths}")
    for name, values in lists.items():
        if isinstance(values, str):
            raise TypeError(f"{name} must be a list of strings, not one string")
    return next(iter(lengths.values()), 0)


def _tail(text: str, limit: int) -> str:
    """The newest ``limit`` characters of ``text``, cut at a line start, marked ``[...]``."""
    text = str(text).strip()
    if len(text) <= limit:
        return text
    cut = text[-limit:]
    nl = cut.find("\n")
    if 0 <= nl < len(cut) - 1:
        cut = cut[nl + 1:]
    return "[...]\n" + cut


# ============================================================================ judges


class LLMResponseJudge:
    """Scores replies with an LLM judge on ALOE's 1-5 scale or RLPA's gated 0/1 verdict.

    Args:
        backend: any :class:`~persona_env.llm.ChatBackend`.
        scale: ``"aloe"`` (:data:`ALOE_RESPONSE_PROMPT`, 1-5) or ``"rlpa"``
            (:data:`RLPA_RESPONSE_PROMPT`, Yes/No).
        max_new_tokens: generation budget of each verdict.
        retries: batched retry rounds for unparseable verdicts (default 1; 0 disables).
        temperature: sampling temperature (0 = greedy, the default).
        seed: forwarded to the backend (retry round ``k`` uses ``seed + k``).
        max_dialogue_chars: only the newest characters of the conversation are shown.
    """

    def __init__(self, backend: Any, scale: str = "aloe", max_new_tokens: int = 64, retries: int = 1,
                 temperature: float = 0.0, seed: int | None = None,
                 max_dialogue_chars: int = 6000) -> None:
        _check_backend(backend)
        if scale not in JUDGE_SCALES:
            raise ValueError(f"unknown scale {scale!r}; expected one of {list(JUDGE_SCALES)}")
        if int(retries) < 0:
            raise ValueError(f"retries must be >= 0, got {retries}")
        if int(max_new_tokens) < 1:
            raise ValueError(f"max_new_tokens must be >= 1, got {max_new_tokens}")
        self.backend = backend
        self.scale = scale
        self.max_new_tokens = int(max_new_tokens)
        self.retries = int(retries)
        self.temperature = float(temperature)
        self.seed = seed
        self.max_dialogue_chars = int(max_dialogue_chars)
        self.prompt = ALOE_RESPONSE_PROMPT if scale == "aloe" else RLPA_RESPONSE_PROMPT
        self.retry_prompt = RETRY_RESPONSE_ALOE if scale == "aloe" else RETRY_RESPONSE_RLPA

    def __repr__(self) -> str:
        return f"LLMResponseJudge({getattr(self.backend, 'name', self.backend)!r}, scale={self.scale!r})"

    def parse(self, text: str) -> float | None:
        """The verdict on this judge's scale, or ``None``."""
        return parse_aloe_score(text) if self.scale == "aloe" else parse_yes_no(text)

    def build_chats(self, replies: Sequence[str], personas: Sequence[Any], dialogues: Sequence[str],
                    requests: Sequence[str]) -> list[list[dict[str, str]]]:
        """The judge chats (system + one user message each), in batch order."""
        _check_lengths(replies=replies, personas=personas, dialogues=dialogues, requests=requests)
        chats = []
        for reply, persona, dialogue, request in zip(replies, personas, dialogues, requests):
            content = self.prompt.format(
                persona=_as_card(persona).strip() or "(unknown)",
                dialogue=_tail(dialogue, self.max_dialogue_chars) or "(no earlier messages)",
                request=str(request).strip() or "(none)",
                reply=str(reply).strip() or "(empty response)")
            chats.append([{"role": "system", "content": JUDGE_SYSTEM_PROMPT},
                          {"role": "user", "content": content}])
        return chats

    def score_texts(self, replies: Sequence[str], personas: Sequence[Any], dialogues: Sequence[str],
                    requests: Sequence[str]) -> LLMJudgeResult:
        """Judge a batch: ``replies[i]`` to ``requests[i]`` in ``dialogues[i]`` for ``personas[i]``.

        ``personas`` are persona cards (:meth:`Persona.card`) or objects with ``.card()``. One
        batched backend call, plus one batched call per retry round for unparseable verdicts.
        """
        chats = self.build_chats(replies, personas, dialogues, requests)
        parsed, raw, retried = _judge_batch(
            self.backend, chats, self.parse, lambda i: self.retry_prompt, retries=self.retries,
            max_new_tokens=self.max_new_tokens, temperature=self.temperature, seed=self.seed)
        n = len(chats)
        missing = np.array([p is None for p in parsed], dtype=bool)
        scores = np.array([math.nan if p is None else float(p) for p in parsed], dtype=np.float64)
        if self.scale == "aloe":
            normalised = (scores - 1.0) / 4.0
        else:
            normalised = scores.copy()
        return LLMJudgeResult(self.scale, scores.reshape(n), normalised.reshape(n), missing.reshape(n),
                              retried, tuple(raw))


class LLMProfileJudge:
    """RLPA's LLM profile judge: the model counts the inferred items the gold profile covers.

    Args:
        backend: any :class:`~persona_env.llm.ChatBackend`.
        max_new_tokens: generation budget of each count.
        retries: batched retry rounds for unparseable counts (default 1).
        schema: the schema used to split guesses into items and label their slots.
        temperature, seed: as for :class:`LLMResponseJudge`.
    """

    def __init__(self, backend: Any, max_new_tokens: int = 32, retries: int = 1,
                 schema: PersonaSchema = DEFAULT_SCHEMA, temperature: float = 0.0,
                 seed: int | None = None) -> None:
        _check_backend(backend)
        if int(retries) < 0:
            raise ValueError(f"retries must be >= 0, got {retries}")
        if int(max_new_tokens) < 1:
            raise ValueError(f"max_new_tokens must be >= 1, got {max_new_tokens}")
        self.backend = backend
        self.max_new_tokens = int(max_new_tokens)
        self.retries = int(retries)
        self.schema = schema
        self.temperature = float(temperature)
        self.seed = seed

    def __repr__(self) -> str:
        return f"LLMProfileJudge({getattr(self.backend, 'name', self.backend)!r})"

    # -- items ---------------------------------------------------------------------------------
    def _label(self, item: GuessItem) -> str:
        if item.slot is not None and self.schema.has_slot(item.slot):
            return f"{self.schema.slot(item.slot).label}: {item.text}"
        return item.text

    def inferred_items(self, profile: str) -> list[str]:
        """The guess's items as shown to the judge (``"Occupation: nurse"``)."""
        return [self._label(it) for it in parse_profile(str(profile), self.schema).items]

    def gold_count(self, gold: Any) -> int:
        """Items of a gold profile: a Persona's ``items()``, else the parsed card's items."""
        items = getattr(gold, "items", None)
        if callable(items) and not isinstance(gold, (str, dict)):
            return len(items())
        return len(parse_profile(_as_card(gold), self.schema).items)

    def build_chats(self, profiles: Sequence[str], golds: Sequence[Any]) -> list[list[dict[str, str]]]:
        """The judge chats for the guesses with at least one item and a non-empty gold profile."""
        chats, _ = self._prepare(profiles, golds)
        return chats

    def _prepare(self, profiles: Sequence[str], golds: Sequence[Any]):
        _check_lengths(profiles=profiles, golds=golds)
        chats, meta = [], []
        for profile, gold in zip(profiles, golds):
            items = self.inferred_items(profile)
            n_gold = self.gold_count(gold)
            meta.append((len(items), n_gold))
            if items and n_gold:
                listing = "\n".join(f"{k}. {text}" for k, text in enumerate(items, 1))
                content = RLPA_PROFILE_PROMPT.format(gold=_as_card(gold).strip(), items=listing,
                                                     n_items=len(items))
                chats.append([{"role": "system", "content": JUDGE_SYSTEM_PROMPT},
                              {"role": "user", "content": content}])
        return chats, meta

    # -- scoring -------------------------------------------------------------------------------
    def score_texts(self, profiles: Sequence[str], golds: Sequence[Any]) -> LLMProfileResult:
        """Judge a batch of profile guesses (RLPA-format profile text) against gold profiles.

        ``golds`` are :class:`~persona_env.persona.Persona` objects or persona cards. One batched
        backend call for the guesses that have items, plus one per retry round for unparseable
        counts; an empty guess (or empty gold) scores 0 without a call.
        """
        chats, meta = self._prepare(profiles, golds)
        asked = [i for i, (n_inf, n_gold) in enumerate(meta) if n_inf and n_gold]
        limits = [meta[i][0] for i in asked]
        parsed, raw_asked, retried_asked = _judge_batch(
            self.backend, chats, parse_count,
            lambda j: RETRY_PROFILE.format(n_items=limits[j]), retries=self.retries,
            max_new_tokens=self.max_new_tokens, temperature=self.temperature, seed=self.seed)
        n = len(meta)
        n_inferred = np.array([m[0] for m in meta], dtype=np.int64)
        n_gold = np.array([m[1] for m in meta], dtype=np.int64)
        covered = np.zeros(n, dtype=np.float64)
        missing = np.zeros(n, dtype=bool)
        retried = np.zeros(n, dtype=bool)
        clipped = np.zeros(n, dtype=bool)
        raw = [""] * n
        for j, i in enumerate(asked):
            raw[i] = raw_asked[j]
            retried[i] = retried_asked[j]
            if parsed[j] is None:
                missing[i] = True
                covered[i] = math.nan
            else:
                clipped[i] = parsed[j] > n_inferred[i]
                covered[i] = float(min(parsed[j], n_inferred[i]))
        with np.errstate(invalid="ignore", divide="ignore"):
            precision = np.where(n_inferred > 0, covered / np.maximum(n_inferred, 1), 0.0)
            recall = np.where(n_gold > 0, np.minimum(covered, n_gold) / np.maximum(n_gold, 1), 0.0)
            denom = precision + recall
            f1 = np.where(denom > 0, 2.0 * precision * recall / np.where(denom > 0, denom, 1.0), 0.0)
        for arr in (precision, recall, f1):
            arr[missing] = math.nan
        return LLMProfileResult(covered, n_inferred, n_gold, precision, recall, f1, missing, retried,
                                clipped, tuple(raw))
