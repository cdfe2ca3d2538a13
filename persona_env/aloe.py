"""Free-text personas from ALOE: import, a rule-based slot extractor, and a coverage report.

ALOE (Wu et al., COLING 2025; RLPA's Vanilla-ALOE evaluation uses the same pool) describes a user
by two texts: a *profile* of 8-10 facts ("He is a 33-year-old mechanical engineer who enjoys
running...") and a *personality* of about 8 traits ("He is curious and open-minded..."). This
module turns such a pair into a :class:`FreeTextPersona`:

* the original texts (:meth:`FreeTextPersona.card`, for LLM-played users);
* the structured part a rule-based extractor (:func:`extract_slots`) could map onto the schema's
  finite vocabularies -- as a multi-hot truth vector over :data:`~persona_env.schema.DEFAULT_SCHEMA`
  (:meth:`FreeTextPersona.truth_vector`, what :func:`~persona_env.rewards.profile.profile_f1_batch`
  scores against) and as a :class:`~persona_env.persona.Persona` over a *reduced* schema holding
  only the filled slots;
* the facts it could not map, as free items ``(slot or "other_free", text)``, to be scored by
  :func:`persona_env.rewards.embedding.free_text_f1`.

File format (``profile.jsonl``, ``personality.jsonl``)
    one bare JSON *string* per line, as ALOE publishes them. :func:`read_aloe_strings` skips blank
    lines and accepts several strings on one line separated by nothing but whitespace (the published
    ``profile.jsonl`` glues two records together on line 6: 330 lines, 331 records); it stops on
    anything else -- invalid JSON, a number, an object, invalid UTF-8 -- with an
    :class:`AloeFileError` (a :class:`~persona_env.pool.PersonaFileError`) naming file, line and
    column. Empty strings are skipped.

Pairing (:func:`load_aloe`)
    ALOE's generator pairs every profile with ``random.choice(personalities)``, once per round (10
    rounds for training); its evaluation uses 20 profiles x 5 personalities. Here every profile is
    paired with ``n_personalities_per_profile`` *distinct* personalities drawn by
    ``numpy.random.default_rng(seed)`` (profile by profile, in file order), so the pool is
    reproducible. ALOE tells its user model to ignore the personality's pronouns and use the
    profile's; likewise gender is read from the profile only.

Extraction policy (:func:`extract_slots`)
    Facts are split into sentences, sentences into clauses (at ``who``, ``;`` and ``and``/``,``
    before a new verb: "He is married and has a dog" -> two clauses), and every clause is scanned
    with keyword rules per slot. A clause that yields at least one schema item is *mapped*; one that
    yields none is kept verbatim as a free item. Lists after a liking verb ("enjoys rock climbing and
    photography") are split item by item, so each unmapped activity becomes its own free item
    ``("interests", "rock climbing")``. Names after "named" are masked (a fish named Sushi is not a
    taste for seafood), and a clause about someone else ("a sister who lives in another city", "married
    to a nurse") gives no occupation or location. Per slot:

    ``age``
        ``N-year-old``, "aged N", decades ("in her thirties") -> the overlapping bracket
        (:func:`~persona_env.profile_parsing.age_bracket`).
    ``gender``
        the profile's pronouns by majority (he/him/his vs she/her/hers); ``non-binary`` only when
        the profile says so or uses no he/she pronoun but they/them.
    ``occupation``
        only from an occupation phrase ("is a 34-year-old *freelance graphic designer* who",
        "works as a *waitress*"), through a keyword table per value with synonyms
        (:data:`OCCUPATION_KEYWORDS`: pediatrician -> doctor, web developer -> software engineer,
        nursing student -> student, "retired X" -> retiree). **Policy: an occupation with no value
        of its own is never mapped to the "closest" value; it is kept as a free item**
        (``("occupation", "mechanical engineer")``): a wrong structured truth would reward wrong
        guesses, a free item is still scored by the embedding matcher. Not mapped on purpose:
        dentist, veterinarian, professor, school principal, fashion/interior designer, software
        tester, baker, instructors and coaches.
    ``interests``, ``likes``, ``dislikes``, ``other``, ``diet``
        keyword rules (:data:`KEYWORD_RULES`); a topic under a dislike cue ("hates crowds",
        "allergic to seafood") goes to ``dislikes``; negated mentions are dropped. "running
        marathons" counts as ``training for a marathon`` (half-marathons do not); pets other than
        dogs and cats stay free.
    ``marital_status``
        single/married/engaged (-> in a relationship)/partner/divorced/widowed; on a conflict the
        order married > in a relationship > widowed > divorced > single decides ("got married to
        his girlfriend" -> married).
    ``family``
        children only with an age cue: young/little/baby -> young children, teenage -> teenage
        children, grown/adult/in college/grandchildren -> grown-up children; "lives with his
        parents", "cares for her mother", "no kids". Children without an age cue ("has two
        daughters") and siblings stay free items under ``family``.
    ``location``
        only in a clause about where the person lives (lives/apartment/house/based/...):
        downtown/city -> big city, suburban -> suburbs, small town/village, rural/farm/woods ->
        countryside, beach/coast -> by the sea, mountains. A dorm or a loft says nothing.
    ``education``
        PhD/doctorate -> phd, master's/MBA -> master's, bachelor's or a degree of unstated level
        ("a degree in nursing", "a law degree") -> bachelor's, diploma/certificate/culinary school
        -> vocational training, high school diploma -> high school; the highest level wins; degrees
        in progress ("completing her nursing degree") and associate degrees stay free.
    ``personality_traits``, ``humour``, ``directness``
        from both texts (mostly the personality): reserved/shy -> introverted, outgoing/sociable ->
        extroverted, inquisitive -> curious, methodical -> organised, impulsive -> spontaneous,
        inventive/innovative -> creative, pragmatic/down-to-earth -> practical, ...; witty/humorous/
        "sense of humor" -> humour ``playful``; "speaks his mind"/candid -> directness ``direct``,
        diplomatic/tactful -> ``diplomatic``. Traits with no value (empathetic, loyal, articulate)
        stay free items under ``personality_traits``. A person found both introverted and
        extroverted keeps the side with more mentions (neither on a tie).
    single-valued slots in general
        several different values: the slot's priority above, else the first mention; the others are
        kept as free items under that slot.

Structured truth policy
    ALOE never states most style and content slots, so a complete :class:`Persona` over
    DEFAULT_SCHEMA can't be built without inventing values. The truth is therefore *partial*:
    :meth:`FreeTextPersona.truth_vector` holds exactly the extracted items (unfilled slots are all
    zero, list slots may exceed their ``max_items``), and :attr:`FreeTextPersona.persona` is a
    Persona over the reduced schema :func:`reduced_schema` made of the filled slots only (list
    slots' ``max_items`` widened to what was found). ``profile_f1_batch(guess, n_unresolved, truth)``
    works with the partial vector as is: guesses about unfilled slots count as wrong guesses.

Run ``python -m persona_env.aloe ../shared/data/aloe`` for the coverage report on the real files.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from persona_env.persona import Persona
from persona_env.pool import PersonaFileError
from persona_env.profile_parsing import age_bracket
from persona_env.schema import DEFAULT_SCHEMA, PersonaSchema

__all__ = [
    "AloeFileError", "AloeRecord", "FreeTextPersona", "read_aloe_strings", "load_aloe",
    "extract_slots", "make_persona", "split_facts", "reduced_schema", "coverage_report",
    "format_coverage",
    "FREE_SLOT", "OCCUPATION_KEYWORDS", "KEYWORD_RULES",
]

PathLike = str | os.PathLike

#: The slot name of a free item the extractor could not attribute to any schema slot.
FREE_SLOT = "other_free"


# ============================================================================ reading the files
class AloeFileError(PersonaFileError):
    """An ALOE file is malformed: ``"{path}:{line}: field '<json>': column {column}: {problem}"``.

    A :class:`~persona_env.pool.PersonaFileError` (so callers that catch that catch this) with the
    1-based ``column`` added.
    """

    def __init__(self, path: PathLike, line: int, column: int, problem: str) -> None:
        self.column = int(column)
        super().__init__(path, line, "<json>", f"column {self.column}: {problem}")


@dataclass(frozen=True)
class AloeRecord:
    """One JSON string of an ALOE file: its text and where it was (1-based line and column)."""

    text: str
    path: str
    line: int
    column: int


_DECODER = json.JSONDecoder()


def read_aloe_strings(path: PathLike) -> list[AloeRecord]:
    """The JSON strings of an ALOE ``.jsonl`` file, in order (see the module doc for the format).

    Raises:
        FileNotFoundError: the file does not exist.
        AloeFileError: a line holds something other than JSON strings (file, line and column named).
    """
    p = Path(path)
    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise AloeFileError(path, line, col, f"invalid UTF-8 ({e.reason})") from None
    out: list[AloeRecord] = []
    for lineno, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r")
        pos = _skip_ws(line, 0)
        while pos < len(line):
            try:
                value, end = _DECODER.raw_decode(line, pos)
            except json.JSONDecodeError as e:
                raise AloeFileError(path, lineno, e.colno,
                                    f"expected a JSON string: {e.msg}") from None
            if not isinstance(value, str):
                raise AloeFileError(path, lineno, pos + 1,
                                    f"expected a JSON string, got a JSON {_json_kind(value)}")
            if value.strip():
                out.append(AloeRecord(value, str(path), lineno, pos + 1))
            pos = _skip_ws(line, end)
    return out


def _skip_ws(s: str, i: int) -> int:
    while i < len(s) and s[i] in " \t\ufeff\u00a0":
        i += 1
    return i


def _json_kind(v: Any) -> str:
    if isinstance(v, dict):
        return "object"
    if isinstance(v, list):
        return "array"
    if isinstance(v, bool):
        return "boolean"
    if v is None:
        return "null"
    return "number"


# ============================================================================ the persona
@dataclass(frozen=True)
class FreeTextPersona:
    """A persona described in free text (ALOE), with the structured part that could be extracted.

    Attributes:
        persona_id: ``"aloe-{profile:03d}-{personality:02d}"`` (0-based record indices).
        profile_text, personality_text: the texts as published.
        facts: the profile split into sentences (:func:`split_facts`).
        traits: the personality split into sentences.
        persona: the extracted slots as a :class:`Persona` over :func:`reduced_schema` (only the
            filled slots; ``persona.schema.slot_names`` says which).
        free_items: ``(slot, text)`` for what could not be mapped; ``slot`` is a schema slot when
            the extractor knew the slot but not the value (``("occupation", "mechanical
            engineer")``), else :data:`FREE_SLOT`.
        evidence: slot -> ``((value, clause), ...)``, the clause each value came from.
    """

    persona_id: str
    profile_text: str
    personality_text: str
    facts: tuple[str, ...]
    traits: tuple[str, ...]
    persona: Persona
    free_items: tuple[tuple[str, str], ...]
    evidence: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict, repr=False,
                                                                compare=False)

    def card(self) -> str:
        """The original texts, as ALOE hands them to its user model."""
        return f"Profile: {self.profile_text}\nPersonalities: {self.personality_text}"

    @property
    def slot_values(self) -> Mapping[str, tuple[str, ...]]:
        """Filled slot -> extracted values (schema order)."""
        return self.persona.values

    def items(self) -> tuple[tuple[str, str], ...]:
        """The extracted ``(slot, value)`` items."""
        return self.persona.items()

    def truth_vector(self, schema: PersonaSchema = DEFAULT_SCHEMA) -> np.ndarray:
        """Multi-hot ``bool [schema.n_items]`` of the extracted items (a partial truth).

        Items the schema lacks are left out (DEFAULT_SCHEMA has all of them).
        """
        vec = np.zeros(schema.n_items, dtype=bool)
        for slot, value in self.items():
            if schema.has_item(slot, value):
                vec[schema.item_index(slot, value)] = True
        return vec

    def free_texts(self) -> tuple[str, ...]:
        """The free items' texts (the truth facts for ``free_text_f1``)."""
        return tuple(t for _, t in self.free_items)

    @property
    def n_filled_slots(self) -> int:
        return len(self.persona.values)


_REDUCED: dict[tuple, PersonaSchema] = {}


def reduced_schema(counts: Mapping[str, int], schema: PersonaSchema = DEFAULT_SCHEMA) -> PersonaSchema:
    """The schema of ``schema``'s slots named in ``counts`` (slot -> number of values found), in
    schema order, list slots' ``max_items`` widened to the count. Equal arguments share one object.
    """
    slots = []
    for s in schema.slots:
        n = counts.get(s.name, 0)
        if n <= 0:
            continue
        if s.is_list and n > s.max_items:
            s = dataclasses.replace(s, max_items=min(n, len(s.values)))
        slots.append(s)
    key = (id(schema), tuple(slots))
    out = _REDUCED.get(key)
    if out is None:
        out = _REDUCED[key] = PersonaSchema(tuple(slots))
    return out


# ============================================================================ splitting
_SENT_RE = re.compile(r"(?<=[.!?])[\"'\u201d\u2019]?\s+(?=[\"'\u201c\u2018]?[A-Z0-9])")


def split_facts(text: str) -> tuple[str, ...]:
    """Sentences of a profile or personality text (stripped, empty ones dropped)."""
    text = " ".join(text.split())
    return tuple(s.strip() for s in _SENT_RE.split(text) if s.strip())


#: words that start a new clause after "and" / "," (a new verb phrase of the same subject)
_CLAUSE_VERBS = (
    "is|are|was|has|have|had|also|often|always|now|currently|recently|just|frequently|regularly|"
    "usually|still|loves|enjoys|likes|runs|works|volunteers|plays|lives|spends|collects|grows|"
    "teaches|writes|brews|takes|participates|hosts|owns|makes|bakes|performs|dreams|travels|goes|"
    "attends|practices|knits|swims|reads|sings|paints|cooks|visits|trains|competes|specializes|"
    "specialises|coaches|builds|designs|creates|organizes|organises|helps|cares|holds|speaks|"
    "shares|keeps|rarely|never|can|would|will|tends|prefers|values|finds|brings|they|he|she|his|"
    "her|their|working|volunteering|plans|mentors|manages|studies|competed|won|loves|runs"
)
_CLAUSE_SPLIT_RE = re.compile(
    rf"\s*;\s*|\s+but\s+|,?\s+who\s+|,\s+(?:and\s+)?(?=(?:{_CLAUSE_VERBS})\b)"
    rf"|\s+and\s+(?=(?:{_CLAUSE_VERBS})\b)",
    re.IGNORECASE)
_RELATION_NOUNS = re.compile(
    r"\b(?:sister|brother|sibling|son|daughter|child|kid|wife|husband|spouse|partner|friend|"
    r"girlfriend|boyfriend|fianc[ée]e?|mother|father|mom|dad|mum|parent|roommate|grandchild|"
    r"grandson|granddaughter|girl|boy|nurse|teacher|[a-z]+ist|[a-z]+er|[a-z]+or|one)s?\W*$", re.IGNORECASE)
_PERSONA_ANTECEDENT = re.compile(r"\b\d+[- ]year[- ]old\b|\b(?:he|she|they)\s+(?:is|are)\s+an?\b",
                                 re.IGNORECASE)


@dataclass(frozen=True)
class _Clause:
    """A clause; ``text[own_end:]`` is a relative clause about someone else ("a sister *who lives
    in another city*", "married to a nurse *who ...*"): kept in the free text, never scanned."""

    text: str
    own_end: int


def _clauses(fact: str) -> list[_Clause]:
    out: list[_Clause] = []
    start = 0
    own_end: int | None = None

    def add(a: int, b: int) -> None:
        raw = fact[a:b]
        lead = len(raw) - len(raw.lstrip(" ,"))
        text = raw.strip(" ,.")
        if not text:
            return
        end = len(text) if own_end is None else max(0, min(len(text), own_end - a - lead))
        out.append(_Clause(text, end))

    for m in _CLAUSE_SPLIT_RE.finditer(fact):
        piece = fact[start:m.start()]
        if "who" in m.group(0).lower() and _RELATION_NOUNS.search(piece) \
                and not _PERSONA_ANTECEDENT.search(piece):
            # "a sister who ...": keep it in this clause, but not as facts about the persona
            if own_end is None:
                own_end = m.start()
            continue
        add(start, m.start())
        start, own_end = m.end(), None
    add(start, len(fact))
    return out


# ============================================================================ rule tables
def _rx(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE)


#: Occupation value -> regex over the occupation phrase. Checked in this order; ``retiree`` and
#: ``student`` first ("retired nurse" is a retiree, "nursing student" a student).
OCCUPATION_KEYWORDS: dict[str, str] = {
    "retiree": r"\bretired\b|\bretiree\b|\bpensioner\b|\bin retirement\b",
    "student": r"\bstudent\b|\bfreshman\b|\bsophomore\b|\bundergrad(?:uate)?\b|\bpupil\b|"
               r"\bgrad student\b|\bPhD candidate\b",
    "nurse": r"\bnurse\b|\bnurse practitioner\b",
    "software engineer": r"\bsoftware (?:engineer|developer|dev)\b|\bweb developer\b|"
                         r"\b(?:app|full[- ]stack|front[- ]end|back[- ]end) developer\b|"
                         r"\bprogrammer\b|\bcoder\b",
    "teacher": r"\b(?:school)?teacher\b",
    "chef": r"\bchef\b|\bline cook\b|\bprofessional cook\b",
    "accountant": r"\baccountant\b|\bbookkeeper\b|\bauditor\b|\bCPA\b",
    "farmer": r"\bfarmer\b|\brancher\b",
    "lawyer": r"\blawyer\b|\battorney\b|\bsolicitor\b|\bbarrister\b",
    "graphic designer": r"\bgraphic designer\b",
    "electrician": r"\belectrician\b",
    "journalist": r"\bjournalist\b|\breporter\b|\bcorrespondent\b",
    "doctor": r"\bdoctor\b|\bphysician\b|\bsurgeon\b|\bpediatrician\b|\bpaediatrician\b|"
              r"\bdermatologist\b|\bcardiologist\b|\bpsychiatrist\b|\bneurologist\b|"
              r"\boncologist\b|\bradiologist\b|\banesthesiologist\b|\bgeneral practitioner\b|\bGP\b",
    "shop owner": r"\b(?:shop|store|boutique|bookstore|bakery) owner\b|\bshopkeeper\b|"
                  r"\bsmall business owner\b",
}
_OCC_RULES = [(v, _rx(p)) for v, p in OCCUPATION_KEYWORDS.items()]
#: phrases after "is a" that are not occupations (the clause is scanned for other slots instead)
_NOT_OCCUPATION = _rx(r"\b(?:mother|father|mom|dad|mum|parent|grand(?:mother|father|parent)|wife|"
                      r"husband|widow(?:er)?|member|fan|lover|advocate|volunteer|enthusiast|"
                      r"buff|person|dreamer|leader|listener|communicator|conversationalist|"
                      r"visionary|individual|avid)\b")
_OCC_IS_RE = _rx(r"^(?:he|she|they)(?:'s|\s+is|\s+are)\s+an?\s+(?P<occ>.+)$")
_OCC_WORKS_RE = _rx(r"\b(?:works?|working|employed|job)\s+(?:part[- ]time\s+|full[- ]time\s+)?"
                    r"as\s+an?\s+(?P<occ>[^,.;]+)")
_AGE_RE = _rx(r"\b(\d{1,3})[- ](?:year|yr)s?[- ]old\b|\baged\s+(\d{1,3})\b")
_DECADE_CUE_RE = _rx(r"\b(?:in\s+(?:his|her|their)\s+(?:early\s+|mid[- ]?\s*|late\s+)?"
                     r"(?:twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties|"
                     r"[2-9]0s))\b")

_LIKE_VERB_RE = _rx(
    r"\b(?:enjoys?|loves?|likes?|adores?|is (?:passionate|enthusiastic|crazy) about|"
    r"(?:is|are) (?:an avid|a big fan of|a fan of|into|interested in|keen on|fond of)|"
    r"has a (?:passion|love|strong interest|keen interest) (?:for|in)|"
    r"spends (?:his|her|their) (?:free|spare) time|hobbies include)\s+(?:to\s+)?")
_LIST_SPLIT_RE = _rx(r"\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s*&\s*")

_NEG_RE = _rx(r"\b(?:not|no|never|n't|doesn't|don't|isn't|without|hardly|rarely|nor|neither)\b")
_DISLIKE_RE = _rx(r"\b(?:dislikes?|hates?|can't stand|cannot stand|avoids?|avoiding|"
                  r"not a fan of|doesn't like|does not like|allergic to|afraid of|"
                  r"uncomfortable (?:in|with|around)|fear of|detests?|loathes?)\b")
_RESIDENCE_RE = _rx(r"\b(?:lives?|living|resides?|reside|based|home|house|apartment|flat|condo|"
                    r"cabin|cottage|moved|settled)\b")
_OWNERSHIP_RE = _rx(r"\b(?:has|have|had|owns?|adopted|with (?:his|her|their)|named|pet|walks|"
                    r"lives with|rescued|new)\b")
#: "named Max", "named Pixel and Scribble" -- masked before scanning
_NAME_RE = re.compile(r"\bnamed\s+[A-Z][\w'\-]*(?:\s+(?:and|&)\s+[A-Z][\w'\-]*)?|"
                      r"(?:(?<=retriever)|(?<=Retriever)|(?<=terrier)|(?<=Terrier)),\s+[A-Z][\w'\-]*")
#: positive phrasings that contain a negation word
_POSITIVE_NEG = _rx(r"\b(?:not afraid to|never afraid to|doesn't hesitate to|does not hesitate to|"
                    r"never hesitates to|not shy about|never missing|never misses|never late)\b")


@dataclass(frozen=True)
class _Rule:
    slot: str
    value: str
    pattern: re.Pattern
    guard: str = "neg"  # neg: drop when negated; own: needs an ownership cue; home: residence cue;
    # topic: likes -> dislikes under a dislike cue; none: no guard
    exclude: re.Pattern | None = None  # a clause matching this gives no hit for the rule


def _r(slot: str, value: str, pattern: str, guard: str = "neg", exclude: str | None = None) -> _Rule:
    return _Rule(slot, value, _rx(pattern), guard, _rx(exclude) if exclude else None)


#: Keyword rules: (slot, value, regex, guard, clause exclusion). Occupation, age, gender, family
#: and marital status have their own code below.
KEYWORD_RULES: tuple[_Rule, ...] = (
    # --- interests
    _r("interests", "hiking", r"\bhik(?:e|es|ing|er|ers)\b|\btrekking\b|\bhill[- ]walking\b"),
    _r("interests", "cooking", r"\bcook(?:s|ing)\b|\bexperiment(?:s|ing)? with (?:new |different )?"
       r"(?:[\w-]+ )?recipes\b|\bgrilling\b|\bbarbecu(?:e|ing)\b|\bbbq\b|\bgourmet meals\b"),
    _r("interests", "photography", r"\bphotograph(?:y|s|ing|er|ers)\b|\bphotos\b|\bcameras?\b"),
    _r("interests", "video games", r"\bvideo ?games?\b|\bgaming\b|\bgamers?\b|\bretro consoles\b|"
       r"\besports\b|\bconsoles?\b"),
    _r("interests", "gardening", r"\bgarden(?:s|ing|er)?\b|\bgreenhouse\b|\bgrows? (?:his|her|their) "
       r"own\b|\bgrowing (?:organic |his |her )?(?:vegetables|herbs|roses|plants|flowers)\b",
       exclude=r"\bbotanical gardens?\b|\bkindergarten\b"),
    _r("interests", "jazz", r"\bjazz\b"),
    _r("interests", "football", r"\bfootball\b|\bsoccer\b"),
    _r("interests", "painting", r"\bpaint(?:s|ing|ings|er)?\b|\bwatercolou?rs?\b",
       exclude=r"\bpaintball\b"),
    _r("interests", "reading", r"\bread(?:s|ing|er)\b|\bbook ?clubs?\b|\bbookworm\b|\bnovels\b|"
       r"\bcollection of (?:over \d+ |rare |vintage )?books\b|\bcomic books\b",
       exclude=r"\bwrit(?:e|es|ing|er)\b|\bpublish"),
    _r("interests", "travel", r"\btravel(?:s|ing|ling|ed|led|er|ler)?\b|\btrips? abroad\b|"
       r"\bvisited (?:over |more than )?\d+ countries\b|\bexplor(?:e|ing) new (?:cities|countries|"
       r"places|cultures)\b|\bbackpacking\b",
       exclude=r"\btravel(?:s|ing|ling)? (?:\w+ )?for\b|\btravel (?:agent|writer|"
       r"blogger|vlogger|nurse)\b"),
    _r("interests", "yoga", r"\byoga\b"),
    _r("interests", "chess", r"\bchess\b"),
    _r("interests", "cycling", r"\bcycl(?:ing|ist|ists|es)\b|\bbik(?:ing|e rides?)\b|\bbicycl\w*|"
       r"\bmountain bik(?:e|es|ing)\b|\bbikes\b", exclude=r"\bmotor"),
    _r("interests", "astronomy", r"\bastronom(?:y|er|ers)\b|\bstargaz(?:ing|er)\b|\btelescopes?\b"),
    _r("interests", "baking", r"\bbak(?:e|es|ing|er)\b"),
    _r("interests", "fishing", r"\bfishing\b|\bangling\b|\banglers?\b|\bfisherman\b"),
    # --- content likes (a dislike cue sends them to dislikes)
    _r("likes", "spicy food", r"\bspic(?:y|e)\b|\bhot sauces?\b|\bchil(?:l)?i(?:es)?(?: peppers)?\b",
       "topic"),
    _r("likes", "sweets", r"\bdesserts?\b|\bsweet tooth\b|\bcand(?:y|ies)\b|\bsweets\b|\bchocolate\b",
       "topic"),
    _r("likes", "seafood", r"\bseafood\b|\bsushi\b|\bshellfish\b", "topic"),
    _r("likes", "coffee", r"\bcoffee\b|\bespresso\b|\bamericano\b|\blattes?\b|\bcappuccinos?\b",
       "topic", exclude=r"\bcoffee (?:shop|house)\b|\bcaf[eé]\b"),
    _r("likes", "podcasts", r"\bpodcasts?\b", "topic"),
    _r("likes", "documentaries", r"\bdocumentar(?:y|ies)\b", "topic"),
    _r("likes", "horror films", r"\bhorror\b", "topic"),
    _r("dislikes", "crowds", r"\bcrowds?\b|\bcrowded\b|\blarge groups\b", "dislike_only"),
    _r("likes", "museums", r"\bmuseums?\b|\bart galler(?:y|ies)\b|\bexhibitions?\b", "topic",
       exclude=r"\bcurator\b|\bworks?\b|\bjob\b|\bvolunteer|\blectures?\b"),
    _r("likes", "live music", r"\bconcerts?\b|\bmusic festivals?\b|\blive music\b|\bgigs\b|"
       r"\bopen mic\b", "topic"),
    _r("likes", "board games", r"\bboard ?games?\b|\btabletop games?\b", "topic"),
    _r("likes", "online shopping", r"\bonline shopping\b|\bshopping online\b", "topic"),
    # --- diet
    _r("diet", "vegan", r"\b(?:is|a|strict|went|follows a|being) vegan\b|\bvegan diet\b|"
       r"\bplant[- ]based diet\b|\bvegan,"),
    _r("diet", "vegetarian", r"\b(?:is|a|strict|went|follows a|being) vegetarian\b|"
       r"\bvegetarian diet\b|\bdoesn't eat meat\b|\bdoes not eat meat\b", "none"),
    _r("diet", "gluten-free", r"\bgluten[- ](?:free|intolerant|intolerance)\b|\bc(?:o)?eliac\b"),
    _r("diet", "halal", r"\bhalal\b"),
    # --- other
    _r("other", "has a dog", r"\bdogs?\b|\bpupp(?:y|ies)\b|\bretrievers?\b|\blabradors?\b|"
       r"\bpit ?bulls?\b|\bbeagles?\b|\bpoodles?\b|\bterriers?\b|\bbulldogs?\b|\bhusk(?:y|ies)\b|"
       r"\bcorgis?\b|\bgerman shepherds?\b|\bdachshunds?\b|\bspaniels?\b|\bdalmatians?\b",
       "own", exclude=r"\bdog (?:rescue|shelter|trainer|walker|show)\b|\bhot dogs?\b"),
    _r("other", "has a cat", r"\bcats?\b|\bkittens?\b|\bkitty\b", "own"),
    _r("other", "recently moved", r"\b(?:recently|just) (?:moved|relocated)\b|\bnew to the "
       r"(?:city|area|town|neighbou?rhood)\b"),
    _r("other", "learning a language", r"\blearning (?:to speak )?(?:a new |new |another )?"
       r"(?:languages?|sign language|spanish|french|german|italian|japanese|mandarin|chinese|"
       r"portuguese|korean|arabic|russian|hindi|greek|dutch|swedish)\b|\btak(?:es|ing) "
       r"(?:spanish|french|german|italian|japanese|mandarin|language) (?:lessons|classes)\b",
       exclude=r"\bprogramming\b"),
    _r("other", "training for a marathon", r"(?<!half-)(?<!half )\bmarathons?\b"),
    _r("other", "night owl", r"\bnight owl\b|\bstays? up late\b|\blate[- ]night person\b"),
    _r("other", "early riser", r"\bearly riser\b|\bearly bird\b|\bmorning person\b|"
       r"\b(?:wakes|gets) up early\b"),
    _r("other", "volunteers", r"\bvolunteer(?:s|ing|ed)?\b|\bcharity work\b|\bcommunity service\b"),
    _r("other", "works from home", r"\bworks? (?:from|at) home\b|\bworks? remotely\b|"
       r"\bremote (?:worker|job|work)\b|\bhome office\b"),
    _r("other", "long commute", r"\bcommut(?:e|es|ing)\b"),
    _r("other", "saving for a house", r"\bsaving (?:up )?(?:for|to buy) (?:a|his|her|their "
       r"first) (?:house|home|flat|apartment|down payment)\b"),
    _r("other", "recovering from an injury", r"\brecovering from\b|\binjur(?:y|ies|ed)\b|\brehab\b",
       exclude=r"\bpatients?\b|\bhelps?\b|\bhelping\b|\brehabilitation cent(?:er|re)\b|\bathletes\b"),
    # --- budget
    _r("budget", "tight", r"\bfrugal\b|\bon a (?:tight |strict )?budget\b|\bthrifty\b"),
    # --- personality traits
    _r("personality_traits", "introverted", r"\bintroverted\b|\bintrovert\b|\bshy\b|\breserved\b|"
       r"\bquiet\b|\bprefers? (?:to spend time )?alone\b|\bsocially awkward\b|\bsocially arkward\b|"
       r"\bkeeps to (?:him|her|them)sel(?:f|ves)\b"),
    _r("personality_traits", "extroverted", r"\bextroverted\b|\bextrovert\b|\bextraverted\b|"
       r"\boutgoing\b|\bsociable\b|\bgregarious\b|\blife of the party\b|\bcent(?:er|re) of "
       r"attention\b|\bloves to be around people\b|\b(?:is|very|highly) social\b(?! (?:worker|media))"),
    _r("personality_traits", "curious", r"\bcurious\b|\bcuriosity\b|\binquisitive\b|"
       r"\beager to learn\b|\bthirst for knowledge\b"),
    _r("personality_traits", "anxious", r"\banxious\b|\bnervous\b|\bworrier\b|\banxiety\b|"
       r"\bworries a lot\b"),
    _r("personality_traits", "organised", r"\b(?:well[- ]|highly |very |is |are |quite |super )"
       r"organi[sz]ed\b|\bmethodical\b|\borderly\b|\bplan(?:s)? everything in advance\b|"
       r"\bplan out (?:his|her|their) day\b|\bplanning (?:his|her|their) day\b|"
       r"\bkeeping everything in its place\b|\btidy\b"),
    _r("personality_traits", "spontaneous", r"\bspontaneous\b|\bimpulsive\b|\bon a whim\b|"
       r"\bimpromptu\b|\blast-minute plans\b|\bon the fly\b|\bon impulse\b"),
    _r("personality_traits", "patient", r"(?<!\ba )(?<!\bthe )(?<!\bhis )(?<!\bher )\bpatient\b"
       r"(?! (?:care|records))"),
    _r("personality_traits", "competitive", r"\bcompetitive\b"),
    _r("personality_traits", "optimistic", r"\boptimis(?:tic|t|m)\b|\bbright side\b|"
       r"\bsilver lining\b|\bglass half[- ]full\b|\bpositive outlook\b"),
    _r("personality_traits", "sceptical", r"\bs[ck]eptic(?:al)?\b|\bcynical\b"),
    _r("personality_traits", "creative", r"\bcreative\b|\bcreativity\b|\bimaginative\b|"
       r"\bartistic\b|\binventive\b|\binnovative\b"),
    _r("personality_traits", "practical", r"\bpractical\b|\bpragmatic\b|\bdown[- ]to[- ]earth\b|"
       r"\bsensible\b"),
    # --- reply style the personality implies
    _r("humour", "playful", r"\bhumou?r(?:ous)?\b|\bwitty\b|\bquick wit\b|\bjokes?\b|\bfunny\b|"
       r"\bbanter\b|\bplayful\b|\bmak(?:e|es|ing) (?:others|people|everyone) laugh\b|"
       r"\bfun-loving\b"),
    _r("directness", "direct", r"\bspeak(?:s|ing)? (?:his|her|their) mind\b|\bstraightforward\b|"
       r"\bcandid\b|\bblunt\b|\bbeating around the bush\b|\bfrank\b"),
    _r("directness", "diplomatic", r"\bdiplomatic\b|\btactful\b|\bavoids? confrontation\b|"
       r"\bkeep the peace\b"),
)

_MARITAL_RULES: tuple[tuple[str, re.Pattern], ...] = (
    ("married", _rx(r"\bmarried\b|\b(?:his|her|a|their) (?:wife|husband|spouse)\b|\bnewlywed\b")),
    ("in a relationship", _rx(r"\bengaged\b|\bfianc[ée]e?\b|\b(?:his|her|a|their|long-time) "
                              r"(?:girlfriend|boyfriend|partner)\b|\bin a (?:[\w-]+ )*"
                              r"relationship\b|\bdating\b")),
    ("widowed", _rx(r"\bwidow(?:ed|er)?\b")),
    ("divorced", _rx(r"\bdivorced?\b|\bseparated\b")),
    ("single", _rx(r"\bsingle\b(?![- ]handed)")),
)
_MARITAL_PRIORITY = ("married", "in a relationship", "widowed", "divorced", "single")

_KIDS_RE = _rx(r"\b(?:grand(?:children|kids|sons?|daughters?|child)|children|child|kids?|sons?|"
               r"daughters?|twins|girls|boys|baby|toddlers?)\b")
_GRANDPARENT_RE = _rx(r"\bgrand(?:children|kids|sons?|daughters?|child|father|mother|parent)s?\b")
_KIDS_CONTEXT_RE = _rx(r"\b(?:has|have|with|of|mother|father|parent|mom|dad|mum)\b")
#: children mentioned as someone's pupils or patients, or the persona as a child
_NOT_OWN_KIDS_RE = _rx(r"\b(?:teach|teaching|coach|coaching|volunteer|mentor|children's|kids'|"
                       r"for kids|to kids|school|camp|hospital|programs?|as a child|"
                       r"since (?:he|she) was)\b")
_KID_AGE_RULES: tuple[tuple[str, re.Pattern], ...] = (
    ("grown-up children", _rx(r"\bgrown(?:[- ]up)?\b|\badult\b|\bcollege[- ]aged\b|\bin college\b|"
                              r"\bat university\b|\bempty nester\b")),
    ("teenage children", _rx(r"\bteen(?:age|aged|s)?\b|\bin high school\b")),
    ("young children", _rx(r"\byoung\b|\blittle\b|\bsmall\b|\bbaby\b|\btoddlers?\b|\binfants?\b|"
                           r"\bnewborn\b|\bpreschool")),
)
_NO_KIDS_RE = _rx(r"\bno (?:kids|children)\b|\bchildless\b|\bchild[- ]free\b|"
                  r"\b(?:doesn't|does not|don't) have (?:any )?(?:kids|children)\b")
_PARENTS_RE = _rx(r"\blives with (?:his|her|their) parents\b|\bliving with (?:his|her|their) "
                  r"parents\b|\blives at home with\b")
_CARES_RE = _rx(r"\b(?:cares for|caring for|takes care of|taking care of|looks after|looking after)"
                r" (?:his|her|their) (?:elderly |ailing |aging |ageing |sick )?(?:mother|father|"
                r"mom|dad|mum|parents?)\b|\bcaregiver\b|\bcarer\b")
_SIBLING_RE = _rx(r"\b(?:brothers?|sisters?|siblings?|twin)\b")

_LOCATION_RULES: tuple[tuple[str, re.Pattern], ...] = (
    ("by the sea", _rx(r"\bbeach\b|\bcoast(?:al)?\b|\bseaside\b|\bby the sea\b|\bnear the "
                       r"(?:sea|ocean)\b|\boceanfront\b|\bwaterfront\b")),
    ("mountains", _rx(r"\bin the mountains\b|\bmountain (?:town|village|cabin|home)\b|\balpine\b")),
    ("countryside", _rx(r"\bcountryside\b|\brural\b|\bon a (?:farm|ranch)\b|\bfarmhouse\b|"
                        r"\bin the woods\b|\bin the country\b")),
    ("small town", _rx(r"\bsmall town\b|\bvillage\b|\btown\b")),
    ("suburbs", _rx(r"\bsuburb(?:s|an|ia)?\b|\boutskirts\b")),
    ("big city", _rx(r"\bdowntown\b|\bcity\b|\burban\b|\bmetropolis\b|\bskyline\b|"
                     r"\b(?:new york|nyc|london|chicago|los angeles|san francisco|tokyo|paris|"
                     r"seattle|boston|berlin)\b")),
)
_LOCATION_EXCLUDE = _rx(r"\banother city\b|\bcity skyline photos\b|\bgrew up\b|\bvisit")

_EDU_RULES: tuple[tuple[str, re.Pattern], ...] = (
    ("phd", _rx(r"\bph\.?\s?d\b|\bdoctorate\b|\bdoctoral degree\b|\bdphil\b")),
    ("master's degree", _rx(r"\bmaster['\u2019]?s?\b(?: degree)?|\bMBA\b|\bMSc\b|\bMFA\b|\bM\.?Ed\b|"
                            r"\bM\.A\.")),
    ("bachelor's degree", _rx(r"\bbachelor['\u2019]?s?\b|\bBSc\b|\bB\.?A\.|\bdegree\b|"
                              r"\bgraduated from (?:college|university)\b|\bcollege graduate\b")),
    ("vocational training", _rx(r"\bdiploma\b|\bcertificat(?:e|ion)\b|\bvocational\b|"
                                r"\btrade school\b|\bapprenticeship\b|\btechnical college\b|"
                                r"\bculinary school\b")),
    ("high school", _rx(r"\bhigh school (?:diploma|education)\b|\bgraduated (?:from )?high "
                        r"school\b|\bGED\b")),
)
_HIGHER_DEGREE_RE = _rx(r"\b(?:master|ph\.?\s?d|doctoral)")
_HS_DIPLOMA_RE = _rx(r"\bhigh school diploma\b")
_EDU_PRIORITY = ("phd", "master's degree", "bachelor's degree", "vocational training", "high school")
_EDU_SKIP = _rx(r"\b(?:completing|pursuing|studying for|working (?:on|towards?)|enrolled in|"
                r"currently studying)\b|\bassociate['\u2019]?s? degree\b|\bbachelor of arts student\b")
_EDU_CUE = _rx(r"\bdegree\b|\bdiploma\b|\bcertificat|\bph\.?\s?d\b|\bdoctorate\b|\bmaster|"
               r"\bbachelor|\bMBA\b|\bgraduat")

_SLOT_CUES: tuple[tuple[str, re.Pattern], ...] = (
    ("family", _rx(r"\b(?:children|kids?|sons?|daughters?|brothers?|sisters?|siblings?|twins?|"
                   r"parents?|grand\w+|family)\b")),
    ("marital_status", _rx(r"\b(?:married|wedding|engaged|girlfriend|boyfriend|partner|"
                           r"relationship)\b")),
    ("education", _EDU_CUE),
    ("other", _rx(r"\bpets?\b|\bparrots?\b|\bsnakes?\b|\bhamsters?\b|\brabbits?\b|\bturtles?\b|"
                  r"\bfish\b|\bgoldfish\b|\baquarium\b|\blizards?\b|\bhorses?\b|\bbirds?\b")),
    ("location", _rx(r"\blives?\b|\blives in\b|\bapartment\b|\bdorm(?:itory)?\b|\bloft\b|"
                     r"\bhouse\b")),
)

_GENDER_PRONOUNS = {
    "male": _rx(r"\b(?:he|him|his|himself|he's)\b"),
    "female": _rx(r"\b(?:she|her|hers|herself|she's)\b"),
}
_THEY_RE = _rx(r"\b(?:they|them|their|themselves|they're)\b")
_NONBINARY_RE = _rx(r"\bnon[- ]?binary\b|\bgenderqueer\b|\benby\b")

_SINGLE_SLOTS = frozenset(s.name for s in DEFAULT_SCHEMA.slots if not s.is_list)


# ============================================================================ extraction
@dataclass
class _Found:
    """What one text gave: items (slot, value, clause) in order of mention, and free items."""

    items: list[tuple[str, str, str]] = field(default_factory=list)
    free: list[tuple[str, str]] = field(default_factory=list)
    fact_status: list[str] = field(default_factory=list)  # per fact: mapped / partial / free


def _mask_names(text: str) -> str:
    """Pet and people names blanked out (same length, so offsets stay valid)."""
    def blank(m: re.Match) -> str:
        g = m.group(0)
        keep = 6 if g.startswith("named") else 1  # "named " or ","
        return g[:keep] + "_" * (len(g) - keep)
    return _NAME_RE.sub(blank, text)


def _negated(clause: str, start: int) -> bool:
    """A negation word among the four words before ``start`` (positive idioms removed)."""
    before = _POSITIVE_NEG.sub(" ", clause[:start])
    words = before.split()[-4:]
    return bool(_NEG_RE.search(" ".join(words)))


def _occupation_phrase(clause: str, first_fact: bool) -> tuple[int, int] | None:
    """Span of the occupation phrase: "is a ..." opening the first fact, or "works as a ..."."""
    m = (_OCC_IS_RE.search(clause) if first_fact else None) or _OCC_WORKS_RE.search(clause)
    if m is None:
        return None
    a, b = m.span("occ")
    # stop at the first relative/prepositional continuation
    tail = re.search(r"\s+(?:who|that|which|at|for|with|in|from|and|specializing|specialising)\b|,",
                     clause[a:b], re.IGNORECASE)
    if tail:
        b = a + tail.start()
    return a, b


def _scan_clause(clause: _Clause, first_fact: bool, source: str,
                 found: _Found) -> tuple[bool, bool]:
    """Scan one clause into ``found``; returns (any schema item, any free item)."""
    raw = clause.text
    full = _mask_names(raw)
    # the persona's own part; a relative clause about someone else is blanked (offsets kept)
    text = full[:clause.own_end] + " " * (len(full) - clause.own_end)
    hits: list[tuple[str, str, int, int]] = []  # slot, value, start, end
    free: list[tuple[str, str]] = []
    occ_span: tuple[int, int] | None = None

    # --- age (profile only)
    if source == "profile":
        for m in _AGE_RE.finditer(text):
            v = age_bracket(m.group(0), DEFAULT_SCHEMA.slot("age").values)
            if v is not None:
                hits.append(("age", v, m.start(), m.end()))
        for m in _DECADE_CUE_RE.finditer(text):
            v = age_bracket(m.group(0), DEFAULT_SCHEMA.slot("age").values)
            if v is not None:
                hits.append(("age", v, m.start(), m.end()))
    # --- occupation (profile only, from an occupation phrase: "is a ..." in the first fact,
    # "works as a ..." anywhere)
    if source == "profile":
        span = _occupation_phrase(text, first_fact)
        if span is not None:
            a, b = span
            phrase = text[a:b]
            phrase_clean = _AGE_RE.sub(" ", phrase)
            phrase_clean = " ".join(phrase_clean.split()).strip(" ,")
            if phrase_clean and not _NOT_OCCUPATION.search(phrase_clean):
                occ_span = span
                value = next((v for v, rx in _OCC_RULES if rx.search(phrase_clean)), None)
                if value is not None:
                    hits.append(("occupation", value, a, b))
                else:
                    free.append(("occupation", _strip_article(phrase_clean)))
    # --- location (needs a residence cue)
    if _RESIDENCE_RE.search(text) and not _LOCATION_EXCLUDE.search(text):
        for value, rx in _LOCATION_RULES:
            m = rx.search(text)
            if m and not _negated(text, m.start()):
                hits.append(("location", value, m.start(), m.end()))
                break
    # --- education
    if not _EDU_SKIP.search(text):
        for value, rx in _EDU_RULES:
            m = rx.search(text)
            if m is None:
                continue
            if value == "bachelor's degree" and m.group(0).lower() == "degree" and \
                    _HIGHER_DEGREE_RE.search(text):
                continue
            if value == "vocational training" and _HS_DIPLOMA_RE.search(text):
                continue
            hits.append(("education", value, m.start(), m.end()))
            break
    elif _EDU_CUE.search(text):
        free.append(("education", raw))

    # --- marital status and family (the persona's part only: "a sister who is married" is not)
    for value, rx in _MARITAL_RULES:
        m = rx.search(text)
        if m and not _negated(text, m.start()):
            hits.append(("marital_status", value, m.start(), m.end()))
    fam = _family(text)
    if fam is not None:
        value, a, b = fam
        if value is None:
            free.append(("family", raw))
        else:
            hits.append(("family", value, a, b))

    # --- gendered non-binary statement
    m = _NONBINARY_RE.search(text)
    if m:
        hits.append(("gender", "non-binary", m.start(), m.end()))
    # --- keyword rules
    dislike = _DISLIKE_RE.search(text)
    for rule in KEYWORD_RULES:
        if rule.exclude is not None and rule.exclude.search(text):
            continue
        for m in rule.pattern.finditer(text):
            if occ_span is not None and occ_span[0] <= m.start() < occ_span[1]:
                continue  # "travel agent", "yoga instructor": the job, not a hobby
            slot = rule.slot
            if rule.guard == "own" and not _OWNERSHIP_RE.search(text):
                continue
            if rule.guard in ("topic", "dislike_only"):
                if dislike is not None and dislike.start() < m.start():
                    slot = "dislikes"
                elif rule.guard == "dislike_only" or _negated(text, m.start()):
                    continue
            elif rule.guard in ("neg", "own") and _negated(text, m.start()):
                continue
            hits.append((slot, rule.value, m.start(), m.end()))
            break

    # --- lists after a liking verb: each unmapped activity becomes a free interest item
    if source == "profile":
        m = _LIKE_VERB_RE.search(text)
        if m is not None and not _DISLIKE_RE.search(text[:m.start()]):
            body_start = m.end()
            pos = body_start
            for part in [*_LIST_SPLIT_RE.split(text[body_start:]), None]:
                if part is None:
                    break
                start = text.find(part, pos)
                if start < 0:
                    start = pos
                end = start + len(part)
                pos = end
                item = part.strip(" ,.")
                if not item or len(item.split()) > 8:
                    continue
                if any(start <= h[2] < end for h in hits):
                    continue
                free.append(("interests", _strip_article(raw[start:end].strip(" ,."))))

    for slot, value, _, _ in hits:
        found.items.append((slot, value, raw))
    found.free.extend(free)
    return bool(hits), bool(free)


def _strip_article(s: str) -> str:
    return re.sub(r"^(?:an?|the)\s+", "", s.strip(), flags=re.IGNORECASE)


def _family(text: str) -> tuple[str | None, int, int] | None:
    """``(value or None when children are named without an age cue, start, end)``, or ``None``."""
    m = _NO_KIDS_RE.search(text)
    if m:
        return "no children", m.start(), m.end()
    m = _PARENTS_RE.search(text)
    if m:
        return "lives with parents", m.start(), m.end()
    m = _CARES_RE.search(text)
    if m:
        return "cares for a parent", m.start(), m.end()
    m = _GRANDPARENT_RE.search(text)
    if m:
        return "grown-up children", m.start(), m.end()
    m = _KIDS_RE.search(text)
    if m and _KIDS_CONTEXT_RE.search(text[:m.start()]) and not _NOT_OWN_KIDS_RE.search(text):
        for value, rx in _KID_AGE_RULES:
            a = rx.search(text)
            if a:
                return value, a.start(), a.end()
        return None, m.start(), m.end()
    if _SIBLING_RE.search(text):
        return None, 0, 0
    return None


@lru_cache(maxsize=4096)
def _extract_text(text: str, source: str) -> tuple[tuple[tuple[str, str, str], ...],
                                                    tuple[tuple[str, str], ...],
                                                    tuple[str, ...]]:
    """Items ``(slot, value, clause)``, free items and per-fact status of one text."""
    found = _Found()
    for fact_no, fact in enumerate(split_facts(text)):
        # a personality sentence is one trait with its elaboration ("She is loyal, standing by
        # her friends"): kept whole; a profile sentence is split into clauses
        clauses = _clauses(fact) if source == "profile" else [_Clause(fact, len(fact))]
        any_hit = any_free = False
        for clause in clauses:
            h, f = _scan_clause(clause, fact_no == 0, source, found)
            if not h and not f and not _FILLER_RE.match(clause.text):
                slot = _cued_slot(clause.text, source)
                found.free.append((slot, _clause_text(clause.text, fact, clauses)))
                f = True
            any_hit |= h
            any_free |= f
        found.fact_status.append("mapped" if any_hit and not any_free
                                 else "partial" if any_hit else "free")
    return tuple(found.items), tuple(found.free), tuple(found.fact_status)


#: clauses that say nothing by themselves ("In his free time, he likes to ...")
_FILLER_RE = _rx(r"^(?:in|during) (?:his|her|their) (?:free|spare|down) ?time\W*$|"
                 r"^(?:also|too|as well)\W*$")


def _clause_text(clause: str, fact: str, clauses: list[_Clause]) -> str:
    """A free clause as text: the whole fact when the fact is one clause, else the clause."""
    if len(clauses) == 1:
        return fact
    return clause.strip(" ,.")


def _cued_slot(text: str, source: str) -> str:
    if source == "personality":
        return "personality_traits"
    for slot, rx in _SLOT_CUES:
        if rx.search(text):
            return slot
    return FREE_SLOT


def _gender(profile_text: str) -> tuple[str | None, str]:
    if _NONBINARY_RE.search(profile_text):
        return "non-binary", _NONBINARY_RE.search(profile_text).group(0)
    counts = {g: len(rx.findall(profile_text)) for g, rx in _GENDER_PRONOUNS.items()}
    male, female = counts["male"], counts["female"]
    if male > female:
        return "male", f"{male} he/him/his vs {female} she/her"
    if female > male:
        return "female", f"{female} she/her vs {male} he/him/his"
    if male == female == 0 and _THEY_RE.search(profile_text):
        return "non-binary", "they/them only"
    return None, ""


def extract_slots(profile_text: str, personality_text: str = "", schema: PersonaSchema = DEFAULT_SCHEMA
                  ) -> tuple[dict[str, tuple[str, ...]], list[tuple[str, str]],
                             dict[str, tuple[tuple[str, str], ...]]]:
    """Map a free-text persona onto the schema's slots (policy: module doc).

    Returns:
        ``(slots, free, evidence)``: ``slots`` maps each filled slot to its values (schema order,
        one value for single slots); ``free`` lists ``(slot or "other_free", text)`` for what was
        not mapped (including the losing values of single slots); ``evidence`` maps each filled
        slot to ``((value, clause), ...)``.
    """
    if not isinstance(profile_text, str) or not isinstance(personality_text, str):
        raise TypeError("extract_slots takes two strings (profile text, personality text)")
    p_items, p_free, _ = _extract_text(profile_text, "profile")
    t_items, t_free, _ = _extract_text(personality_text, "personality") if personality_text.strip() \
        else ((), (), ())
    mentions: dict[str, list[tuple[str, str]]] = {}
    for slot, value, clause in (*p_items, *t_items):
        if not schema.has_item(slot, value):
            continue
        mentions.setdefault(slot, []).append((value, clause))
    g, why = _gender(profile_text)
    if g is not None and schema.has_item("gender", g) and "gender" not in mentions:
        mentions["gender"] = [(g, why)]

    free: list[tuple[str, str]] = list(p_free) + list(t_free)
    slots: dict[str, tuple[str, ...]] = {}
    evidence: dict[str, tuple[tuple[str, str], ...]] = {}
    for s in schema.slots:
        ms = mentions.get(s.name)
        if not ms:
            continue
        if s.name == "personality_traits":
            ms = _settle_intro_extro(ms, free)
        if not ms:
            continue
        if s.is_list:
            values = tuple(v for v in s.values if any(v == m[0] for m in ms))
        else:
            distinct = list(dict.fromkeys(v for v, _ in ms))
            winner = _pick_single(s.name, distinct)
            values = (winner,)
            winner_clauses = {c for vv, c in ms if vv == winner}
            for v in distinct:
                if v != winner:
                    clause = next(c for vv, c in ms if vv == v)
                    if clause not in winner_clauses:
                        free.append((s.name, clause))
        slots[s.name] = values
        seen: dict[str, str] = {}
        for v, c in ms:
            if v in values and v not in seen:
                seen[v] = c
        evidence[s.name] = tuple(seen.items())
    return slots, _dedupe(free), evidence


def _settle_intro_extro(ms: list[tuple[str, str]], free: list[tuple[str, str]]) -> list[tuple[str, str]]:
    n_in = sum(v == "introverted" for v, _ in ms)
    n_ex = sum(v == "extroverted" for v, _ in ms)
    if not (n_in and n_ex):
        return ms
    drop = {"introverted", "extroverted"} if n_in == n_ex else \
        {"extroverted"} if n_in > n_ex else {"introverted"}
    for v, c in ms:
        if v in drop:
            free.append(("personality_traits", c))
    return [(v, c) for v, c in ms if v not in drop]


def _pick_single(slot: str, values: list[str]) -> str:
    if len(values) == 1:
        return values[0]
    order = {"marital_status": _MARITAL_PRIORITY, "education": _EDU_PRIORITY,
             "location": tuple(v for v, _ in _LOCATION_RULES),
             "occupation": ("retiree", "student"),
             "diet": ("vegan", "vegetarian", "gluten-free", "halal")}.get(slot, ())
    for v in order:
        if v in values:
            return v
    return values[0]


def _dedupe(free: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    out: dict[tuple[str, str], None] = {}
    texts: set[str] = set()
    for slot, text in free:
        t = text.strip()
        if not t or t.lower() in texts:
            continue
        texts.add(t.lower())
        out[(slot, t)] = None
    return list(out)


# ============================================================================ loading
def make_persona(persona_id: str, profile_text: str, personality_text: str = "",
                 schema: PersonaSchema = DEFAULT_SCHEMA) -> FreeTextPersona:
    """One :class:`FreeTextPersona` from a profile and a personality text."""
    slots, free, evidence = extract_slots(profile_text, personality_text, schema)
    rs = reduced_schema({k: len(v) for k, v in slots.items()}, schema)
    persona = Persona(persona_id, slots, schema=rs)
    return FreeTextPersona(persona_id=persona_id, profile_text=profile_text,
                           personality_text=personality_text, facts=split_facts(profile_text),
                           traits=split_facts(personality_text), persona=persona,
                           free_items=tuple(free), evidence=evidence)


def load_aloe(profile_path: PathLike, personality_path: PathLike, n_personalities_per_profile: int = 1,
              seed: int = 0, schema: PersonaSchema = DEFAULT_SCHEMA) -> list[FreeTextPersona]:
    """ALOE's personas: every profile paired with ``n_personalities_per_profile`` distinct
    personalities drawn by ``numpy.random.default_rng(seed)`` (module doc: Pairing).

    Returns ``len(profiles) * n_personalities_per_profile`` personas, profile by profile; ids are
    ``"aloe-{profile index:03d}-{personality index:02d}"``.

    Raises:
        AloeFileError: a file is malformed (file, line and column named).
        ValueError: an empty file, or ``n_personalities_per_profile`` outside 1..len(personalities).
    """
    profiles = read_aloe_strings(profile_path)
    personalities = read_aloe_strings(personality_path)
    if not profiles:
        raise ValueError(f"{profile_path}: no profiles")
    if not personalities:
        raise ValueError(f"{personality_path}: no personalities")
    k = n_personalities_per_profile
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= len(personalities):
        raise ValueError(f"n_personalities_per_profile must be an int in 1..{len(personalities)} "
                         f"(the number of personalities), got {k!r}")
    rng = np.random.default_rng(seed)
    out: list[FreeTextPersona] = []
    for i, prof in enumerate(profiles):
        for j in sorted(int(x) for x in rng.choice(len(personalities), size=int(k), replace=False)):
            out.append(make_persona(f"aloe-{i:03d}-{j:02d}", prof.text, personalities[j].text, schema))
    return out


# ============================================================================ coverage
def aloe_pool(directory: PathLike, n_personalities_per_profile: int = 1, seed: int = 0,
              max_tries: int = 50) -> "PersonaPool":
    """ALOE personas as a pool the rule simulator can run: extracted slots kept, the rest imputed.

    The rule simulator needs a value for every slot of :data:`DEFAULT_SCHEMA`; ALOE profiles fill
    about 7 of 19. Each persona keeps every value the extractor found (list slots cut to the
    schema's ``max_items``) and takes the slots it could not fill from a persona drawn by the
    seeded :class:`~persona_env.generator.PersonaGenerator`, redrawn (up to ``max_tries``) until
    the combination breaks no coherence rule. Ids are ALOE's (``aloe-012-37``). The original texts
    stay available through :func:`load_aloe` (``card()``) for LLM users; the free facts that map to
    no slot are not part of the rule simulator's truth.
    """
    from persona_env.generator import PersonaGenerator, violated_rules
    from persona_env.pool import PersonaPool

    directory = Path(directory)
    texts = load_aloe(directory / "profile.jsonl", directory / "personality.jsonl",
                      n_personalities_per_profile=n_personalities_per_profile, seed=seed)
    generator = PersonaGenerator()
    rng = np.random.default_rng(seed)
    out = []
    for ft in texts:
        extracted = {slot: tuple(values[: DEFAULT_SCHEMA.slot(slot).max_items])
                     for slot, values in ft.slot_values.items() if values}
        best = None
        for _ in range(max_tries):
            base = generator.sample(rng, ft.persona_id)
            candidate = base.with_values(**extracted)
            best = candidate
            if not violated_rules(candidate):
                break
        out.append(best)
    return PersonaPool(out, name=f"aloe:{directory}")


def coverage_report(personas: Sequence[FreeTextPersona], schema: PersonaSchema = DEFAULT_SCHEMA
                    ) -> dict[str, Any]:
    """How much of the personas the extractor mapped.

    Keys: ``n_personas``, ``n_profiles`` (distinct profile texts), ``slot_counts`` (slot -> personas
    with the slot filled, every schema slot listed), ``slot_share`` (the same / n_personas),
    ``mean_filled_slots``, ``mean_items`` (schema items per persona), ``mean_free_items``,
    ``profile_only_slot_counts`` / ``profile_only_mean_filled_slots`` (the same over the distinct
    profiles, extracted from the profile text alone, without the sampled personality),
    ``n_facts`` (profile sentences, over distinct profiles), ``facts_mapped`` / ``facts_partial`` /
    ``facts_free`` (sentences with every clause mapped / some / none), ``share_facts_free``,
    ``share_facts_with_free_part`` ((partial + free) / n_facts), the same three for the
    personality sentences (``traits_*``), and ``free_slot_counts`` (free items by slot).
    """
    n = len(personas)
    counts = Counter()
    free_slots = Counter()
    n_items = n_free = 0
    for p in personas:
        counts.update(p.slot_values.keys())
        n_items += len(p.items())
        n_free += len(p.free_items)
        free_slots.update(s for s, _ in p.free_items)
    fact_status = Counter()
    profile_only = Counter()
    for text in dict.fromkeys(p.profile_text for p in personas):
        fact_status.update(_extract_text(text, "profile")[2])
        profile_only.update(extract_slots(text, "", schema)[0].keys())
    n_prof = len({p.profile_text for p in personas})
    trait_status = Counter()
    for text in dict.fromkeys(p.personality_text for p in personas):
        if text.strip():
            trait_status.update(_extract_text(text, "personality")[2])
    n_facts = sum(fact_status.values())
    n_traits = sum(trait_status.values())
    return {
        "n_personas": n,
        "n_profiles": n_prof,
        "slot_counts": {s.name: counts.get(s.name, 0) for s in schema.slots},
        "slot_share": {s.name: (counts.get(s.name, 0) / n if n else 0.0) for s in schema.slots},
        "mean_filled_slots": (sum(counts.values()) / n) if n else 0.0,
        "profile_only_slot_counts": {s.name: profile_only.get(s.name, 0) for s in schema.slots},
        "profile_only_mean_filled_slots": sum(profile_only.values()) / n_prof if n_prof else 0.0,
        "mean_items": n_items / n if n else 0.0,
        "mean_free_items": n_free / n if n else 0.0,
        "n_facts": n_facts,
        "facts_mapped": fact_status["mapped"],
        "facts_partial": fact_status["partial"],
        "facts_free": fact_status["free"],
        "share_facts_free": fact_status["free"] / n_facts if n_facts else 0.0,
        "share_facts_with_free_part": (fact_status["free"] + fact_status["partial"]) / n_facts
        if n_facts else 0.0,
        "n_traits": n_traits,
        "traits_mapped": trait_status["mapped"],
        "traits_partial": trait_status["partial"],
        "traits_free": trait_status["free"],
        "share_traits_free": trait_status["free"] / n_traits if n_traits else 0.0,
        "free_slot_counts": dict(free_slots.most_common()),
    }


def format_coverage(report: Mapping[str, Any]) -> str:
    """The report as a plain-text table."""
    n = report["n_personas"]
    lines = [f"ALOE extraction coverage: {n} personas ({report['n_profiles']} distinct profiles)",
             f"{'slot':<20}{'filled':>8}{'share':>8}{'profile text only':>20}"]
    n_prof = report["n_profiles"]
    for slot, c in report["slot_counts"].items():
        po = report["profile_only_slot_counts"][slot]
        lines.append(f"{slot:<20}{c:>8}{report['slot_share'][slot]:>8.1%}"
                     f"{po:>12} {po / n_prof if n_prof else 0.0:>7.1%}")
    lines += [
        f"mean filled slots per persona: {report['mean_filled_slots']:.2f} (profile text only: "
        f"{report['profile_only_mean_filled_slots']:.2f} per profile)",
        f"mean schema items per persona: {report['mean_items']:.2f}",
        f"mean free items per persona:   {report['mean_free_items']:.2f}",
        f"profile facts: {report['n_facts']} = {report['facts_mapped']} mapped + "
        f"{report['facts_partial']} partly mapped + {report['facts_free']} free "
        f"({report['share_facts_free']:.1%} free, {report['share_facts_with_free_part']:.1%} "
        f"with a free part)",
        f"personality traits: {report['n_traits']} = {report['traits_mapped']} mapped + "
        f"{report['traits_partial']} partly mapped + {report['traits_free']} free "
        f"({report['share_traits_free']:.1%} free)",
        "free items by slot: " + ", ".join(f"{k} {v}" for k, v in report["free_slot_counts"].items()),
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m persona_env.aloe",
                                 description="Import ALOE personas and print the extractor's coverage.")
    ap.add_argument("folder", help="folder holding profile.jsonl and personality.jsonl")
    ap.add_argument("-k", "--personalities-per-profile", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    args = ap.parse_args(argv)
    folder = Path(args.folder)
    try:
        personas = load_aloe(folder / "profile.jsonl", folder / "personality.jsonl",
                             args.personalities_per_profile, args.seed)
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    report = coverage_report(personas)
    print(json.dumps(report, indent=2) if args.json else format_coverage(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
