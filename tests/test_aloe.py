"""ALOE free-text personas: the importer, the rule-based slot extractor and the coverage report."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from persona_env.aloe import (
    FREE_SLOT,
    AloeFileError,
    FreeTextPersona,
    coverage_report,
    extract_slots,
    format_coverage,
    load_aloe,
    main,
    make_persona,
    read_aloe_strings,
    reduced_schema,
    split_facts,
)
from persona_env.persona import Persona
from persona_env.pool import PersonaFileError
from persona_env.rewards.profile import profile_f1_batch
from persona_env.schema import DEFAULT_SCHEMA

SAMPLE = Path(__file__).resolve().parent / "data" / "aloe_sample"
REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "aloe"


# ============================================================================ reading
def test_reads_the_fixture_skipping_blank_lines_and_splitting_glued_records():
    recs = read_aloe_strings(SAMPLE / "profile.jsonl")
    assert len(recs) == 5
    assert [(r.line, r.column) for r in recs][:3] == [(1, 1), (2, 1), (4, 1)]
    # line 4 holds two JSON strings with nothing between them, as ALOE's own file does
    assert recs[3].line == 4 and recs[3].column == len(json.dumps(recs[2].text)) + 1
    assert recs[3].text.startswith("She is a 23-year-old college student")
    assert all(isinstance(r.text, str) and r.text for r in recs)


def test_malformed_line_names_file_line_and_column():
    path = SAMPLE / "bad_profile.jsonl"
    with pytest.raises(AloeFileError) as ei:
        read_aloe_strings(path)
    err = ei.value
    assert isinstance(err, PersonaFileError)
    assert (err.line, err.column) == (2, 1)
    msg = str(err)
    assert str(path) in msg and ":2:" in msg and "column 1" in msg
    assert "Unterminated string" in msg


@pytest.mark.parametrize("content, line, column, words", [
    ('"ok"\n{"profile": "x"}\n', 2, 1, "got a JSON object"),
    ('"ok" 42\n', 1, 6, "got a JSON number"),
    ('"one", "two"\n', 1, 6, "expected a JSON string"),
    ('\n\n   [1, 2]\n', 3, 4, "got a JSON array"),
])
def test_non_string_records_are_rejected_with_their_position(tmp_path, content, line, column, words):
    p = tmp_path / "profile.jsonl"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(AloeFileError) as ei:
        read_aloe_strings(p)
    assert (ei.value.line, ei.value.column) == (line, column)
    assert words in str(ei.value) and str(p) in str(ei.value)


def test_invalid_utf8_names_line_and_column(tmp_path):
    p = tmp_path / "profile.jsonl"
    p.write_bytes(b'"fine"\n"caf\xff"\n')
    with pytest.raises(AloeFileError) as ei:
        read_aloe_strings(p)
    assert (ei.value.line, ei.value.column) == (2, 5)
    assert "UTF-8" in str(ei.value)


def test_bom_crlf_and_empty_strings_are_tolerated(tmp_path):
    p = tmp_path / "profile.jsonl"
    p.write_bytes('\ufeff"He is a 40-year-old chef."\r\n""\r\n\r\n"She is a nurse."\r\n'.encode())
    assert [r.text for r in read_aloe_strings(p)] == ["He is a 40-year-old chef.", "She is a nurse."]


# ============================================================================ loading and pairing
def test_load_pairs_every_profile_with_k_distinct_seeded_personalities():
    ps = load_aloe(SAMPLE / "profile.jsonl", SAMPLE / "personality.jsonl",
                   n_personalities_per_profile=2, seed=0)
    assert len(ps) == 10
    assert all(isinstance(p, FreeTextPersona) for p in ps)
    assert len({p.persona_id for p in ps}) == 10
    for i in range(5):
        mine = [p for p in ps if p.persona_id.startswith(f"aloe-{i:03d}-")]
        assert len(mine) == 2 and len({p.personality_text for p in mine}) == 2
        assert len({p.profile_text for p in mine}) == 1
    again = load_aloe(SAMPLE / "profile.jsonl", SAMPLE / "personality.jsonl", 2, seed=0)
    assert [p.persona_id for p in again] == [p.persona_id for p in ps]
    all3 = load_aloe(SAMPLE / "profile.jsonl", SAMPLE / "personality.jsonl", 3, seed=5)
    assert {p.persona_id[-2:] for p in all3} == {"00", "01", "02"}


@pytest.mark.parametrize("k", [0, 4, -1, 1.5, True])
def test_load_rejects_impossible_k(k):
    with pytest.raises(ValueError, match="n_personalities_per_profile"):
        load_aloe(SAMPLE / "profile.jsonl", SAMPLE / "personality.jsonl", k)


def test_persona_fields_card_and_truth_vector():
    p = load_aloe(SAMPLE / "profile.jsonl", SAMPLE / "personality.jsonl", 1, seed=0)[0]
    assert p.card() == f"Profile: {p.profile_text}\nPersonalities: {p.personality_text}"
    assert p.facts == split_facts(p.profile_text) and len(p.facts) == 4
    assert len(p.traits) == 4
    assert isinstance(p.persona, Persona)
    assert set(p.persona.schema.slot_names) == set(p.slot_values)
    vec = p.truth_vector()
    assert vec.shape == (DEFAULT_SCHEMA.n_items,) and vec.dtype == bool
    assert {DEFAULT_SCHEMA.items[i] for i in np.flatnonzero(vec)} == set(p.items())
    # the partial truth works with the batched F1 as is
    prec, rec, f1 = profile_f1_batch(vec[None], np.array([1]), vec[None])
    n = int(vec.sum())
    assert f1[0] == pytest.approx(2 * n / (n + 1 + n))
    assert p.free_texts() == tuple(t for _, t in p.free_items)


def test_reduced_schema_widens_list_slots_and_is_shared():
    a = reduced_schema({"age": 1, "personality_traits": 4})
    assert a.slot_names == ("age", "personality_traits")
    assert a.slot("personality_traits").max_items == 4
    assert reduced_schema({"personality_traits": 4, "age": 1}) is a
    assert reduced_schema({}).slot_names == ()


# ============================================================================ extraction
def test_extracts_a_full_profile_exactly():
    slots, free, evidence = extract_slots(
        "She is a 34-year-old graphic designer who enjoys hiking, yoga and rock climbing. She is "
        "engaged and lives in a downtown apartment with her cat. She has a PhD in art history.",
        "She is shy and well-organized. She is witty, always making jokes.")
    assert slots == {
        "age": ("25-34",), "gender": ("female",), "interests": ("hiking", "yoga"),
        "education": ("phd",), "personality_traits": ("introverted", "organised"),
        "occupation": ("graphic designer",), "marital_status": ("in a relationship",),
        "location": ("big city",), "other": ("has a cat",), "humour": ("playful",),
    }
    assert free == [("interests", "rock climbing")]
    assert evidence["occupation"] == (("graphic designer",
                                       "She is a 34-year-old graphic designer"),)
    assert evidence["gender"][0][0] == "female"


def test_unmappable_occupation_negations_names_and_other_people_stay_free():
    slots, free, _ = extract_slots(
        "He is a mechanical engineer in his late thirties. He has two daughters and a brother who "
        "is a nurse. He doesn't eat meat and is not a fan of crowds. He never plays chess. He has "
        "a goldfish named Sushi.")
    assert slots == {"age": ("35-44",), "gender": ("male",), "dislikes": ("crowds",),
                     "diet": ("vegetarian",)}
    assert free == [
        ("occupation", "mechanical engineer"),              # no such value: not "software engineer"
        ("family", "He has two daughters and a brother who is a nurse"),  # no age cue; not a nurse
        (FREE_SLOT, "He never plays chess."),              # negated
        ("other", "He has a goldfish named Sushi."),       # a pet's name is not seafood
    ]


def test_retiree_family_location_education_and_traits():
    slots, free, _ = extract_slots(
        "He is a 70-year-old retired farmer. He lives with his wife in a small town and has three "
        "grandchildren. He has a high school diploma and enjoys gardening and jazz.",
        "He is a natural leader. He is optimistic and practical.")
    assert slots == {
        "age": ("65+",), "gender": ("male",), "interests": ("gardening", "jazz"),
        "education": ("high school",), "personality_traits": ("optimistic", "practical"),
        "occupation": ("retiree",), "marital_status": ("married",),
        "family": ("grown-up children",), "location": ("small town",),
    }
    assert free == [("personality_traits", "He is a natural leader.")]


@pytest.mark.parametrize("profile, slot, value", [
    ("She is a pediatrician in her early fifties.", "occupation", "doctor"),
    ("She is a pediatrician in her early fifties.", "age", "45-54"),
    ("He is a 22-year-old nursing student.", "occupation", "student"),
    ("He is a 41-year-old web developer.", "occupation", "software engineer"),
    ("She is a 50-year-old widow with two teenage sons.", "marital_status", "widowed"),
    ("She is a 50-year-old widow with two teenage sons.", "family", "teenage children"),
    ("He just got married to his long-time girlfriend.", "marital_status", "married"),
    ("She lives with her parents.", "family", "lives with parents"),
    ("He lives in a beach house.", "location", "by the sea"),
    ("He has a master's degree in finance and a bachelor's in law.", "education", "master's degree"),
    ("She has a certificate in floral design.", "education", "vocational training"),
    ("She is gluten intolerant.", "diet", "gluten-free"),
    ("He enjoys running marathons.", "other", "training for a marathon"),
    ("He is learning Spanish.", "other", "learning a language"),
    ("They are a 30-year-old baker.", "gender", "non-binary"),
])
def test_single_rules(profile, slot, value):
    slots, _, _ = extract_slots(profile)
    assert slots.get(slot) == (value,)


@pytest.mark.parametrize("profile, slot", [
    ("She has a twin sister who lives in another city.", "location"),
    ("She is completing her nursing degree.", "education"),
    ("He has an associate degree in marketing.", "education"),
    ("She participates in half-marathons.", "other"),
    ("He enjoys learning new programming languages.", "other"),
    ("He volunteers at a local dog rescue.", "other"),  # volunteers, but no dog of his own
    ("She is a 29-year-old veterinarian.", "occupation"),
    ("He is a 35-year-old travel agent.", "interests"),
    ("She is in the middle of the introversion-extroversion spectrum.", "personality_traits"),
])
def test_no_false_mapping(profile, slot):
    slots, _, _ = extract_slots(profile, profile if slot == "personality_traits" else "")
    if slot == "other":
        assert "has a dog" not in slots.get("other", ()) and "training for a marathon" not in \
            slots.get("other", ()) and "learning a language" not in slots.get("other", ())
    else:
        assert slot not in slots


def test_extract_rejects_non_strings():
    with pytest.raises(TypeError):
        extract_slots(None)  # type: ignore[arg-type]


def test_make_persona_without_personality():
    p = make_persona("x", "He is a 40-year-old chef who enjoys fishing.")
    assert p.traits == () and p.slot_values["occupation"] == ("chef",)
    assert p.card().endswith("Personalities: ")


# ============================================================================ coverage
def test_coverage_report_on_the_fixture_and_cli(capsys):
    ps = load_aloe(SAMPLE / "profile.jsonl", SAMPLE / "personality.jsonl", 1, seed=0)
    rep = coverage_report(ps)
    assert rep["n_personas"] == rep["n_profiles"] == 5
    assert rep["slot_counts"]["age"] == 5 and rep["slot_counts"]["gender"] == 5
    assert set(rep["slot_counts"]) == set(DEFAULT_SCHEMA.slot_names)
    assert rep["n_facts"] == rep["facts_mapped"] + rep["facts_partial"] + rep["facts_free"] == 16
    assert 0 < rep["mean_filled_slots"] <= len(DEFAULT_SCHEMA.slots)
    assert "mean filled slots per persona" in format_coverage(rep)
    assert main([str(SAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "5 personas" in out and "occupation" in out
    assert main([str(SAMPLE), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n_personas"] == 5
    assert main([str(SAMPLE / "missing")]) == 1


@pytest.mark.skipif(not (REAL / "profile.jsonl").is_file(), reason="shared/data/aloe not present")
def test_coverage_on_the_real_aloe_profiles(capsys):
    ps = load_aloe(REAL / "profile.jsonl", REAL / "personality.jsonl", 1, seed=0)
    rep = coverage_report(ps)
    with capsys.disabled():
        print("\n" + format_coverage(rep))
    # 330 lines, one of which holds two records
    assert rep["n_personas"] == rep["n_profiles"] == 331
    share = rep["slot_share"]
    assert share["age"] == 1.0 and share["gender"] == 1.0
    assert share["marital_status"] > 0.8 and share["education"] > 0.65
    assert share["interests"] > 0.7 and share["occupation"] > 0.3
    assert rep["mean_filled_slots"] > 6.0
    assert rep["share_facts_free"] < 0.3
    # every persona is consistent: its vector holds exactly its items
    for p in ps[:50]:
        assert int(p.truth_vector().sum()) == len(p.items())
