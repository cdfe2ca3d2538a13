"""Checks on the simulated user's lexicon (persona_env.lexicon) against DEFAULT_SCHEMA."""

from __future__ import annotations

import itertools
import re
import string

import pytest

from persona_env import lexicon
from persona_env.requests import REQUESTS
from persona_env.schema import DEFAULT_SCHEMA

SLOTS = DEFAULT_SCHEMA.slots
SLOT_NAMES = DEFAULT_SCHEMA.slot_names

#: (slot, value) pairs whose specific hints may name the value as a whole word. Empty: every
#: specific hint paraphrases its value.
VALUE_NAMING_ALLOWLIST: frozenset[tuple[str, str]] = frozenset()

REACTION_KEYS = {
    "too_long", "too_short", "too_formal", "too_casual", "unwanted_emoji", "wants_emoji",
    "too_jokey", "too_serious", "too_blunt", "too_vague", "disliked_topic", "diet_violation",
    "over_budget", "repetition", "flattery", "off_topic", "satisfied", "neutral", "quit",
    "follow_up",
}
PLACEHOLDERS = {"disliked_topic": "topic", "diet_violation": "diet"}

_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")


def _names_value(text: str, value: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(value) + r"(?!\w)", text, re.IGNORECASE) is not None


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _specific() -> list[tuple[str, str, str]]:
    return [(s, v, p) for s, by_v in lexicon.SPECIFIC_HINTS.items() for v, ps in by_v.items() for p in ps]


def _answers() -> list[tuple[str, str, str]]:
    return [(s, v, p) for s, by_v in lexicon.DIRECT_ANSWERS.items() for v, ps in by_v.items() for p in ps]


def _ambiguous() -> list[tuple[str, str, tuple[str, ...]]]:
    return [(s, sentence, values) for s, pairs in lexicon.AMBIGUOUS_HINTS.items()
            for sentence, values in pairs]


def _reaction_texts() -> list[str]:
    return [p for ps in lexicon.REACTIONS.values() for p in ps]


def _announcements_filled() -> list[str]:
    return [t.format(value=v) for slot in SLOTS for t in lexicon.DRIFT_ANNOUNCEMENTS[slot.name]
            for v in slot.values]


def _all_text() -> list[str]:
    """Every phrasing and template in the lexicon (question keywords aside)."""
    return (lexicon.all_phrasings() + list(lexicon.DEFLECTIONS) + _reaction_texts()
            + [t for ts in lexicon.DRIFT_ANNOUNCEMENTS.values() for t in ts])


# --- coverage ----------------------------------------------------------------------------------

@pytest.mark.parametrize("table", ["SPECIFIC_HINTS", "DIRECT_ANSWERS"])
def test_value_tables_cover_schema_exactly(table):
    data = getattr(lexicon, table)
    assert tuple(data) == SLOT_NAMES
    for slot in SLOTS:
        assert set(data[slot.name]) == set(slot.values), slot.name


@pytest.mark.parametrize("table", ["AMBIGUOUS_HINTS", "QUESTION_KEYWORDS", "DRIFT_ANNOUNCEMENTS"])
def test_slot_tables_cover_schema_exactly(table):
    assert tuple(getattr(lexicon, table)) == SLOT_NAMES


def test_specific_hints_at_least_three_distinct_and_sized():
    for slot in SLOTS:
        for value in slot.values:
            hints = lexicon.SPECIFIC_HINTS[slot.name][value]
            assert isinstance(hints, tuple)
            assert len(hints) >= 3, (slot.name, value)
            assert len({h.lower() for h in hints}) == len(hints), (slot.name, value)
            for h in hints:
                assert 6 <= len(h.split()) <= 20, (slot.name, value, h)


def test_specific_hints_do_not_name_their_value():
    offenders = [(s, v, p) for s, v, p in _specific()
                 if (s, v) not in VALUE_NAMING_ALLOWLIST and _names_value(p, v)]
    assert not offenders, offenders


def test_ambiguous_hints_are_well_formed():
    for slot in SLOTS:
        pairs = lexicon.AMBIGUOUS_HINTS[slot.name]
        assert isinstance(pairs, tuple)
        assert len(pairs) >= len(slot.values) // 2 + 1, slot.name
        for sentence, values in pairs:
            assert isinstance(values, tuple)
            assert 2 <= len(values) <= 3, (slot.name, sentence)
            assert len(set(values)) == len(values), (slot.name, sentence)
            assert set(values) <= set(slot.values), (slot.name, sentence, values)
            assert 5 <= len(sentence.split()) <= 20, (slot.name, sentence)
            for v in values:  # ambiguous hints paraphrase too
                assert not _names_value(sentence, v), (slot.name, sentence, v)


def test_every_value_has_an_ambiguous_hint():
    for slot in SLOTS:
        covered = {v for _, values in lexicon.AMBIGUOUS_HINTS[slot.name] for v in values}
        assert covered == set(slot.values), (slot.name, set(slot.values) - covered)


def test_direct_answers():
    for slot in SLOTS:
        for value in slot.values:
            answers = lexicon.DIRECT_ANSWERS[slot.name][value]
            assert isinstance(answers, tuple)
            assert len(answers) >= 2, (slot.name, value)


# --- uniqueness and decodability ---------------------------------------------------------------

def test_all_phrasings_collects_the_three_groups():
    expected = [p for _, _, p in _specific()] + [s for _, s, _ in _ambiguous()] + [p for _, _, p in _answers()]
    assert lexicon.all_phrasings() == expected


def test_every_phrasing_is_unique():
    texts = lexicon.all_phrasings() + list(lexicon.DEFLECTIONS) + _reaction_texts()
    lowered = [t.lower() for t in texts]
    dupes = sorted({t for t in lowered if lowered.count(t) > 1})
    assert not dupes, dupes


def test_no_phrasing_contains_another():
    phrasings = sorted({p.lower() for p in lexicon.all_phrasings()}, key=len)
    offenders = [(a, b) for a, b in itertools.combinations(phrasings, 2) if a in b]
    assert not offenders, offenders


def test_announcements_keep_cues_decodable():
    """The cue bank decodes filled drift announcements by substring search too."""
    cues = [p.lower() for p in lexicon.all_phrasings()]
    announcements = [a.lower() for a in _announcements_filled()]
    assert len(set(announcements)) == len(announcements)
    assert not set(announcements) & set(cues)
    everything = sorted(set(cues) | set(announcements), key=len)
    offenders = [(a, b) for a, b in itertools.combinations(everything, 2) if a in b]
    assert not offenders, offenders


def test_no_cue_hides_in_other_user_text():
    """Reactions, deflections and requests never contain a cue phrasing."""
    other = ([r.format(topic=t, diet=d) for r in _reaction_texts()
              for t in DEFAULT_SCHEMA.slot("dislikes").values for d in DEFAULT_SCHEMA.slot("diet").values]
             + list(lexicon.DEFLECTIONS) + [p for r in REQUESTS for p in r.phrasings])
    other = [o.lower() for o in other]
    cues = [p.lower() for p in lexicon.all_phrasings()] + [a.lower() for a in _announcements_filled()]
    offenders = [(c, o) for c in cues for o in other if c in o]
    assert not offenders, offenders


# --- form ----------------------------------------------------------------------------------------

def test_all_text_is_ascii_single_line_and_punctuated():
    for text in _all_text():
        assert text.isascii(), text
        assert "\n" not in text and "\r" not in text, text
        assert text == text.strip() and "  " not in text, text
        assert text[-1] in ".!?", text
        assert 1 <= len(_SENTENCE_END.findall(text)) <= 2, text


def test_question_keywords():
    for slot, phrases in lexicon.QUESTION_KEYWORDS.items():
        assert isinstance(phrases, tuple) and phrases, slot
        for p in phrases:
            assert p and p == p.lower() and p.isascii() and p == p.strip(), (slot, p)
    pairs = [(s, p) for s, ps in lexicon.QUESTION_KEYWORDS.items() for p in ps]
    offenders = [(a, b) for a, b in itertools.permutations(pairs, 2) if a[0] != b[0] and a[1] in b[1]]
    assert not offenders, offenders


def test_deflections():
    assert isinstance(lexicon.DEFLECTIONS, tuple)
    assert len(lexicon.DEFLECTIONS) >= 5
    assert len({d.lower() for d in lexicon.DEFLECTIONS}) == len(lexicon.DEFLECTIONS)
    for d in lexicon.DEFLECTIONS:
        assert not _fields(d), d


def test_drift_announcements():
    for slot in SLOTS:
        templates = lexicon.DRIFT_ANNOUNCEMENTS[slot.name]
        assert isinstance(templates, tuple)
        assert len(templates) >= 2, slot.name
        assert len(set(templates)) == len(templates), slot.name
        for t in templates:
            assert _fields(t) == {"value"}, (slot.name, t)
            for v in slot.values:
                assert v in t.format(value=v)


def test_reactions():
    assert set(lexicon.REACTIONS) == REACTION_KEYS
    for key, phrasings in lexicon.REACTIONS.items():
        assert isinstance(phrasings, tuple)
        assert len(phrasings) >= 3, key
        expected = {PLACEHOLDERS[key]} if key in PLACEHOLDERS else set()
        for p in phrasings:
            assert _fields(p) == expected, (key, p)
    for t in lexicon.REACTIONS["disliked_topic"]:
        for topic in DEFAULT_SCHEMA.slot("dislikes").values:
            assert topic in t.format(topic=topic)
    for t in lexicon.REACTIONS["diet_violation"]:
        for diet in DEFAULT_SCHEMA.slot("diet").values:
            assert diet in t.format(diet=diet)
