"""Persona pools: an immutable sequence of personas, and their JSONL files.

A JSONL pool file holds one persona per line, as :meth:`Persona.to_dict` writes it::

    {"id": "gen-000000", "slots": {"age": "25-34", ..., "likes": ["coffee"]},
     "behaviour": {"disclosure_rate": 0.12, "patience": 4.0, "privacy": 0.3}}

:func:`load_jsonl` validates every record and reports the first problem as a
:class:`PersonaFileError` naming the file, the 1-based line and the field.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence, overload

import numpy as np

from persona_env.persona import Persona, PersonaValidationError, validate_values
from persona_env.schema import DEFAULT_SCHEMA, PersonaSchema

__all__ = ["PersonaFileError", "PersonaPool", "load_jsonl", "save_jsonl"]

PathLike = str | os.PathLike


class PersonaFileError(ValueError):
    """A persona file is malformed: ``"{path}:{line}: field '{field}': {problem}"``.

    Attributes:
        path: the file, as given.
        line: 1-based line number.
        field: the offending field (``id``, ``slots.age``, ``behaviour.patience``; ``<json>`` for
            a syntax error, ``<record>`` for a line that is not an object, ``<file>`` for the
            file as a whole).
        problem: what is wrong.
    """

    def __init__(self, path: PathLike, line: int, field: str, problem: str) -> None:
        self.path = str(path)
        self.line = int(line)
        self.field = field
        self.problem = problem
        super().__init__(f"{self.path}:{self.line}: field '{field}': {problem}")


class PersonaPool(Sequence[Persona]):
    """An immutable, ordered collection of personas with unique ids, sharing one schema.

    Args:
        personas: the personas (any iterable; stored as a tuple).
        name: a label for logs and reports.
        schema: the schema every persona must use; defaults to the first persona's schema (or
            :data:`DEFAULT_SCHEMA` for an empty pool).
    """

    __slots__ = ("_personas", "_name", "_schema", "_index", "_vectors")

    def __init__(self, personas: Iterable[Persona], name: str = "pool",
                 schema: PersonaSchema | None = None) -> None:
        personas = tuple(personas)
        for i, p in enumerate(personas):
            if not isinstance(p, Persona):
                raise TypeError(f"pool {name!r}: element {i} is a {type(p).__name__}, not a Persona")
        if schema is None:
            schema = personas[0].schema if personas else DEFAULT_SCHEMA
        index: dict[str, int] = {}
        for i, p in enumerate(personas):
            if p.schema is not schema and p.schema != schema:
                raise ValueError(f"pool {name!r}: persona {p.persona_id!r} uses a different schema")
            if p.persona_id in index:
                raise ValueError(
                    f"pool {name!r}: duplicate persona id {p.persona_id!r} "
                    f"(positions {index[p.persona_id]} and {i})"
                )
            index[p.persona_id] = i
        object.__setattr__(self, "_personas", personas)
        object.__setattr__(self, "_name", str(name))
        object.__setattr__(self, "_schema", schema)
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_vectors", None)

    @classmethod
    def from_personas(cls, personas: Iterable[Persona], name: str = "pool",
                      schema: PersonaSchema | None = None) -> "PersonaPool":
        """Same as the constructor (reads better at call sites)."""
        return cls(personas, name=name, schema=schema)

    def __reduce__(self):
        # rebuilt through the constructor (pickling: SuperSuit and subprocess vector envs copy envs)
        return (PersonaPool, (self._personas, self._name, self._schema))

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError("PersonaPool is immutable")

    def __delattr__(self, key: str) -> None:
        raise AttributeError("PersonaPool is immutable")

    # --- sequence --------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._personas)

    @overload
    def __getitem__(self, i: int) -> Persona: ...

    @overload
    def __getitem__(self, i: slice) -> "PersonaPool": ...

    def __getitem__(self, i: int | slice) -> "Persona | PersonaPool":
        if isinstance(i, slice):
            return PersonaPool(self._personas[i], name=self._name, schema=self._schema)
        return self._personas[i]

    def __iter__(self) -> Iterator[Persona]:
        return iter(self._personas)

    def __contains__(self, persona: object) -> bool:
        if not isinstance(persona, Persona):
            return False
        i = self._index.get(persona.persona_id)
        return i is not None and self._personas[i] == persona

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PersonaPool):
            return NotImplemented
        return self._personas == other._personas

    __hash__ = None  # type: ignore[assignment]  # personas hold dicts, so pools are unhashable

    def __repr__(self) -> str:
        return f"PersonaPool(name={self._name!r}, n={len(self)})"

    # --- accessors ---------------------------------------------------------------------------
    @property
    def personas(self) -> tuple[Persona, ...]:
        return self._personas

    @property
    def name(self) -> str:
        return self._name

    @property
    def schema(self) -> PersonaSchema:
        return self._schema

    def ids(self) -> tuple[str, ...]:
        return tuple(p.persona_id for p in self._personas)

    def by_id(self, persona_id: str) -> Persona:
        try:
            return self._personas[self._index[persona_id]]
        except KeyError:
            raise KeyError(f"no persona {persona_id!r} in pool {self._name!r}") from None

    def sample(self, rng: np.random.Generator) -> Persona:
        """A uniformly chosen persona."""
        if not self._personas:
            raise ValueError(f"cannot sample from the empty pool {self._name!r}")
        return self._personas[int(rng.integers(len(self._personas)))]

    def vectors(self) -> np.ndarray:
        """Read-only ``bool`` matrix ``[len(pool), schema.n_items]`` of multi-hot item vectors."""
        if self._vectors is None:
            schema = self._schema
            lookup = {item: i for i, item in enumerate(schema.items)}
            rows: list[int] = []
            cols: list[int] = []
            for r, p in enumerate(self._personas):
                for item in p.items():
                    rows.append(r)
                    cols.append(lookup[item])
            out = np.zeros((len(self._personas), schema.n_items), dtype=bool)
            out[np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)] = True
            out.setflags(write=False)
            object.__setattr__(self, "_vectors", out)
        return self._vectors

    def split(self, fraction: float, seed: int) -> tuple["PersonaPool", "PersonaPool"]:
        """``(rest, held_out)``: ``round(fraction * len)`` personas chosen by a seeded permutation.

        Both parts keep the pool's order and are named ``{name}-train`` and ``{name}-test``.
        """
        n = len(self._personas)
        n_out = round(fraction * n)
        if not 0.0 < fraction < 1.0 or not 0 < n_out < n:
            raise ValueError(
                f"split fraction {fraction} of {n} personas leaves an empty part; need 0 < "
                f"round(fraction * n) < n"
            )
        perm = np.random.default_rng(seed).permutation(n)
        held = np.zeros(n, dtype=bool)
        held[perm[:n_out]] = True
        rest = PersonaPool([p for p, h in zip(self._personas, held) if not h],
                           name=f"{self._name}-train", schema=self._schema)
        out = PersonaPool([p for p, h in zip(self._personas, held) if h],
                          name=f"{self._name}-test", schema=self._schema)
        return rest, out


# --------------------------------------------------------------------------------------------
# JSONL
# --------------------------------------------------------------------------------------------
def save_jsonl(personas: PersonaPool | Iterable[Persona], path: PathLike) -> Path:
    """Write one :meth:`Persona.to_dict` JSON object per line (UTF-8); returns the path."""
    path = Path(path)
    lines = [json.dumps(p.to_dict(), ensure_ascii=False) for p in personas]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


_TOP_LEVEL = ("id", "slots", "behaviour")
_BEHAVIOUR = {
    # name: (lower, lower inclusive, upper, upper inclusive, words)
    "disclosure_rate": (0.0, False, 1.0, True, "in (0, 1]"),
    "patience": (0.0, False, math.inf, False, "> 0"),
    "privacy": (0.0, True, 1.0, True, "in [0, 1]"),
}
_FIELD_PROBLEM = re.compile(r"^field '([^']*)': (.*)$", re.DOTALL)


class _DuplicateKey(Exception):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _type_name(x: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", int: "number",
            float: "number", type(None): "null"}.get(type(x), type(x).__name__)


def _parse_record(record: Any, schema: PersonaSchema, path: PathLike, line: int) -> Persona:
    def fail(field: str, problem: str) -> PersonaFileError:
        return PersonaFileError(path, line, field, problem)

    if not isinstance(record, dict):
        raise fail("<record>", f"must be a JSON object, got {_type_name(record)}")
    for key in record:
        if key not in _TOP_LEVEL:
            raise fail(key, f"unknown field (allowed: {', '.join(_TOP_LEVEL)})")

    if "id" not in record:
        raise fail("id", "missing")
    pid = record["id"]
    if not isinstance(pid, str) or not pid.strip():
        raise fail("id", f"must be a non-empty string, got {json.dumps(pid)}")

    if "slots" not in record:
        raise fail("slots", "missing")
    slots = record["slots"]
    if not isinstance(slots, dict):
        raise fail("slots", f"must be an object, got {_type_name(slots)}")
    problems = validate_values(slots, schema)
    if problems:
        match = _FIELD_PROBLEM.match(problems[0])
        field, problem = match.groups() if match else ("slots", problems[0])
        if len(problems) > 1:
            problem += f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})"
        raise fail(field, problem)

    behaviour: dict[str, float] = {}
    if "behaviour" in record:
        raw = record["behaviour"]
        if not isinstance(raw, dict):
            raise fail("behaviour", f"must be an object, got {_type_name(raw)}")
        for key, value in raw.items():
            field = f"behaviour.{key}"
            if key not in _BEHAVIOUR:
                raise fail(field, f"unknown field (allowed: {', '.join(_BEHAVIOUR)})")
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise fail(field, f"must be a number, got {_type_name(value)}")
            lo, lo_incl, hi, hi_incl, words = _BEHAVIOUR[key]
            ok = (math.isfinite(value)
                  and (value >= lo if lo_incl else value > lo)
                  and (value <= hi if hi_incl else value < hi))
            if not ok:
                raise fail(field, f"{value!r} is out of range (must be {words})")
            behaviour[key] = value
    # a single slot may be written as a string; Persona expects a tuple of values per slot
    values = {name: (v,) if isinstance(v, str) else tuple(v) for name, v in slots.items()}
    try:
        return Persona(pid, values, schema=schema, **behaviour)
    except PersonaValidationError as err:  # pragma: no cover - the checks above come first
        raise fail("<record>", str(err)) from None


def load_jsonl(path: PathLike, schema: PersonaSchema = DEFAULT_SCHEMA,
               name: str | None = None) -> PersonaPool:
    """Read and validate a JSONL persona file (blank lines are skipped).

    Raises:
        PersonaFileError: the first problem found, naming the file, the line and the field:
            a JSON syntax error (with its column), a line that is not an object, an unknown or
            missing field, a slot value outside the schema, a behaviour parameter out of range,
            an id seen on an earlier line, or a file with no personas at all.
    """
    data = Path(path).read_bytes()
    personas: list[Persona] = []
    first_line: dict[str, int] = {}
    n_lines = 0
    for lineno, raw in enumerate(data.splitlines(), start=1):
        n_lines = lineno
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise PersonaFileError(path, lineno, "<encoding>",
                                   f"not UTF-8 (byte {err.start + 1}: {err.reason})") from None
        if lineno == 1:
            text = text.removeprefix("\ufeff")
        if not text.strip():
            continue
        try:
            record = json.loads(text, object_pairs_hook=_no_duplicate_keys)
        except json.JSONDecodeError as err:
            raise PersonaFileError(path, lineno, "<json>",
                                   f"invalid JSON at column {err.colno}: {err.msg}") from None
        except _DuplicateKey as err:
            raise PersonaFileError(path, lineno, str(err.args[0]),
                                   "key appears twice in one object") from None
        persona = _parse_record(record, schema, path, lineno)
        if persona.persona_id in first_line:
            raise PersonaFileError(
                path, lineno, "id",
                f"duplicate id {persona.persona_id!r} (lines {first_line[persona.persona_id]} "
                f"and {lineno})",
            )
        first_line[persona.persona_id] = lineno
        personas.append(persona)
    if not personas:
        raise PersonaFileError(path, max(n_lines, 1), "<file>",
                               "no personas (the file is empty or holds only blank lines)")
    return PersonaPool(personas, name=name if name is not None else Path(path).stem, schema=schema)
