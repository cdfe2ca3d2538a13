"""Tests of PersonaPool and the JSONL persona files."""

from __future__ import annotations

import copy
import json
from collections import Counter

import numpy as np
import pytest

from persona_env.generator import PersonaGenerator, default_pool
from persona_env.persona import Persona
from persona_env.pool import PersonaFileError, PersonaPool, load_jsonl, save_jsonl


@pytest.fixture(scope="module")
def personas() -> list[Persona]:
    return PersonaGenerator().generate(40, seed=2024)


@pytest.fixture(scope="module")
def pool(personas) -> PersonaPool:
    return PersonaPool(personas, name="small")


@pytest.fixture()
def record(personas) -> dict:
    return copy.deepcopy(personas[0].to_dict())


# --- PersonaPool ---------------------------------------------------------------------------
def test_sequence_protocol(pool, personas):
    assert len(pool) == 40
    assert pool[0] is personas[0] and pool[-1] is personas[-1]
    assert list(pool) == personas
    assert pool.personas == tuple(personas)
    assert pool.ids() == tuple(p.persona_id for p in personas)
    assert pool.name == "small"
    assert personas[3] in pool
    assert pool.by_id(personas[5].persona_id) is personas[5]
    with pytest.raises(KeyError):
        pool.by_id("nobody")
    part = pool[2:5]
    assert isinstance(part, PersonaPool) and part.personas == tuple(personas[2:5])
    assert PersonaPool.from_personas(personas, name="x") == pool


def test_pool_is_immutable(pool):
    with pytest.raises(AttributeError):
        pool.name = "other"
    with pytest.raises(AttributeError):
        pool._personas = ()
    with pytest.raises(TypeError):
        pool[0] = pool[1]
    with pytest.raises(ValueError):
        pool.vectors()[0, 0] = True


def test_pool_rejects_duplicates_and_non_personas(personas):
    with pytest.raises(ValueError, match="duplicate"):
        PersonaPool([personas[0], personas[1], personas[0]])
    with pytest.raises(TypeError):
        PersonaPool([personas[0], "not a persona"])  # type: ignore[list-item]


def test_vectors(pool, personas):
    v = pool.vectors()
    assert v.dtype == bool and v.shape == (40, pool.schema.n_items)
    assert np.array_equal(v, np.stack([p.to_vector() for p in personas]))
    assert pool.vectors() is v  # cached


def test_sample_is_uniform_and_seeded(pool):
    a = [pool.sample(np.random.default_rng(5)).persona_id for _ in range(3)]
    assert len(set(a)) == 1
    rng = np.random.default_rng(0)
    counts = Counter(pool.sample(rng).persona_id for _ in range(20000))
    assert set(counts) == set(pool.ids())
    assert max(counts.values()) < 700 and min(counts.values()) > 300  # expected 500 each
    with pytest.raises(ValueError):
        PersonaPool([]).sample(rng)


def test_split(pool):
    train, test = pool.split(0.25, seed=1)
    assert (len(train), len(test)) == (30, 10)
    assert set(train.ids()).isdisjoint(test.ids())
    assert pool.split(0.25, seed=1) == (train, test)
    assert pool.split(0.25, seed=2)[1] != test
    # both parts keep the pool's order
    order = {pid: i for i, pid in enumerate(pool.ids())}
    assert [order[i] for i in test.ids()] == sorted(order[i] for i in test.ids())
    with pytest.raises(ValueError):
        pool.split(0.0, seed=1)


# --- JSONL round trip ----------------------------------------------------------------------
def test_round_trip_is_exact(tmp_path):
    original = default_pool("test")
    path = save_jsonl(original, tmp_path / "test.jsonl")
    loaded = load_jsonl(path)
    assert len(loaded) == len(original)
    for a, b in zip(original, loaded):
        assert a == b
        assert (a.disclosure_rate, a.patience, a.privacy) == (b.disclosure_rate, b.patience, b.privacy)
    assert loaded == original
    assert loaded.name == "test"
    assert load_jsonl(path, name="held-out").name == "held-out"
    assert np.array_equal(loaded.vectors(), original.vectors())


def test_save_is_deterministic_and_one_object_per_line(tmp_path, personas):
    a = save_jsonl(personas, tmp_path / "a.jsonl")
    b = save_jsonl(PersonaPool(personas), tmp_path / "b.jsonl")
    assert a.read_bytes() == b.read_bytes()
    lines = a.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(personas)
    assert json.loads(lines[0]) == personas[0].to_dict()


def test_blank_lines_skipped_and_behaviour_optional(tmp_path, record):
    minimal = {"id": "only-slots", "slots": record["slots"]}
    path = tmp_path / "blank.jsonl"
    path.write_text("\n" + json.dumps(record) + "\n   \n" + json.dumps(minimal) + "\n\n",
                    encoding="utf-8")
    loaded = load_jsonl(path)
    assert loaded.ids() == (record["id"], "only-slots")
    defaults = Persona("d", loaded[1].values)
    assert (loaded[1].disclosure_rate, loaded[1].patience, loaded[1].privacy) == (
        defaults.disclosure_rate, defaults.patience, defaults.privacy)


# --- malformed files -----------------------------------------------------------------------
def _with(record: dict, **changes) -> str:
    rec = copy.deepcopy(record)
    for dotted, value in changes.items():
        *parents, key = dotted.split("__")
        target = rec
        for part in parents:
            target = target[part]
        if value is _DELETE:
            del target[key]
        else:
            target[key] = value
    return json.dumps(rec)


_DELETE = object()


def _bad_line(case: str, record: dict) -> tuple[str, str]:
    """(the bad line, the field the error must name)."""
    cases = {
        "bad json": ('{"id": "x" "slots": {}}', "<json>"),
        "truncated json": (json.dumps(record)[:-5], "<json>"),
        "missing slot": (_with(record, slots__age=_DELETE), "slots.age"),
        "unknown slot": (_with(record, slots__shoe_size="42"), "slots.shoe_size"),
        "value outside vocabulary": (_with(record, slots__age="12-17"), "slots.age"),
        "too many items": (_with(record, slots__interests=["hiking", "jazz", "chess", "yoga"]),
                           "slots.interests"),
        "empty list slot": (_with(record, slots__likes=[]), "slots.likes"),
        "non-string value": (_with(record, slots__budget=3), "slots.budget"),
        "non-object line": ("[1, 2, 3]", "<record>"),
        "string line": ('"persona"', "<record>"),
        "unknown top-level key": (_with(record, extra=1), "extra"),
        "missing id": (_with(record, id=_DELETE), "id"),
        "non-string id": (_with(record, id=7), "id"),
        "missing slots": (_with(record, slots=_DELETE), "slots"),
        "slots not an object": (_with(record, slots=["age"]), "slots"),
        "patience out of range": (_with(record, behaviour__patience=-1), "behaviour.patience"),
        "privacy out of range": (_with(record, behaviour__privacy=1.5), "behaviour.privacy"),
        "disclosure out of range": (_with(record, behaviour__disclosure_rate=0),
                                    "behaviour.disclosure_rate"),
        "behaviour not numeric": (_with(record, behaviour__patience="4"), "behaviour.patience"),
        "behaviour boolean": (_with(record, behaviour__privacy=True), "behaviour.privacy"),
        "behaviour nan": (_with(record, behaviour__patience=float("nan")), "behaviour.patience"),
        "unknown behaviour key": (_with(record, behaviour__mood=1), "behaviour.mood"),
        "behaviour not an object": (_with(record, behaviour=3), "behaviour"),
        "duplicate key": ('{"id": "a", "id": "b"}', "id"),
    }
    return cases[case]


CASES = [
    "bad json", "truncated json", "missing slot", "unknown slot", "value outside vocabulary",
    "too many items", "empty list slot", "non-string value", "non-object line", "string line",
    "unknown top-level key", "missing id", "non-string id", "missing slots", "slots not an object",
    "patience out of range", "privacy out of range", "disclosure out of range",
    "behaviour not numeric", "behaviour boolean", "behaviour nan", "unknown behaviour key",
    "behaviour not an object", "duplicate key",
]


@pytest.mark.parametrize("case", CASES)
def test_malformed_record_names_file_line_and_field(tmp_path, record, personas, case):
    bad, field = _bad_line(case, record)
    good = json.dumps(personas[1].to_dict())
    path = tmp_path / "broken_pool.jsonl"
    # line 1 good, line 2 blank (still counted), line 3 bad, line 4 good
    path.write_text(f"{good}\n\n{bad}\n{json.dumps(personas[2].to_dict())}\n", encoding="utf-8")
    with pytest.raises(PersonaFileError) as err:
        load_jsonl(path)
    message = str(err.value)
    assert "broken_pool.jsonl" in message
    assert message.startswith(f"{path}:3: ")
    assert f"field '{field}'" in message
    assert (err.value.line, err.value.field) == (3, field)
    assert isinstance(err.value, ValueError)


def test_json_error_names_column(tmp_path):
    path = tmp_path / "syntax.jsonl"
    path.write_text('{"id": "x" "slots": {}}\n', encoding="utf-8")
    with pytest.raises(PersonaFileError) as err:
        load_jsonl(path)
    assert str(err.value).startswith(f"{path}:1: field '<json>': ")
    assert "column 12" in str(err.value)


def test_duplicate_id_names_both_lines(tmp_path, personas):
    lines = [json.dumps(p.to_dict()) for p in personas[:4]]
    lines.append(json.dumps(personas[1].to_dict()))  # line 5 repeats line 2's id
    path = tmp_path / "dupes.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(PersonaFileError) as err:
        load_jsonl(path)
    message = str(err.value)
    assert message.startswith(f"{path}:5: field 'id': ")
    assert personas[1].persona_id in message
    assert "lines 2 and 5" in message


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_empty_file_is_an_error(tmp_path, content):
    path = tmp_path / "empty.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PersonaFileError) as err:
        load_jsonl(path)
    assert "empty.jsonl" in str(err.value) and "field '<file>'" in str(err.value)


def test_first_problem_is_reported_with_count(tmp_path, record):
    rec = copy.deepcopy(record)
    del rec["slots"]["age"]
    rec["slots"]["gender"] = "robot"
    path = tmp_path / "two.jsonl"
    path.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    with pytest.raises(PersonaFileError) as err:
        load_jsonl(path)
    assert err.value.line == 1
    assert err.value.field in {"slots.age", "slots.gender"}
    assert "more problem" in str(err.value)


def test_not_utf8(tmp_path, record):
    path = tmp_path / "latin.jsonl"
    path.write_bytes(json.dumps(record).encode() + b"\n" + b'{"id": "caf\xe9"}\n')
    with pytest.raises(PersonaFileError) as err:
        load_jsonl(path)
    assert err.value.line == 2
