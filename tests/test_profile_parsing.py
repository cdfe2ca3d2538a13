"""Tests for persona_env.profile_parsing: the lenient profile parser."""

from __future__ import annotations

import json
import time

import pytest

from persona_env.actions import MAX_PROFILE_CHARS, parse_assistant_action
from persona_env.profile_parsing import (
    FORMS,
    KEY_ALIASES,
    MAX_ITEMS,
    SLOT_ONLY_ALIASES,
    VALUE_ALIASES,
    GuessItem,
    ParsedProfile,
    age_bracket,
    match_key,
    normalise_text,
    parse_profile,
    scan_prose,
    surface_tables,
)
from persona_env.schema import DEFAULT_SCHEMA, PersonaSchema, Slot

S = DEFAULT_SCHEMA
AGES = S.slot("age").values

NASTY = [
    "", "   ", "\ud800\udfff", "\ud800", "x" * 10**6, "{{{", '{"age": [1, {"x": null}]}', "<profile>",
    "</response><profile>", "\U0001F600\U0001F389\U0001F44D", "a\x00b\x00c",
    "\u0647\u064a \u0645\u0645\u0631\u0636\u0629 \u062a\u062d\u0628 \u0627\u0644\u0645\u0634\u064a \u202e",
    "[" * 5000, '{"a":' * 3000, "- : \n:\n- \n*", "Age: 999999999999999999999", '{"age": 1e400}',
    '{"age": NaN, "gender": true, "interests": [[["hiking"]]]}', "```json\n{bad}\n```", "- " * 3000,
    "Interests:" * 500, "###\n##\n#", "1. \n2) \n(a) ", "\u00a0\u2003\u3000", "\ufeff- nurse",
    "Occupation: " + "nurse " * 1000, "- Favourite colour: " + ", ".join(["blue"] * 500),
]


def items(text: str, schema: PersonaSchema = S) -> list[tuple[str | None, str]]:
    return [(it.slot, it.text) for it in parse_profile(text, schema).items]


# ---------------------------------------------------------------------------- JSON
def test_json_object():
    p = parse_profile('{"occupation": "nurse", "Interests": ["hiking", "jazz"], "age": 29}')
    assert p.form == "json" and p.notes == ()
    assert items('{"occupation": "nurse", "Interests": ["hiking", "jazz"], "age": 29}') == [
        ("occupation", "nurse"), ("interests", "hiking"), ("interests", "jazz"), ("age", "29")]


@pytest.mark.parametrize("key", ["personality_traits", "Personality Traits", "PERSONALITY-TRAITS",
                                 "personality traits", "**Personality Traits**", "Personality traits (est.)",
                                 "traits", "personality"])
def test_json_keys_match_names_and_labels(key):
    assert items(json.dumps({key: ["curious"]})) == [("personality_traits", "curious")]


def test_json_string_value_split_for_list_slots_only():
    assert items('{"interests": "hiking, jazz and chess", "occupation": "nurse, teacher"}') == [
        ("interests", "hiking"), ("interests", "jazz"), ("interests", "chess"), ("occupation", "nurse, teacher")]


def test_json_numbers_and_floats():
    assert items('{"age": 29.0}') == [("age", "29")]
    assert items('{"age": 29.5}') == [("age", "29.5")]


def test_json_nested_garbage_ignored_with_note():
    p = parse_profile('{"age": [1, {"x": null}]}')
    assert p.form == "json"
    assert [(i.slot, i.text) for i in p.items] == [("age", "1")]
    assert p.notes == ("ignored nested value under 'age'",)


def test_json_null_and_bool_ignored_with_note():
    p = parse_profile('{"occupation": null, "gender": true}')
    assert p.items == ()
    assert p.notes == ("ignored non-text value under 'occupation'", "ignored non-text value under 'gender'")


def test_json_unknown_key():
    p = parse_profile('{"favourite colour": "blue", "occupation": "nurse"}')
    assert [(i.slot, i.text) for i in p.items] == [(None, "blue"), ("occupation", "nurse")]
    assert p.notes == ("unknown slot 'favourite colour'",)


def test_json_section_object_is_flattened():
    assert items('{"profile": {"demographics": {"age": 29, "gender": "F"}, "job": "nurse"}}') == [
        ("age", "29"), ("gender", "F"), ("occupation", "nurse")]


def test_json_top_level_list_gives_unslotted_items():
    assert items('["nurse", "loves hiking"]') == [(None, "nurse"), (None, "hiking")]


def test_json_in_code_fence():
    p = parse_profile('```json\n{"occupation": "nurse"}\n```')
    assert p.form == "json" and [(i.slot, i.text) for i in p.items] == [("occupation", "nurse")]


def test_malformed_json_falls_back_with_note():
    p = parse_profile('{"occupation": "nurse",\n"interests": ["hiking"')
    assert p.form == "list"
    assert "malformed JSON; parsed as text" in p.notes
    assert ("occupation", "nurse") in [(i.slot, i.text) for i in p.items]


# ---------------------------------------------------------------------------- list lines
def test_rlpa_list_lines():
    text = "- Occupation: nurse\n- Interests: hiking, jazz; chess and yoga\n* age: 29\n- nurse\n1. Gender: female\n2) Location: big city"
    p = parse_profile(text)
    assert p.form == "list" and p.notes == ()
    assert [(i.slot, i.text) for i in p.items] == [
        ("occupation", "nurse"), ("interests", "hiking"), ("interests", "jazz"), ("interests", "chess"),
        ("interests", "yoga"), ("age", "29"), (None, "nurse"), ("gender", "female"), ("location", "big city")]


def test_key_value_lines_without_bullets_and_dash_separator():
    assert items("Occupation: nurse\nEducation Background: BSc\nLocation - by the sea") == [
        ("occupation", "nurse"), ("education", "BSc"), ("location", "by the sea")]


def test_markdown_emphasis_is_stripped():
    assert items("- **Occupation:** Nurse\n- __Interests__: *Hiking*, `jazz`") == [
        ("occupation", "Nurse"), ("interests", "Hiking"), ("interests", "jazz")]


def test_section_headers():
    text = "## Interests\n- hiking\n- jazz\n\nOccupation:\n- nurse\n\nNotes\nShe seems kind."
    assert items(text) == [("interests", "hiking"), ("interests", "jazz"), ("occupation", "nurse")]


def test_single_slot_value_not_split():
    assert items("- Location: small town, by the sea") == [("location", "small town, by the sea")]


def test_unknown_key_note_and_unslotted_items():
    p = parse_profile("- Favourite colour: blue, green\n- Summary: a nurse who hikes")
    assert [(i.slot, i.text) for i in p.items] == [(None, "blue"), (None, "green"), (None, "nurse"), (None, "hikes")]
    assert p.notes == ("unknown slot 'Favourite colour'", "unknown slot 'Summary'")


def test_keyless_bullet_is_scanned_or_kept_raw():
    assert items("- Works as a nurse and loves jazz\n- Likes the colour blue") == [
        (None, "nurse"), (None, "jazz"), (None, "Likes the colour blue")]


def test_placeholders_are_not_guesses():
    p = parse_profile("- Occupation: unknown\n- Age: N/A\n- Gender: (not mentioned)\n- Diet: ?\n- Interests: hiking, unclear")
    assert [(i.slot, i.text) for i in p.items] == [("interests", "hiking")]
    assert p.notes == ("skipped placeholder values",)


def test_deduplication():
    assert items("- nurse\n- Nurse\n- Occupation: nurse\n- occupation:  NURSE \n- Interests: jazz, Jazz") == [
        (None, "nurse"), ("occupation", "nurse"), ("interests", "jazz")]


def test_item_cap_with_note():
    text = "\n".join(f"- thing{i}" for i in range(300))
    assert len(text) < MAX_PROFILE_CHARS
    p = parse_profile(text)
    assert len(p.items) == MAX_ITEMS == 200
    assert p.items[-1] == GuessItem(None, "thing199")
    assert p.notes == ("kept the first 200 items",)


def test_long_text_truncated_with_note():
    p = parse_profile("- Occupation: nurse\n" + "x" * 10_000)
    assert p.notes[0] == "profile truncated to 4000 chars"
    assert p.items[0] == GuessItem("occupation", "nurse")
    assert all(len(i.text) <= 200 for i in p.items)


# ---------------------------------------------------------------------------- prose
def test_prose_scan():
    p = parse_profile("Probably a nurse in her thirties who loves hiking and jazz.")
    assert p.form == "prose"
    assert [(i.slot, i.text) for i in p.items] == [(None, "nurse"), (None, "thirties"), (None, "hiking"), (None, "jazz")]


def test_prose_aliases_plurals_and_ages():
    assert items("I think they're a 34-year-old programmer with two teenagers, living in the suburbs; has dogs.") == [
        (None, "34-year-old"), (None, "programmer"), (None, "teenagers"), (None, "suburbs"), (None, "has dogs")]


def test_prose_dislike_cue_and_negation():
    assert items("Loves coffee but hates crowds; can't stand horror films. Isn't married. Not a fan of seafood.") == [
        (None, "coffee"), ("dislikes", "crowds"), ("dislikes", "horror films"), ("dislikes", "seafood")]
    # a negated phrase the alias table knows is kept (and resolves to its own value)
    assert items("She is not married and has no kids.") == [(None, "not married"), (None, "has no kids")]


def test_prose_no_gender_from_pronouns():
    assert items("She is a woman in her early 30s.") == [(None, "early 30s")]


def test_prose_nothing_found_note():
    p = parse_profile("The user seems pleasant.")
    assert p.form == "prose" and p.items == ()
    assert p.notes == ("no recognisable values in prose",)


def test_scan_prose_function():
    assert scan_prose("aged 41, works from home, early bird") == [
        GuessItem(None, "aged 41"), GuessItem(None, "works from home"), GuessItem(None, "early bird")]


# ---------------------------------------------------------------------------- forms, RLPA pipe
@pytest.mark.parametrize("text,form", [
    ("", "empty"), ("  \n\t ", "empty"), ('{"job": "nurse"}', "json"), ("- nurse", "list"),
    ("Occupation: nurse", "list"), ("a nurse", "prose"),
])
def test_forms(text, form):
    assert parse_profile(text).form == form


def test_rlpa_string_through_action_parser():
    act = parse_assistant_action(
        "<profile>\n- Occupation: nurse\n- Interests: hiking, jazz\n</profile>\n\n<response>\nHi!\n</response>")
    assert items(act.profile) == [("occupation", "nurse"), ("interests", "hiking"), ("interests", "jazz")]


# ---------------------------------------------------------------------------- helpers
@pytest.mark.parametrize("text,expected", [
    ("The Dogs!", "dog"), ("Bachelor's degree", "bachelor degree"), ("gluten-free", "gluten free"),
    ("Has a CAT", "has cat"), ("her", "her"), ("Documentaries", "documentary"), ("chess", "chess"),
    ("\uff2e\uff55\uff52\uff53\uff45", "nurse"), ("", ""), ("\ud800", ""),
])
def test_normalise_text(text, expected):
    assert normalise_text(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("29", "25-34"), ("18", "18-24"), ("65", "65+"), ("120", "65+"), ("17", None), ("121", None), ("1", None),
    ("25-34", "25-34"), ("65+", "65+"), ("30 to 35", "25-34"), ("twenties", "25-34"), ("late twenties", "25-34"),
    ("early thirties", "25-34"), ("30s", "35-44"), ("in her 40s", "45-54"), ("mid-thirties", "35-44"),
    ("late 30s", "35-44"), ("thirty-something", "35-44"), ("around 29 years old", "25-34"), ("over 65", "65+"),
    ("under 25", "18-24"), ("middle-aged", "45-54"), ("elderly", "65+"), ("young", None), ("", None),
])
def test_age_bracket(text, expected):
    assert age_bracket(text, AGES) == expected


def test_age_bracket_with_cue_required():
    assert age_bracket("29", AGES, require_cue=True) is None
    assert age_bracket("29 years old", AGES, require_cue=True) == "25-34"
    assert age_bracket("in her thirties", AGES, require_cue=True, max_other_words=4) == "35-44"
    assert age_bracket("has been married for 20 years old friends say", AGES, require_cue=True,
                       max_other_words=4) is None


@pytest.mark.parametrize("key,slot", [
    ("Occupation", "occupation"), ("job", "occupation"), ("Education Background", "education"),
    ("education_background", "education"), ("Hobbies", "interests"), ("Emoji Use", "emoji"),
    ("Other Information", "other"), ("Age (approx.)", "age"), ("Favourite colour", None), ("", None),
])
def test_match_key(key, slot):
    assert match_key(key) == slot


def test_alias_tables_name_real_values_and_are_unambiguous():
    for table in (VALUE_ALIASES, SLOT_ONLY_ALIASES):
        for slot, by_value in table.items():
            assert S.has_slot(slot), slot
            for value in by_value:
                assert S.has_item(slot, value), (slot, value)
    assert all(S.has_slot(s) for s in KEY_ALIASES.values())
    tables = surface_tables(S)
    assert tables.ambiguous == ()
    # an unslotted surface form never names two different values
    assert all(len({v for _, v in pairs}) == 1 for pairs in tables.anywhere.values())


def test_custom_schema_without_age_or_aliases():
    schema = PersonaSchema((Slot("pet", "Pet", "single", ("dog", "cat")),))
    assert items("- Pet: dogs\nlikes cats", schema) == [("pet", "dogs"), (None, "cats")]
    assert items("in her thirties", schema) == []


# ---------------------------------------------------------------------------- robustness, speed
@pytest.mark.parametrize("text", NASTY, ids=range(len(NASTY)))
def test_nasty_strings_never_raise(text):
    p = parse_profile(text)
    assert isinstance(p, ParsedProfile) and p.form in FORMS
    assert len(p.items) <= MAX_ITEMS
    for it in p.items:
        assert isinstance(it, GuessItem) and isinstance(it.text, str) and it.text
        assert it.slot is None or S.has_slot(it.slot)
        assert len(it.text) <= 200
        it.text.encode("utf-8")
    assert all(isinstance(n, str) for n in p.notes)


def test_nasty_notes():
    assert parse_profile("{{{").notes[0] == "malformed JSON; parsed as text"
    assert parse_profile("\ud800\udfff").notes[0] == "replaced invalid characters"
    assert parse_profile("a\x00b").notes[0] == "removed control characters"
    assert parse_profile("x" * 10**6).notes[0] == "profile truncated to 4000 chars"


def test_type_errors_name_the_fix():
    with pytest.raises(TypeError, match="parse_assistant_action"):
        parse_profile({"profile": "x", "reply": "y"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="DEFAULT_SCHEMA"):
        parse_profile("x", schema="default")  # type: ignore[arg-type]


def _best_ms(text: str, repeat: int = 15) -> float:
    parse_profile(text)
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        parse_profile(text)
        best = min(best, time.perf_counter() - t0)
    return best * 1000


def test_parsing_speed_4000_chars():
    # Typically ~0.3-2 ms on one core; the bound is loose so a busy CI machine does not flake.
    lines = "\n".join(f"- {s.label}: {', '.join(s.values[:3])}" for s in S.slots)
    list_text = ((lines + "\n") * 20)[:4000]
    prose = (("Probably a nurse in her thirties who loves hiking and jazz, but hates crowds. Lives in a small "
              "town by the sea, has teenagers and is learning Spanish; prefers concise replies. ") * 30)[:4000]
    json_text = json.dumps({s.name: list(s.values) for s in S.slots})[:4000]
    for text in (list_text, prose, json_text):
        assert len(text) == 4000 or text.startswith("{")
        assert _best_ms(text) < 10.0
