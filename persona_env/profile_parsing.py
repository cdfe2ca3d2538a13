"""Lenient parsing of an agent's profile guess into items, and the text normalisation behind it.

:func:`parse_profile` turns the untrusted profile text of an action into :class:`GuessItem`\\ s --
``(slot or None, value text as written)`` -- without deciding which schema item each one means;
that is the job of a matcher (:mod:`persona_env.rewards.profile`). It accepts three forms:

``json``
    ``{"occupation": "nurse", "Interests": ["hiking", "jazz"], "age": 29}``. Keys are matched to
    slot names, labels and a few common synonyms (:data:`KEY_ALIASES`), ignoring case, spaces,
    underscores, hyphens, markdown and parenthesised remarks. Values may be strings (split at
    ``,``/``;``/``and``/``or`` for list slots), lists of strings, or numbers. Nested lists and
    objects under a slot key, ``null`` and booleans are ignored with a note; an object under an
    unknown key (``{"demographics": {"age": 29}}``) is read as a section. Text that starts with
    ``{`` (or ``[``) but is not valid JSON falls back to the line parser (note).
``list``
    RLPA's bullet lines (``- Occupation: nurse``, ``* age: 29``, ``1. Interests: hiking, jazz``,
    ``- **Gender:** female``), plain ``Key: value`` lines, ``Key - value`` for known keys,
    section headers (``Interests:`` followed by bullets) and key-less bullets (``- nurse``).
``prose``
    Free text (``"Probably a nurse in her thirties who loves hiking and jazz."``), scanned for the
    known surface forms of the schema's values (the values themselves, :data:`VALUE_ALIASES`,
    plurals) and for age phrases; every hit becomes an unslotted item.

Conventions:

* Unknown keys give unslotted items and a note ``unknown slot 'xyz'``. Their values, key-less
  bullets and prose lines are scanned for known surface forms; a bullet (or unknown-key value)
  with none is kept as raw unslotted items, so it still counts as a (wrong) guess.
* Placeholders under a key (``unknown``, ``n/a``, ``not mentioned``, ``?``) are dropped: they
  are not guesses.
* In prose, a content topic after a dislike cue (``hates crowds``, ``isn't a fan of coffee``) is
  slotted ``dislikes`` -- the one exception to "prose items are unslotted" -- and a hit right
  after a negation (``isn't married``) is skipped; negated phrases the alias table knows
  (``not married``, ``no kids``) are found as themselves.
* Identical items (same slot, same text ignoring case and spacing) are kept once; at most
  :data:`MAX_ITEMS` items of at most :data:`MAX_ITEM_CHARS` characters are kept (note). Text is
  sanitised (:func:`~persona_env.actions.sanitise_text`) and cut at
  :data:`~persona_env.actions.MAX_PROFILE_CHARS` first, so nothing here raises on any string.

This module also owns the text normalisation (:func:`normalise_text`), the alias tables and the
age parser (:func:`age_bracket`) that :class:`~persona_env.rewards.profile.NormalisedStringMatcher`
resolves items with, so the prose scanner finds exactly the forms the matcher understands.
"""

from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from persona_env.actions import MAX_PROFILE_CHARS, sanitise_text
from persona_env.schema import DEFAULT_SCHEMA, PersonaSchema

#: At most this many items are kept from one profile (a note says when more were found).
MAX_ITEMS = 200
#: Longer item texts are cut to this many characters.
MAX_ITEM_CHARS = 200

FORMS = ("json", "list", "prose", "empty")


@dataclass(frozen=True)
class GuessItem:
    """One guessed information item, before resolution against the schema.

    Attributes:
        slot: the schema slot name the guess was written under, or ``None`` (prose, key-less
            bullets, unknown keys).
        text: the value text as written, stripped of whitespace, quotes and markdown emphasis.
    """

    slot: str | None
    text: str


@dataclass(frozen=True)
class ParsedProfile:
    """The items of one profile guess.

    Attributes:
        items: de-duplicated guesses, in the order written (at most :data:`MAX_ITEMS`).
        form: ``"json"``, ``"list"``, ``"prose"`` or ``"empty"`` (blank text).
        notes: what was ignored or repaired, as short strings.
    """

    items: tuple[GuessItem, ...]
    form: str
    notes: tuple[str, ...] = ()


# ============================================================================ normalisation
_TOKEN_RE = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*\+?")
#: tokens dropped by :func:`normalise_text` (articles and possessive determiners)
STOP_TOKENS = frozenset({"a", "an", "the", "his", "her", "their", "my", "our", "your", "its"})
_NEGATIONS = frozenset({"not", "no", "never", "doesnt", "dont", "isnt", "arent", "wasnt", "without",
                        "hardly", "unlikely", "nor", "neither", "cant", "cannot", "wont", "didnt",
                        "hasnt", "havent"})


@lru_cache(maxsize=65536)
def normalise_token(token: str) -> str:
    """Lowercase, drop apostrophes and singularise one token (``"Dogs"`` -> ``"dog"``).

    Singularisation is a small suffix rule applied to alphabetic tokens of 4+ letters: ``-ies`` ->
    ``-y``, ``-sses/-shes/-ches/-xes/-zes`` drop ``es``, otherwise a final ``s`` is dropped unless the
    word ends in ``ss``, ``us`` or ``is``. It is applied alike to guesses and schema values, so it
    only has to be consistent, not linguistically right.
    """
    t = token.casefold().replace("'", "").replace("\u2019", "")
    if len(t) >= 4 and t.isalpha():
        if t.endswith("ies") and len(t) > 4:
            return t[:-3] + "y"
        if t.endswith(("sses", "shes", "ches", "xes", "zes")):
            return t[:-2]
        if t.endswith("s") and not t.endswith(("ss", "us", "is")):
            return t[:-1]
    return t


def _tokens(text: str) -> tuple[list[str], list[int], list[int]]:
    """Normalised tokens of ``text`` without stop tokens, with their start and end offsets."""
    spans = [m.span() for m in _TOKEN_RE.finditer(text)]
    norm = [normalise_token(text[a:b]) for a, b in spans]
    keep = [i for i, t in enumerate(norm) if t not in STOP_TOKENS]
    return [norm[i] for i in keep], [spans[i][0] for i in keep], [spans[i][1] for i in keep]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text) if not text.isascii() else text


def normalise_text(text: str) -> str:
    """The matching key of a value: words only, lowercased, singular, without articles.

    ``"The Dogs!"`` -> ``"dog"``, ``"Bachelor's degree"`` -> ``"bachelor degree"``,
    ``"gluten-free"`` -> ``"gluten free"``. Articles and possessives (a, an, the, her, his, ...) are
    dropped unless nothing else is left (so ``"her"`` stays ``"her"``).
    """
    toks = [normalise_token(w) for w in _TOKEN_RE.findall(_fold(text))]
    kept = [t for t in toks if t not in STOP_TOKENS]
    return " ".join(kept or toks)


# ============================================================================ alias tables
# Alias policy: an alias names exactly one value of its slot. Aliases in VALUE_ALIASES are
# unambiguous enough to be recognised anywhere (prose, key-less bullets, any slot-less guess);
# SLOT_ONLY_ALIASES are short or generic words ("cook", "ba", "short", "none") that only count
# when the guess is written under that slot ("Occupation: cook" is a chef, "loves to cook" is
# cooking). Deliberately absent: bare "kids"/"children"/"parent" (which family value?), "vet"
# (not a doctor), "runner" (not a marathon), pronouns outside the gender slot.

_TOPIC_ALIASES: dict[str, tuple[str, ...]] = {
    "spicy food": ("spicy", "spicy dishes", "hot food", "chilli", "chili", "spice", "spicy meals"),
    "sweets": ("desserts", "candy", "sugary food", "sweet treats", "pastries", "sweet tooth"),
    "seafood": ("fish dishes", "sushi", "shellfish"),
    "coffee": ("espresso", "lattes", "cappuccino"),
    "podcasts": ("podcast episodes",),
    "documentaries": ("docs", "documentary films", "nature documentaries"),
    "horror films": ("horror", "horror movies", "scary movies", "horror films", "slasher films"),
    "crowds": ("crowded places", "busy places", "large crowds", "big crowds"),
    "museums": ("galleries", "art galleries", "exhibitions"),
    "live music": ("concerts", "gigs", "live gigs", "live shows"),
    "long reads": ("long articles", "longform", "long-form articles", "essays"),
    "early mornings": ("mornings",),
    "board games": ("boardgames", "tabletop games", "board gaming"),
    "online shopping": ("shopping online", "internet shopping", "e-commerce"),
}

VALUE_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "gender": {
        "non-binary": ("nonbinary", "enby", "genderqueer"),
    },
    "interests": {
        "hiking": ("hike", "hiker", "hill walking", "trekking", "trails", "hill-walking"),
        "cooking": ("cook", "cooks", "home cooking", "cooking at home"),
        "photography": ("photographer", "taking photos", "taking pictures", "photos", "photographs"),
        "video games": ("gaming", "gamer", "videogames", "video gaming", "computer games",
                        "console games", "pc games"),
        "gardening": ("garden", "gardener", "growing vegetables", "allotment"),
        "jazz": ("jazz music", "jazz fan", "jazz records"),
        "football": ("soccer", "footy", "football fan"),
        "painting": ("painter", "paints", "watercolour", "watercolours", "watercolor", "oil painting"),
        "reading": ("books", "reader", "avid reader", "bookworm", "novels", "reads a lot"),
        "travel": ("travelling", "traveling", "traveller", "traveler", "travels", "trips abroad"),
        "yoga": ("yoga classes", "yogi"),
        "chess": ("chess player", "playing chess"),
        "cycling": ("biking", "cyclist", "bike rides", "bicycle", "road cycling", "cycles"),
        "astronomy": ("stargazing", "stargazer", "telescope", "astronomer"),
        "baking": ("baker", "bakes", "bread baking", "baking bread"),
        "fishing": ("angling", "angler", "fisherman", "goes fishing"),
    },
    "education": {
        "high school": ("secondary school", "high school diploma", "high-school diploma", "ged",
                        "gcse", "gcses", "finished school"),
        "vocational training": ("vocational", "trade school", "apprenticeship", "technical college",
                                "vocational school", "vocational qualification", "trade qualification"),
        "bachelor's degree": ("bachelor", "bachelors", "bachelor degree", "undergraduate degree",
                              "university degree", "uni degree", "college degree", "bsc", "b.sc",
                              "b.a.", "beng", "college graduate", "university graduate", "college grad"),
        "master's degree": ("master", "masters", "master degree", "msc", "m.sc", "mba", "m.a.",
                            "postgraduate degree", "graduate degree", "mphil", "postgrad"),
        "phd": ("doctorate", "ph.d", "ph.d.", "dphil", "doctoral degree", "phd degree"),
    },
    "personality_traits": {
        "introverted": ("introvert", "shy", "reserved", "quiet", "private person"),
        "extroverted": ("extrovert", "extraverted", "extravert", "outgoing", "sociable"),
        "curious": ("inquisitive", "curiosity"),
        "anxious": ("nervous", "worrier", "worried", "anxiety", "worries a lot"),
        "organised": ("organized", "tidy", "methodical", "well-organised", "well-organized", "planner"),
        "spontaneous": ("impulsive", "spur of the moment"),
        "patient": ("calm and patient",),
        "competitive": ("driven to win",),
        "optimistic": ("optimist", "upbeat", "glass half full"),
        "sceptical": ("skeptical", "sceptic", "skeptic", "cynical"),
        "creative": ("artistic", "imaginative"),
        "practical": ("pragmatic", "hands-on", "down to earth", "down-to-earth", "sensible"),
    },
    "occupation": {
        "nurse": ("registered nurse", "nursing", "works in nursing", "nurse practitioner"),
        "software engineer": ("software developer", "software dev", "developer", "programmer", "coder",
                              "swe", "web developer", "software engineering", "developer by trade"),
        "teacher": ("schoolteacher", "school teacher", "educator", "primary teacher",
                    "secondary teacher", "works as a teacher"),
        "student": ("university student", "college student", "undergrad", "undergraduate",
                    "grad student", "graduate student", "pupil"),
        "chef": ("head chef", "sous chef", "line cook", "professional cook", "works in a kitchen"),
        "accountant": ("accounting", "bookkeeper", "cpa", "chartered accountant", "auditor"),
        "retiree": ("retired", "pensioner", "in retirement"),
        "farmer": ("farming", "rancher", "runs a farm", "works on a farm", "farm worker"),
        "lawyer": ("attorney", "solicitor", "barrister", "legal counsel"),
        "graphic designer": ("graphic design", "visual designer"),
        "electrician": ("electrical contractor",),
        "journalist": ("reporter", "journalism", "correspondent"),
        "doctor": ("physician", "medical doctor", "surgeon", "general practitioner"),
        "shop owner": ("shopkeeper", "store owner", "owns a shop", "runs a shop", "owns a store",
                       "runs a store", "small business owner", "retailer", "boutique owner"),
    },
    "marital_status": {
        "single": ("unmarried", "not married", "never married", "no partner"),
        "in a relationship": ("has a partner", "has a boyfriend", "has a girlfriend", "dating",
                              "partnered", "engaged", "has a fiance", "has a fiancee"),
        "married": ("has a husband", "has a wife", "has a spouse", "newlywed", "married couple"),
        "divorced": ("divorcee", "separated", "going through a divorce"),
        "widowed": ("widow", "widower"),
    },
    "family": {
        "no children": ("no kids", "childless", "child-free", "childfree", "has no kids",
                        "has no children", "without kids", "doesn't have kids", "no child"),
        "young children": ("young kids", "little kids", "small kids", "small children", "toddler",
                           "baby", "infant", "newborn", "little ones", "preschooler", "young family"),
        "teenage children": ("teenage kids", "teenagers", "teens", "teenage son", "teenage daughter",
                             "teenage sons", "teenage daughters"),
        "grown-up children": ("grown-up kids", "grown up kids", "adult children", "adult kids",
                              "grown kids", "grown children", "grandchildren", "grandkids",
                              "empty nester", "grandparent", "grandmother", "grandfather"),
        "lives with parents": ("lives at home", "lives with mum and dad", "lives with mom and dad",
                               "still lives at home", "living with parents"),
        "cares for a parent": ("caregiver", "carer", "caring for a parent", "looks after a parent",
                               "looks after mother", "looks after father", "cares for mother",
                               "cares for father", "cares for mum", "cares for dad",
                               "cares for elderly parent", "caring for elderly parent"),
    },
    "location": {
        "big city": ("city", "urban", "downtown", "city centre", "city center", "metropolis",
                     "city dweller"),
        "suburbs": ("suburban", "suburb", "outskirts"),
        "small town": ("village", "small village"),
        "countryside": ("rural", "rural area", "the country", "in the country"),
        "by the sea": ("coast", "coastal", "seaside", "near the sea", "near the beach", "beach town",
                       "on the coast", "by the coast", "seaside town"),
        "mountains": ("mountain town", "in the mountains", "alps", "alpine", "highlands"),
    },
    "other": {
        "has a dog": ("dog", "dog owner", "owns a dog", "puppy", "dog lover"),
        "has a cat": ("cat", "cat owner", "owns a cat", "kitten", "cat lover"),
        "recently moved": ("just moved", "moved recently", "new to the area", "relocated",
                           "recently relocated", "new in town"),
        "learning a language": ("learning spanish", "learning french", "learning german",
                                "learning italian", "learning japanese", "learning mandarin",
                                "learning chinese", "learning portuguese", "learning korean",
                                "learning arabic", "learning a new language", "language learner",
                                "studying a language"),
        "training for a marathon": ("marathon", "marathon training", "training for marathon",
                                    "running a marathon"),
        "night owl": ("stays up late", "late sleeper", "night person"),
        "early riser": ("morning person", "early bird", "gets up early", "wakes up early"),
        "volunteers": ("volunteering", "charity work", "does volunteer work"),
        "works from home": ("remote worker", "works remotely", "wfh", "remote work", "home office",
                            "working from home"),
        "long commute": ("commuter", "commutes", "long drive to work", "commutes a lot"),
        "saving for a house": ("saving for a home", "saving up for a house", "house deposit",
                               "saving for a deposit", "saving to buy a house"),
        "recovering from an injury": ("injured", "injury", "recovering", "rehab", "physio",
                                      "physiotherapy", "recovering from injury"),
    },
    "verbosity": {
        "brief": ("concise", "short answers", "short replies", "terse", "succinct", "brevity",
                  "keep it short"),
        "moderate": ("medium length", "medium-length"),
        "detailed": ("thorough", "in-depth", "in depth", "lengthy", "comprehensive", "verbose",
                     "long answers", "long replies", "elaborate"),
    },
    "formality": {
        "casual": ("laid-back", "laid back", "informal", "casual tone"),
        "neutral": ("neutral tone",),
        "formal": ("formal tone", "formal language"),
    },
    "emoji": {
        "no emoji": ("hates emoji", "dislikes emoji", "without emoji", "avoid emoji", "no emoticons",
                     "emoji-free", "doesn't like emoji", "no smileys"),
        "likes emoji": ("loves emoji", "uses emoji", "emoji lover", "enjoys emoji", "emoji fan",
                        "fond of emoji"),
    },
    "humour": {
        "serious": ("no jokes", "no humour", "no humor", "humourless"),
        "playful": ("funny", "humorous", "humourous", "witty", "likes jokes", "light-hearted",
                    "lighthearted", "sense of humour", "sense of humor", "banter"),
    },
    "directness": {
        "direct": ("blunt", "straightforward", "to the point", "frank", "no-nonsense",
                   "straight talking", "straight-talking"),
        "diplomatic": ("tactful", "gentle", "indirect"),
    },
    "likes": _TOPIC_ALIASES,
    "dislikes": _TOPIC_ALIASES,
    "diet": {
        "no restrictions": ("no dietary restrictions", "eats anything", "eats everything", "omnivore"),
        "vegetarian": ("veggie", "no meat", "doesn't eat meat", "meat-free"),
        "vegan": ("plant-based", "plant based", "vegan diet"),
        "gluten-free": ("coeliac", "celiac", "gluten intolerant", "gluten intolerance", "no gluten"),
        "halal": ("eats halal", "halal food"),
    },
    "budget": {
        "tight": ("on a budget", "tight budget", "limited budget", "budget-conscious", "frugal",
                  "low budget", "money is tight", "price-conscious", "small budget"),
        "moderate": ("mid-range", "moderate budget", "medium budget", "average budget"),
        "generous": ("big budget", "high budget", "generous budget", "money no object",
                     "well-off", "large budget"),
    },
}

SLOT_ONLY_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "interests": {"video games": ("games",), "painting": ("art",), "cycling": ("bikes",)},
    "education": {
        "bachelor's degree": ("ba", "bs", "degree", "university", "college", "uni", "undergraduate"),
        "master's degree": ("ma", "ms", "postgraduate"),
        "high school": ("school", "secondary", "a levels", "a-levels"),
        "vocational training": ("trade", "trades", "apprentice"),
    },
    "personality_traits": {"extroverted": ("social",), "optimistic": ("positive",)},
    "occupation": {
        "software engineer": ("engineer", "dev", "software", "it"),
        "nurse": ("rn",),
        "chef": ("cook", "cooking", "kitchen"),
        "doctor": ("gp", "md", "medicine"),
        "graphic designer": ("designer", "design"),
        "electrician": ("sparky", "electrical"),
        "lawyer": ("law", "legal"),
        "teacher": ("teaching",),
        "student": ("studying", "studies"),
        "shop owner": ("shop", "retail", "business owner"),
        "farmer": ("farm",),
    },
    "marital_status": {
        "married": ("wed", "husband", "wife", "spouse"),
        "in a relationship": ("partner", "relationship", "taken", "boyfriend", "girlfriend"),
        "single": ("unattached",),
    },
    "family": {"no children": ("none", "no", "nil")},
    "location": {"small town": ("town",), "countryside": ("country", "farm")},
    "other": {"works from home": ("remote",)},
    "verbosity": {"brief": ("short", "low", "minimal"), "moderate": ("medium", "average", "normal"),
                  "detailed": ("long", "high", "detail")},
    "formality": {"casual": ("relaxed", "friendly", "low"), "neutral": ("normal", "standard", "mixed"),
                  "formal": ("professional", "polite", "high")},
    "emoji": {"no emoji": ("none", "no", "never", "avoid", "dislikes"),
              "likes emoji": ("yes", "likes", "loves", "lots", "frequent", "often", "uses")},
    "humour": {"serious": ("no", "none", "low"), "playful": ("yes", "jokes", "light", "high")},
    "directness": {"direct": ("high", "very direct"), "diplomatic": ("low", "soft", "polite")},
    "diet": {"no restrictions": ("none", "no", "anything", "normal", "meat eater", "nothing")},
    "budget": {"tight": ("low", "limited", "small", "cheap", "tight-ish"),
               "moderate": ("medium", "average", "mid", "normal"),
               "generous": ("high", "big", "large", "flexible", "plenty")},
}

#: Gender words recognised only under the gender slot (checked on the raw lowercased text).
GENDER_WORDS: dict[str, str] = {
    **{w: "female" for w in ("female", "f", "woman", "women", "she", "her", "she/her", "she/hers",
                            "lady", "girl", "feminine")},
    **{w: "male" for w in ("male", "m", "man", "men", "he", "him", "he/him", "he/his", "guy",
                          "boy", "masculine")},
    **{w: "non-binary" for w in ("non-binary", "nonbinary", "non binary", "nb", "enby",
                                "they/them", "they", "genderqueer")},
}

#: Slot keys: normalised key (lowercase letters and digits only) -> slot name, besides the slot's
#: own name and label.
KEY_ALIASES: dict[str, str] = {
    **{k: "age" for k in ("agerange", "agebracket", "agegroup", "estimatedage", "approximateage")},
    **{k: "gender" for k in ("sex", "genderidentity", "pronouns")},
    **{k: "interests" for k in ("hobbies", "hobby", "interest", "hobbiesandinterests",
                                "hobbiesinterests", "interestshobbies", "interestsandhobbies",
                                "pastimes")},
    **{k: "education" for k in ("educationlevel", "degree", "qualification", "qualifications",
                                "schooling", "educationalbackground", "highesteducation")},
    **{k: "personality_traits" for k in ("personality", "traits", "trait", "personalitytrait",
                                         "character", "temperament")},
    **{k: "occupation" for k in ("job", "profession", "work", "career", "jobtitle", "employment",
                                 "role", "occupationjob", "jobprofession")},
    **{k: "marital_status" for k in ("marital", "relationship", "relationshipstatus",
                                     "civilstatus", "maritalrelationshipstatus")},
    **{k: "family" for k in ("familystatus", "children", "kids", "household", "familysituation",
                             "familydetails")},
    **{k: "location" for k in ("livesin", "residence", "home", "city", "area", "region",
                               "hometown", "livingsituation", "environment", "wherelives")},
    **{k: "other" for k in ("otherinfo", "misc", "miscellaneous", "additionalinformation",
                            "additionalinfo", "otherdetails", "otherfacts")},
    **{k: "verbosity" for k in ("length", "responselength", "answerlength", "detaillevel",
                                "levelofdetail", "preferredlength", "replylength")},
    **{k: "formality" for k in ("tone", "register", "formalitylevel")},
    **{k: "emoji" for k in ("emojis", "emojiusage", "emojipreference", "emoticons")},
    **{k: "humour" for k in ("humor", "jokes", "humourpreference", "humorpreference")},
    **{k: "directness" for k in ("bluntness", "directnesspreference")},
    **{k: "likes" for k in ("like", "favourites", "favorites", "enjoys", "loves", "contentlikes")},
    **{k: "dislikes" for k in ("dislike", "hates", "aversions", "avoids", "contentdislikes")},
    **{k: "diet" for k in ("dietaryrestrictions", "dietary", "dietarypreferences",
                           "dietaryrequirements", "dietpreference")},
    **{k: "budget" for k in ("spending", "finances", "budgetlevel", "money")},
}

#: Values that mean "no guess" and are dropped (compared lowercased, without outer punctuation).
PLACEHOLDERS = frozenset((
    "unknown", "n/a", "na", "not mentioned", "not specified", "not known", "unclear", "tbd",
    "not stated", "not provided", "not given", "unsure", "no information", "no info", "none known",
    "not yet known", "not mentioned yet", "unknown yet", "to be determined", "not sure", "",
    "-", "--", "?", "??", "???", "...", "none known yet", "undetermined", "unspecified", "no data",
))


def is_placeholder(text: str) -> bool:
    """``"Unknown"``, ``"N/A"``, ``"(not mentioned)"``, ``"?"``: a slot left open, not a guess."""
    return len(text) <= 30 and " ".join(text.casefold().strip(" ()[].!*_-").split()) in PLACEHOLDERS


# ============================================================================ ages
_DECADE_WORDS = {"twen": 20, "thir": 30, "for": 40, "fif": 50, "six": 60, "seven": 70, "eigh": 80,
                 "nine": 90}
_DECADE_NUM_WORDS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
                     "seventy": 70, "eighty": 80, "ninety": 90}
_DECADE_PATTERN = (
    r"(?=[emltfsn2-9])\b(?:(early|mid|late)[\s\-]*)?"
    r"(?:(twen|thir|for|fif|six|seven|eigh|nine)ties"
    r"|([2-9]0)\s*['\u2019]?s"
    r"|(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|[2-9]0)[\s\-]*something)\b")
_DECADE_RE = re.compile(_DECADE_PATTERN, re.IGNORECASE)
_DECADE_LOWER_RE = re.compile(_DECADE_PATTERN)  # for already-lowercased text: much faster
_YEARS_OLD_RE = re.compile(
    r"\b(\d{1,3})\s*[\-\s]?\s*(?:(?:years?|yrs?)[\s\-]*old|y/o|yo|y\.o\.?)(?![\w])", re.IGNORECASE)
_AGED_RE = re.compile(
    r"\bage[ds]?\b\s*(?:of|:|=|is|about|around|approx\.?|approximately|roughly|~|\s)*\s*(\d{1,3})\b",
    re.IGNORECASE)
_OVER_RE = re.compile(r"\b(over|above|older than|under|below|younger than)\s+(\d{1,3})\b", re.IGNORECASE)
_RANGE_RE = re.compile(r"\b(\d{1,3})\s*(?:-|\u2013|\u2014|to)\s*(\d{1,3})\b", re.IGNORECASE)
_PLUS_RE = re.compile(r"\b(\d{1,3})\s*(?:\+|plus\b|or (?:older|over|more)\b)", re.IGNORECASE)
_NUMBER_RE = re.compile(r"(?<![\d.])(\d{1,3})(?![\d])")
_AGE_WORDS = {"middle aged": (40, 60), "elderly": (65, 121),
              "senior citizen": (65, 121), "young adult": (18, 25)}
_AGE_WORD_RE = re.compile(r"\b(middle[\s\-]aged|elderly|senior citizen|young adult)\b", re.IGNORECASE)
#: Every age phrase the prose scanner reports (all of them carry their own age cue).
_PROSE_AGE_CHECKS = (
    (_DECADE_RE, ("ties", "0s", "0's", "0\u2019s", "something")),
    (_YEARS_OLD_RE, ("old", "yo", "y/o", "y.o")),
    (_AGED_RE, ("age",)),
    (_AGE_WORD_RE, ("aged", "elderly", "senior", "young adult")),
)
MIN_AGE, MAX_AGE = 18, 120


def _decade_interval(m: re.Match) -> tuple[int, int]:
    mod, word, num, something = m.group(1), m.group(2), m.group(3), m.group(4)
    if word:
        base = _DECADE_WORDS[word.lower()]
    elif num:
        base = int(num)
    else:
        s = something.lower()
        base = _DECADE_NUM_WORDS.get(s) or int(s)
    mod = (mod or "").lower()
    if mod == "early":
        return base, base + 4
    if mod == "mid":
        return base + 3, base + 7
    if mod == "late":
        return base + 7, base + 10
    return base, base + 10


def age_interval(text: str, require_cue: bool = False) -> tuple[int, int] | None:
    """The age span ``[lo, hi)`` in years a phrase names, or ``None``.

    Recognised anywhere (each carries its own cue): ``"29 years old"``, ``"29-year-old"``,
    ``"29yo"``, ``"aged 29"``, ``"thirties"``/``"30s"``/``"thirty-something"`` (the decade),
    ``"early/mid/late 30s"`` (``[30,34)``, ``[33,37)``, ``[37,40)``), ``"middle-aged"``
    (``[40,60)``), ``"elderly"``. Only when ``require_cue`` is false (text written under the age
    slot): a bare number ``"29"``, a range ``"25-34"``/``"30 to 35"``, ``"65+"``, ``"over 40"``
    (``[41,51)``), ``"under 25"`` (``[18,25)``). Numbers outside 18..120 name no age.
    """
    found = _age_match(text, require_cue)
    return None if found is None else found[0]


def _age_match(text: str, require_cue: bool) -> tuple[tuple[int, int] | None, tuple[int, int]] | None:
    """``(span or None when out of range, (match start, match end))`` of the first age phrase."""
    if not isinstance(text, str):
        return None
    m = _DECADE_RE.search(text)
    if m:
        return _decade_interval(m), m.span()
    m = _AGE_WORD_RE.search(text)
    if m:
        return _AGE_WORDS[re.sub(r"[\s\-]+", " ", m.group(1).lower())], m.span()
    for rx in (_YEARS_OLD_RE, _AGED_RE):
        m = rx.search(text)
        if m:
            n = int(m.group(1))
            return ((n, n + 1) if MIN_AGE <= n <= MAX_AGE else None), m.span()
    if require_cue:
        return None
    m = _OVER_RE.search(text)
    if m:
        n = int(m.group(2))
        if m.group(1).lower() in ("over", "above", "older than"):
            return _clip(n + 1, n + 11), m.span()
        return _clip(n - 7, n), m.span()
    m = _RANGE_RE.search(text)
    if m:
        a, b = sorted((int(m.group(1)), int(m.group(2))))
        return _clip(a, b + 1), m.span()
    m = _PLUS_RE.search(text)
    if m:
        n = int(m.group(1))
        return ((n, MAX_AGE + 1) if MIN_AGE <= n <= MAX_AGE else None), m.span()
    m = _NUMBER_RE.search(text)
    if m:
        n = int(m.group(1))
        return ((n, n + 1) if MIN_AGE <= n <= MAX_AGE else None), m.span()
    return None


def _clip(lo: int, hi: int) -> tuple[int, int] | None:
    lo, hi = max(lo, MIN_AGE), min(hi, MAX_AGE + 1)
    return (lo, hi) if lo < hi else None


_BRACKET_RANGE_RE = re.compile(r"^\s*(\d+)\s*-\s*(\d+)\s*$")
_BRACKET_PLUS_RE = re.compile(r"^\s*(\d+)\s*\+\s*$")


@lru_cache(maxsize=64)
def _brackets(values: tuple[str, ...]) -> tuple[tuple[str, int, int], ...]:
    out = []
    for v in values:
        m = _BRACKET_RANGE_RE.match(v)
        if m:
            out.append((v, int(m.group(1)), int(m.group(2)) + 1))
            continue
        m = _BRACKET_PLUS_RE.match(v)
        if m:
            out.append((v, int(m.group(1)), MAX_AGE + 1))
    return tuple(out)


def age_bracket(text: str, values: tuple[str, ...], require_cue: bool = False,
                max_other_words: int | None = None) -> str | None:
    """The age-bracket value (of ``values``, e.g. ``"25-34"``) a phrase refers to, or ``None``.

    The phrase's span (:func:`age_interval`) goes to the bracket that overlaps it most. A decade
    straddles two of RLPA's brackets equally (the 30s are 30-34 | 35-39), so ties go to the bracket
    holding the span's midpoint: ``"30s"`` -> ``35-44``, ``"20s"`` -> ``25-34``, ``"early 30s"``
    -> ``25-34``, ``"late 30s"`` -> ``35-44``, ``"29"`` -> ``25-34``. Exact bracket strings
    (``"25-34"``, ``"65+"``) map to themselves. With ``max_other_words``, text holding more words
    than that besides the age phrase is not an age (``"married for 20 years"``).
    """
    if not isinstance(text, str):
        return None
    stripped = text.strip()
    if stripped in values:
        return stripped
    found = _age_match(text, require_cue)
    if found is None or found[0] is None:
        return None
    (lo, hi), (ms, me) = found
    if max_other_words is not None:
        rest = text[:ms] + " " + text[me:]
        if len(_TOKEN_RE.findall(rest)) > max_other_words:
            return None
    mid = (lo + hi) / 2
    best, best_key = None, (0, False)
    for v, blo, bhi in _brackets(values):
        overlap = min(hi, bhi) - max(lo, blo)
        if overlap <= 0:
            continue
        key = (overlap, blo <= mid < bhi)
        if best is None or key > best_key:
            best, best_key = v, key
    return best


# ============================================================================ surface tables
_BREAK_RE = re.compile(r"[.;!?\n]")


class _Scanner:
    """Longest-match lookup of token n-grams against a table of normalised surface forms."""

    __slots__ = ("table", "max_n")

    def __init__(self, table: dict[str, Any]) -> None:
        self.table = table
        self.max_n: dict[str, int] = {}
        for key in table:
            parts = key.split(" ")
            self.max_n[parts[0]] = max(self.max_n.get(parts[0], 0), len(parts))

    def scan(self, toks: list[str], starts: list[int], ends: list[int],
             text: str) -> list[tuple[int, int, Any]]:
        """``(first token, last token + 1, payload)`` of each hit, left to right, not overlapping.

        ``toks`` are normalised tokens (stop tokens already removed), ``starts``/``ends`` their
        character offsets in ``text``; a hit never spans a sentence break.
        """
        hits = []
        table, max_n = self.table, self.max_n
        n_tok = len(toks)
        nxt = 0
        for i in [i for i, t in enumerate(toks) if t in max_n]:
            if i < nxt:
                continue
            for k in range(min(max_n[toks[i]], n_tok - i), 0, -1):
                key = toks[i] if k == 1 else " ".join(toks[i:i + k])
                if key in table:
                    if k > 1 and _BREAK_RE.search(text, ends[i], starts[i + k - 1]):
                        continue
                    hits.append((i, i + k, table[key]))
                    nxt = i + k
                    break
        return hits


@dataclass(frozen=True)
class SurfaceTables:
    """Normalised surface forms of a schema's values (built once per schema, cached).

    Attributes:
        anywhere: key -> the ``(slot, value)`` pairs it names, in schema order (values and
            :data:`VALUE_ALIASES`); used for unslotted guesses and prose.
        by_slot: slot -> key -> value (values, :data:`VALUE_ALIASES` and
            :data:`SLOT_ONLY_ALIASES`).
        ambiguous: ``(slot, key)`` pairs dropped from ``by_slot`` for naming two values of a slot.
        keys: normalised slot key -> slot name (names, labels, :data:`KEY_ALIASES`).
        cache: scratch memo for matchers and :func:`match_key` (bounded).
    """

    anywhere: dict[str, tuple[tuple[str, str], ...]]
    by_slot: dict[str, dict[str, str]]
    ambiguous: tuple[tuple[str, str], ...]
    keys: dict[str, str]
    prose: _Scanner
    slot_scanners: dict[str, _Scanner]
    cache: dict = field(default_factory=dict, repr=False)

    def memo(self, key: Any, compute) -> Any:
        """``compute()`` memoised under ``key`` (the memo is cleared when it grows large)."""
        try:
            return self.cache[key]
        except KeyError:
            pass
        if len(self.cache) > 50_000:
            self.cache.clear()
        value = self.cache[key] = compute()
        return value


_TABLES: dict[int, tuple[PersonaSchema, SurfaceTables]] = {}


def surface_tables(schema: PersonaSchema) -> SurfaceTables:
    """The surface-form tables of ``schema``, built on first use and cached per schema object.

    Aliases for slots or values the schema lacks are skipped, so custom schemas work.
    """
    entry = _TABLES.get(id(schema))
    if entry is not None and entry[0] is schema:
        return entry[1]
    tables = _build_tables(schema)
    if len(_TABLES) > 32:
        _TABLES.clear()
    _TABLES[id(schema)] = (schema, tables)  # holding the schema keeps its id from being reused
    return tables


def _build_tables(schema: PersonaSchema) -> SurfaceTables:
    anywhere: dict[str, list[tuple[str, str]]] = {}
    by_slot: dict[str, dict[str, str]] = {}
    ambiguous: list[tuple[str, str]] = []
    for slot in schema.slots:
        if slot.name == "age":
            continue  # ages are parsed, not looked up
        table: dict[str, str] = {}
        bad: set[str] = set()

        def add(key: str, value: str, anywhere_too: bool) -> None:
            if not key:
                return
            if table.get(key, value) != value:
                bad.add(key)
            table.setdefault(key, value)
            if anywhere_too:
                pairs = anywhere.setdefault(key, [])
                if (slot.name, value) not in pairs:
                    pairs.append((slot.name, value))

        for value in slot.values:
            add(normalise_text(value), value, True)
        for value, aliases in VALUE_ALIASES.get(slot.name, {}).items():
            if value in slot.values:
                for alias in aliases:
                    add(normalise_text(alias), value, True)
        for value, aliases in SLOT_ONLY_ALIASES.get(slot.name, {}).items():
            if value in slot.values:
                for alias in aliases:
                    add(normalise_text(alias), value, False)
        for key in sorted(bad):
            ambiguous.append((slot.name, key))
            del table[key]
        by_slot[slot.name] = table
    keys: dict[str, str] = {}
    for alias, slot_name in KEY_ALIASES.items():
        if schema.has_slot(slot_name):
            keys[alias] = slot_name
    for slot in schema.slots:  # the schema's own names and labels win over the aliases
        keys[_KEY_NORM_RE.sub("", slot.name.lower())] = slot.name
        keys[_KEY_NORM_RE.sub("", slot.label.lower())] = slot.name
    frozen_anywhere = {k: tuple(v) for k, v in anywhere.items()}
    return SurfaceTables(
        anywhere=frozen_anywhere, by_slot=by_slot, ambiguous=tuple(ambiguous), keys=keys,
        prose=_Scanner(frozen_anywhere),
        slot_scanners={name: _Scanner(t) for name, t in by_slot.items()},
    )


# ============================================================================ keys
_KEY_JUNK_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_KEY_NORM_RE = re.compile(r"[^0-9a-z]+")


def match_key(key: str, schema: PersonaSchema = DEFAULT_SCHEMA) -> str | None:
    """The slot a key names (``"Education Background"``, ``"education_background"``,
    ``"**Job**"``, ``"Age (est.)"``, ``"hobbies"``), or ``None``."""
    tables = surface_tables(schema)
    return tables.memo(("key", key), lambda: _match_key(key, tables.keys))


def _match_key(key: str, keys: dict[str, str]) -> str | None:
    if len(key) > 80:
        return None
    folded = _fold(key).casefold()
    k = _KEY_NORM_RE.sub("", _KEY_JUNK_RE.sub("", folded)) or _KEY_NORM_RE.sub("", folded)
    return keys.get(k)


# ============================================================================ prose scanning
_NEG_CUES = frozenset({"dislike", "hate", "hating", "avoid", "avoiding", "detest", "loathe", "despise",
                       "dread", "hater", "allergic"})
_POS_CUES = frozenset({"like", "love", "enjoy", "prefer", "adore", "fan", "into", "keen", "fond",
                       "enjoying", "loving", "liking"})
_CLAUSE_WORDS = frozenset({"but", "while", "though", "although", "whereas", "however", "yet"})
_CUE_TOKENS = _NEGATIONS | _NEG_CUES | _POS_CUES | _CLAUSE_WORDS | {"stand"}


def scan_prose(text: str, schema: PersonaSchema = DEFAULT_SCHEMA) -> list[GuessItem]:
    """Unslotted items for the known value surface forms and age phrases found in ``text``.

    A content topic after a dislike cue in the same clause becomes a ``dislikes`` item; a hit
    right after a negation (``"isn't married"``) is skipped.
    """
    text = _fold(text)
    tables = surface_tables(schema)
    toks, starts, ends = _tokens(text)
    hits = tables.prose.scan(toks, starts, ends, text)
    items: list[tuple[int, GuessItem]] = []
    if hits:
        # one forward pass over cue words, clause breaks and hits, in token order
        cue_idx = [k for k, t in enumerate(toks) if t in _CUE_TOKENS]
        brk = sorted({bisect_left(starts, m.start()) for m in _BREAK_RE.finditer(text)})
        has_dislikes = schema.has_slot("dislikes")
        neg_cue, last_neg = False, -10
        ci = bp = prev_b = 0
        n_cue, n_brk = len(cue_idx), len(brk)
        for a, b, pairs in hits:
            while ci < n_cue and cue_idx[ci] < a:
                k = cue_idx[ci]
                ci += 1
                if k < prev_b:
                    continue  # a cue word inside the previous hit ("no kids")
                while bp < n_brk and brk[bp] <= k:
                    neg_cue, last_neg = False, -10
                    bp += 1
                tok = toks[k]
                if tok in _CLAUSE_WORDS:
                    neg_cue, last_neg = False, -10
                elif tok in _NEGATIONS:
                    last_neg = k
                elif tok in _NEG_CUES or (tok == "stand" and k - last_neg == 1):  # "can't stand"
                    neg_cue = True
                elif tok in _POS_CUES:
                    neg_cue = (k - last_neg) <= 2  # "doesn't like", "not a fan of"
            while bp < n_brk and brk[bp] <= a:
                neg_cue, last_neg = False, -10
                bp += 1
            prev_b = b
            negated = (a - last_neg) <= 2
            slot: str | None = None
            if has_dislikes and (neg_cue or negated) and any(sl == "dislikes" for sl, _ in pairs):
                slot = "dislikes"
            elif negated:
                continue  # "isn't married"
            items.append((starts[a], GuessItem(slot, text[starts[a]:ends[b - 1]])))
    if schema.has_slot("age"):
        low = text.lower()
        same = len(low) == len(text)
        found: list[tuple[int, int, str]] = []
        for rx, cues in _PROSE_AGE_CHECKS:
            if any(c in low for c in cues):  # cheap gate before the (slower) regex
                matches = (_DECADE_LOWER_RE.finditer(low) if rx is _DECADE_RE and same
                           else rx.finditer(text))
                for m in matches:
                    if rx is _DECADE_RE or age_interval(m.group(), require_cue=True) is not None:
                        found.append((m.start(), m.end(), text[m.start():m.end()].strip()))
        last_end = -1
        for a, b, phrase in sorted(found):
            if a >= last_end:
                items.append((a, GuessItem(None, phrase)))
                last_end = b
    items.sort(key=lambda p: p[0])
    out, seen = [], set()
    for _, it in items:
        key = (it.slot, it.text.casefold())
        if key not in seen:
            seen.add(key)
            out.append(it)
    return out


# ============================================================================ parsing
_BULLET_RE = re.compile(r"^\s*(?:[-*\u2022\u00b7+\u2013\u2014>]+|\d{1,3}[.)]|\(?[a-zA-Z][.)])\s+(.*)$")
_KV_RE = re.compile(r"^([^:\uff1a]{1,60}?)\s*[:\uff1a]\s*(.*)$")
_DASH_KV_RE = re.compile(r"^([^\-\u2013\u2014=]{1,40}?)\s+[\-\u2013\u2014=]+\s+(.+)$")
_SPLIT_RE = re.compile(r"\s*(?:[,;/|&\u3001]|\band\b|\bor\b|\bplus\b)\s*", re.IGNORECASE)
_STRIP_CHARS = " \t\n*_`\"'\u201c\u201d\u2018\u2019#>"
_FENCE_RE = re.compile(r"^\s*```[a-zA-Z]*\s*\n?(.*?)\n?\s*```\s*$", re.DOTALL)
_MAX_JSON_DEPTH = 4


def _clean_value(text: str) -> str:
    text = " ".join(text[:4 * MAX_ITEM_CHARS].split()).strip(_STRIP_CHARS).rstrip(".,;:!").strip(_STRIP_CHARS)
    return text[:MAX_ITEM_CHARS].rstrip()


def _note_key(key: str) -> str:
    """A key as quoted in a note: whitespace collapsed, at most 40 characters."""
    return " ".join(key[:200].split())[:40]


class _Collector:
    """Accumulates items and notes, de-duplicating and capping."""

    def __init__(self, schema: PersonaSchema) -> None:
        self.schema = schema
        self.items: list[GuessItem] = []
        self.seen: set[tuple[str | None, str]] = set()
        self.notes: list[str] = []
        self.capped = False

    def note(self, note: str) -> None:
        if note not in self.notes and len(self.notes) < 50:
            self.notes.append(note)

    def add(self, slot: str | None, text: str) -> None:
        text = _clean_value(text)
        if not text:
            return
        key = (slot, text.casefold())
        if key in self.seen:
            return
        if len(self.items) >= MAX_ITEMS:
            if not self.capped:
                self.capped = True
                self.note(f"kept the first {MAX_ITEMS} items")
            return
        self.seen.add(key)
        self.items.append(GuessItem(slot, text))

    def add_slotted(self, slot: str, text: str) -> None:
        """A value written under a known slot: split for list slots, placeholders dropped."""
        parts = _SPLIT_RE.split(text) if self.schema.slot(slot).is_list else [text]
        for part in parts:
            part = _clean_value(part)
            if is_placeholder(part):
                if part:
                    self.note("skipped placeholder values")
                continue
            self.add(slot, part)

    def add_unslotted(self, text: str, keep_raw: bool) -> None:
        """Text with no slot: the surface forms found in it; else (``keep_raw``) its raw pieces."""
        found = scan_prose(text, self.schema)
        for it in found:
            self.add(it.slot, it.text)
        if not found and keep_raw:
            for part in _SPLIT_RE.split(text):
                part = _clean_value(part)
                if not is_placeholder(part):
                    self.add(None, part)


def _parse_json(obj: Any, col: _Collector, depth: int = 0) -> None:
    if isinstance(obj, list):  # a top-level list: unslotted guesses
        for v in obj:
            if isinstance(v, str):
                col.add_unslotted(v, keep_raw=True)
            elif isinstance(v, dict) and depth < _MAX_JSON_DEPTH:
                _parse_json(v, col, depth + 1)
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                col.add(None, _num(v))
            else:
                col.note("ignored nested value in a list")
        return
    for key, value in obj.items():
        slot = match_key(key, col.schema)
        if slot is None:
            if isinstance(value, dict) and depth < _MAX_JSON_DEPTH:
                _parse_json(value, col, depth + 1)  # a section such as {"demographics": {...}}
                continue
            col.note(f"unknown slot {_note_key(key)!r}")
        values = value if isinstance(value, list) else [value]
        for v in values:
            if isinstance(v, bool) or v is None:
                col.note(f"ignored non-text value under {_note_key(key)!r}")
            elif isinstance(v, (int, float)):
                col.add(slot, _num(v))
            elif isinstance(v, str):
                if slot:
                    col.add_slotted(slot, v)
                else:
                    col.add_unslotted(v, keep_raw=True)
            else:
                col.note(f"ignored nested value under {_note_key(key)!r}")


def _num(v: int | float) -> str:
    if isinstance(v, float):
        if v == v and abs(v) < 1e15 and v.is_integer():
            return str(int(v))
    return str(v)


def _split_kv(body: str, schema: PersonaSchema) -> tuple[str, str] | None:
    """``(key, value)`` of a ``Key: value`` (or ``Key - value`` for a known key) line, else None."""
    kv = _KV_RE.match(body)
    if kv is not None:
        key, value = kv.group(1), kv.group(2)
        if value.startswith("//"):
            return None  # a URL
        return key, value
    dash = _DASH_KV_RE.match(body)
    if dash is not None and match_key(dash.group(1), schema):
        return dash.group(1), dash.group(2)
    return None


def _plausible_key(key: str) -> bool:
    """Short, wordy and number-free: ``"Favourite colour"`` yes, ``"She said at 10"`` no."""
    k = _KEY_JUNK_RE.sub("", key).strip(_STRIP_CHARS)
    return (bool(k) and len(k.split()) <= 4 and any(c.isalpha() for c in k)
            and not any(c.isdigit() or c in "{}[]<>=" for c in k))


def _parse_lines(text: str, col: _Collector) -> bool:
    """Parse list / key-value / prose lines; returns whether any line was structured."""
    structured = False
    section: str | None = None  # slot named by the last header line ("Interests:")
    for raw_line in text.split("\n"):
        if col.capped:
            break
        line = raw_line.strip()
        if not line:
            continue
        bullet = _BULLET_RE.match(line)
        body = bullet.group(1).strip() if bullet else line
        heading = not bullet and line.startswith("#")
        if heading:
            body = body.lstrip("#").strip()
        kv = _split_kv(body, col.schema)
        if kv is not None:
            key, value = kv
            slot = match_key(key, col.schema)
            if slot is not None or _plausible_key(key):
                structured = True
                if not _clean_value(value):  # a header: "Interests:", "- **Interests:**"
                    section = slot
                    if slot is None:
                        col.note(f"unknown slot {_note_key(key.strip(_STRIP_CHARS))!r}")
                    continue
                if not bullet:
                    section = None
                if slot is not None:
                    col.add_slotted(slot, value)
                else:
                    col.note(f"unknown slot {_note_key(key.strip(_STRIP_CHARS))!r}")
                    col.add_unslotted(value, keep_raw=True)
                continue
            # a long or numeric "key": this is prose with a colon in it
        if heading or (not bullet and len(body) <= 40 and match_key(body, col.schema)):
            # "## Interests" or a bare "Interests" line: a section header
            section = match_key(body, col.schema)
            structured = True
            continue
        if not bullet:
            section = None
            col.add_unslotted(body, keep_raw=False)
            continue
        structured = True
        if section is not None:
            col.add_slotted(section, body)
        else:
            col.add_unslotted(body, keep_raw=True)
    return structured


def parse_profile(text: str, schema: PersonaSchema = DEFAULT_SCHEMA) -> ParsedProfile:
    """Parse a profile guess (JSON, RLPA list lines, ``Key: value`` lines or prose) into items.

    Never raises for a string. Raises :class:`TypeError` when ``text`` is not a string or
    ``schema`` is not a :class:`~persona_env.schema.PersonaSchema`.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_profile takes the profile text as a str, got {type(text).__name__}"
                        " (for an action, use parse_assistant_action(action).profile)")
    if not isinstance(schema, PersonaSchema):
        raise TypeError(f"schema must be a PersonaSchema (e.g. persona_env.schema.DEFAULT_SCHEMA), "
                        f"got {type(schema).__name__}")
    col = _Collector(schema)
    if len(text) > 4 * MAX_PROFILE_CHARS:
        text = text[:4 * MAX_PROFILE_CHARS]  # bound the work before sanitising
    text, sanitise_notes = sanitise_text(text)
    for n in sanitise_notes:
        col.note(n)
    text = text.strip()
    if len(text) > MAX_PROFILE_CHARS:
        text = text[:MAX_PROFILE_CHARS]
        col.note(f"profile truncated to {MAX_PROFILE_CHARS} chars")
    if not text:
        return ParsedProfile((), "empty", tuple(col.notes))
    body = text
    fence = _FENCE_RE.match(text)
    if fence:
        body = fence.group(1).strip()
    if body[:1] in ("{", "["):
        try:
            obj = json.loads(body)
        except (ValueError, RecursionError):
            obj = None
            col.note("malformed JSON; parsed as text")
        if isinstance(obj, (dict, list)):
            _parse_json(obj, col)
            return ParsedProfile(tuple(col.items), "json", tuple(col.notes))
        if obj is not None:
            col.note("malformed JSON; parsed as text")
    structured = _parse_lines(body, col)
    if not structured and not col.items:
        col.note("no recognisable values in prose")
    return ParsedProfile(tuple(col.items), "list" if structured else "prose", tuple(col.notes))
