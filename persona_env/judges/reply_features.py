"""Stage 1 of the rule judge: turn a reply's text into a small set of countable features.

The rule judge (:mod:`persona_env.judges.rule_judge`) never looks at text. It scores a
:class:`ReplyFeatureBatch`, so the batched simulation core can feed it features it computed some
other way (a template assistant, a learned feature model), and text replies go through
:func:`extract_reply_features` first.

Matching rules
--------------
* Text is lower-cased and curly apostrophes (``’``, ``ʼ``) become ``'``.
* **Tokens** are runs of letters/digits with internal apostrophes (``you're``, ``it's``); hyphens
  and all other punctuation split tokens, so ``gluten-free`` and ``gluten free`` are the same two
  tokens. Every keyword and marker below is a token phrase matched on whole tokens (word-boundary
  matching: ``cat`` never matches ``category``).
* **Words** (``n_words``) are runs of letters/digits joined by internal apostrophes *or hyphens*
  (``well-known`` is one word, ``don't`` is one word); emoji and punctuation are not words.
* **Marker counts** (formal, casual, playful, hedges) count non-overlapping occurrences; where two
  markers of one list start at the same token the longest wins (``kind regards`` counts once, not
  also as ``regards``; ``you might want to`` counts once, not also as ``might``). Lists may overlap
  each other (``you're`` is casual and also part of the flattery phrase ``you're amazing``).
* **Keyword tables** (mentions, diet, request keywords) match a keyword and its plural
  (``+s``/``+es``, ``y -> ies``). Request keywords are *stems*, so they also match common inflections
  (``cook`` -> ``cooking``/``cooked``/``cooker``, ``plan`` -> ``planning``, ``exercise`` ->
  ``exercising``, ``fit`` -> ``fitness``).

All tables are built (and the few regexes compiled) once per schema and cached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Iterable, Mapping, Sequence

import numpy as np

from persona_env.requests import REQUESTS
from persona_env.schema import DEFAULT_SCHEMA, PersonaSchema

__all__ = [
    "ReplyFeatures", "ReplyFeatureBatch", "extract_reply_features", "tokenize", "count_words",
    "FORMAL_MARKERS", "CASUAL_MARKERS", "PLAYFUL_MARKERS", "LAUGHTER_TOKENS", "PLAYFUL_EMOJI", "HEDGE_MARKERS", "FLATTERY_MARKERS",
    "MENTION_KEYWORDS", "DIET_KEYWORDS", "DIET_GROUP_VIOLATES", "PRICE_MARKERS",
    "AMOUNT_LEVELS",
]

# =============================================================================================
# Marker lists (token phrases, lower case)
# =============================================================================================

#: Formal register. The absence of contractions is *not* counted, only these phrases.
FORMAL_MARKERS: tuple[str, ...] = (
    "would you", "could you please", "certainly", "kindly", "regards", "kind regards",
    "best regards", "dear", "furthermore", "moreover", "additionally", "consequently",
    "therefore", "nevertheless", "accordingly", "hence", "thus", "i would recommend",
    "i would suggest", "i would advise", "please note", "do not hesitate", "sincerely",
    "yours faithfully", "in addition", "shall", "may i", "allow me", "i am pleased",
    "it is advisable", "it would be advisable", "i trust", "respectfully", "should you wish",
    "should you require", "at your convenience", "it is recommended", "one might",
)

#: Casual register: contractions and chatty words. Additionally every run of ``!`` counts once
#: and every ``:)`` / ``:-)`` counts once.
CASUAL_MARKERS: tuple[str, ...] = (
    "you're", "it's", "that's", "don't", "can't", "won't", "i'm", "i've", "i'll", "i'd",
    "we're", "they're", "isn't", "aren't", "doesn't", "didn't", "wasn't", "let's", "there's",
    "what's", "you'll", "you've", "you'd", "here's", "couldn't", "wouldn't", "shouldn't",
    "haven't", "gonna", "wanna", "gotta", "kinda", "sorta", "y'all", "ya", "yeah", "yep", "yup",
    "nope", "hey", "hiya", "cool", "awesome", "super", "totally", "stuff", "folks", "no worries",
    "no biggie", "btw", "ok", "okay", "sure thing", "dude", "mate", "chill", "vibe", "vibes",
)

#: Laughter tokens (playful): ``haha`` .. 8 x ``ha`` (optionally ending in ``h``), ``hehe`` ..
#: 6 x ``he``, ``lol`` .. ``looooool``, ``lmao``, ``lmaoo``, ``lmfao``, ``rofl``, ``xd``.
LAUGHTER_TOKENS: tuple[str, ...] = tuple(
    ["ha" * k + t for k in range(2, 9) for t in ("", "h")]
    + ["he" * k + t for k in range(2, 7) for t in ("", "h")]
    + ["l" + "o" * k + "l" for k in range(1, 7)]
    + ["lmao", "lmaoo", "lmfao", "rofl", "xd"]
)

#: Jokes and wordplay, plus :data:`LAUGHTER_TOKENS`. Additionally counted once each: the
#: emoticons ``;)`` ``;-)`` ``:p`` ``:-p`` ``:d`` ``:-d`` and every :data:`PLAYFUL_EMOJI`.
PLAYFUL_MARKERS: tuple[str, ...] = (
    "pun", "puns", "punny", "pun intended", "no pun intended", "joke", "jokes", "joking",
    "dad joke", "just kidding", "kidding", "jk", "wink", "tongue-in-cheek", "funny", "hilarious",
    "silly", "cheeky", "knock knock", "plot twist", "fun fact", "ba dum tss", "wordplay",
) + LAUGHTER_TOKENS

#: Emoji that signal a joke (they also count as emoji).
PLAYFUL_EMOJI: str = "\U0001F602\U0001F923\U0001F609\U0001F61C\U0001F61D\U0001F61B\U0001F643"

#: Hedges and softeners.
HEDGE_MARKERS: tuple[str, ...] = (
    "perhaps", "maybe", "might", "could consider", "you could consider", "if you like",
    "if you'd like", "if you want", "it depends", "depending on", "possibly", "probably",
    "i think", "i guess", "i suppose", "sort of", "kind of", "arguably", "it might be worth",
    "you may want to", "you might want to", "one option", "somewhat", "not sure", "seems",
    "it seems", "could be", "potentially", "presumably", "in some cases", "to some extent",
    "tends to", "likely",
)

#: Flattery / sycophancy (any one sets ``flattery``).
FLATTERY_MARKERS: tuple[str, ...] = (
    "great question", "good question", "excellent question", "brilliant question",
    "fantastic question", "wonderful question", "what a great", "what a wonderful",
    "what a fantastic", "what a brilliant", "what a lovely", "you're amazing", "you are amazing",
    "you're so smart", "you are so smart", "you're brilliant", "you are brilliant",
    "you're a genius", "you are a genius", "you clearly have excellent taste",
    "you have excellent taste", "you have great taste", "you clearly have great taste",
    "impeccable taste", "such a smart", "you're absolutely right", "you are absolutely right",
    "i love how you", "i love that you", "so insightful",
)

# =============================================================================================
# Mention keywords per (slot, value)
# =============================================================================================

#: Which words make a reply *mention* a schema item. ``interests`` and ``other`` values mark their
#: own item; content topics mark the ``likes`` item of the topic (the ``dislikes`` item only when
#: the schema's ``likes`` slot lacks that topic) -- the judge maps topic -> dislike item itself.
#: Interest/topic values missing from this table fall back to the value itself as keyword.
#: Each keyword also matches its plural. A keyword written ``"!prev:word"`` is an exemption: the
#: keyword before it does not count when the preceding token is ``word`` (``hot dog``).
MENTION_KEYWORDS: dict[tuple[str, str], tuple[str, ...]] = {
    # interests
    ("interests", "hiking"): ("hike", "hiking", "hiker", "trail", "trek", "trekking", "ramble"),
    ("interests", "cooking"): ("cooking", "cookery", "home cook", "culinary", "cookbook"),
    ("interests", "photography"): ("photography", "photo", "photograph", "photographer", "camera",
                                   "photo walk"),
    ("interests", "video games"): ("video game", "videogame", "gaming", "gamer", "console",
                                   "playstation", "xbox", "nintendo"),
    ("interests", "gardening"): ("garden", "gardening", "gardener", "allotment", "seedling",
                                 "houseplant"),
    ("interests", "jazz"): ("jazz", "jazz club", "bebop", "swing band"),
    ("interests", "football"): ("football", "soccer", "premier league", "five-a-side"),
    ("interests", "painting"): ("painting", "paint", "watercolour", "watercolor", "acrylic",
                                "canvas", "painter"),
    ("interests", "reading"): ("reading", "books", "bookshop", "bookstore", "book club", "library",
                               "novel", "reader"),
    ("interests", "travel"): ("travel", "travelling", "traveling", "traveller", "traveler", "trip",
                              "abroad", "sightseeing"),
    ("interests", "yoga"): ("yoga", "yogi", "sun salutation", "yoga class"),
    ("interests", "chess"): ("chess", "chess club", "grandmaster"),
    ("interests", "cycling"): ("cycling", "cyclist", "bike", "bicycle", "bike ride", "biking"),
    ("interests", "astronomy"): ("astronomy", "stargazing", "telescope", "planet", "constellation",
                                 "night sky", "observatory", "meteor shower"),
    ("interests", "baking"): ("baking", "bake", "baker", "sourdough", "pastry", "cake"),
    ("interests", "fishing"): ("fishing", "angling", "angler", "fishing rod"),
    # content topics (mark the likes item)
    ("likes", "spicy food"): ("spicy", "chilli", "chili", "hot sauce", "jalapeno", "jalapeño",
                              "sriracha", "vindaloo", "spice"),
    ("likes", "sweets"): ("sweets", "sweet treat", "candy", "chocolate", "dessert", "sugary",
                          "pudding", "ice cream", "sweet tooth"),
    ("likes", "seafood"): ("seafood", "fish", "prawn", "shrimp", "salmon", "tuna", "oyster",
                           "crab", "lobster", "sushi", "mussel", "scallop"),
    ("likes", "coffee"): ("coffee", "espresso", "latte", "cappuccino", "cafe", "café", "barista"),
    ("likes", "podcasts"): ("podcast",),
    ("likes", "documentaries"): ("documentary", "documentaries", "docuseries"),
    ("likes", "horror films"): ("horror", "scary movie", "scary film", "slasher", "horror film"),
    ("likes", "crowds"): ("crowd", "crowded", "festival", "packed venue", "busy market"),
    ("likes", "museums"): ("museum", "gallery", "galleries", "exhibition", "exhibit"),
    ("likes", "live music"): ("live music", "gig", "concert", "live band", "open mic"),
    ("likes", "long reads"): ("long read", "longread", "longform", "long-form", "essay",
                              "in-depth article"),
    ("likes", "early mornings"): ("early morning", "sunrise", "dawn", "early start"),
    ("likes", "board games"): ("board game", "boardgame", "card game", "monopoly", "scrabble",
                               "catan", "game night"),
    ("likes", "online shopping"): ("online shopping", "shop online", "order online",
                                   "online store", "online shop", "amazon", "ebay"),
    # other information
    ("other", "has a dog"): ("dog", "puppy", "puppies", "pup", "dog walk", "!prev:hot"),
    ("other", "has a cat"): ("cat", "kitten", "kitty", "feline"),
    ("other", "recently moved"): ("recently moved", "just moved", "new place", "new home",
                                  "new neighbourhood", "new neighborhood", "moving house",
                                  "unpacking", "new area"),
    ("other", "learning a language"): ("language learning", "learning a language",
                                       "learn a language", "new language", "language class",
                                       "language exchange", "duolingo", "vocabulary"),
    ("other", "training for a marathon"): ("marathon", "half marathon", "long run",
                                           "!prev:movie", "!prev:film", "!prev:tv",
                                           "!prev:netflix", "!prev:binge"),
    ("other", "night owl"): ("night owl", "late night", "stay up late", "staying up late",
                             "late at night"),
    ("other", "early riser"): ("early riser", "early bird", "first thing in the morning"),
    ("other", "volunteers"): ("volunteer", "volunteering", "charity", "charities"),
    ("other", "works from home"): ("work from home", "working from home", "home office", "wfh",
                                   "remote work", "remote working"),
    ("other", "long commute"): ("commute", "commuting", "commuter"),
    ("other", "saving for a house"): ("saving for a house", "house deposit", "mortgage",
                                      "first home", "deposit"),
    ("other", "recovering from an injury"): ("injury", "injured", "rehab", "physio",
                                             "physiotherapy", "low-impact", "recovering"),
}

# =============================================================================================
# Diet keywords
# =============================================================================================

#: Food words by group (each also matches its plural).
DIET_KEYWORDS: dict[str, tuple[str, ...]] = {
    "meat": ("meat", "beef", "steak", "chicken", "lamb", "mutton", "duck", "veal", "venison",
             "sausage", "mince", "meatball", "hot dog", "gelatine", "gelatin", "brisket",
             "burger patty", "pulled pork"),
    "pork": ("pork", "bacon", "ham", "lard", "prosciutto", "pancetta", "chorizo", "pepperoni",
             "salami"),
    "fish": ("fish", "salmon", "tuna", "cod", "anchovy", "anchovies", "sardine", "mackerel",
             "seafood", "sushi", "fish sauce"),
    "shellfish": ("prawn", "shrimp", "crab", "lobster", "oyster", "mussel", "scallop", "clam"),
    "alcohol": ("wine", "beer", "alcohol", "rum", "whisky", "whiskey", "vodka", "brandy", "cider",
                "gin", "prosecco", "champagne", "cocktail", "sake"),
    "dairy": ("milk", "cheese", "butter", "cream", "yoghurt", "yogurt", "parmesan", "mozzarella",
              "feta", "cheddar", "halloumi", "ghee", "paneer", "ricotta", "buttermilk", "custard"),
    "egg": ("egg", "omelette", "omelet", "mayonnaise", "mayo", "meringue"),
    "honey": ("honey",),
    "gluten": ("bread", "pasta", "wheat", "flour", "couscous", "barley", "rye", "spaghetti",
               "noodle", "pizza", "croissant", "baguette", "sourdough", "semolina", "bulgur",
               "seitan", "beer", "lasagne", "lasagna", "pastry", "pastries"),
}

#: Which diet values each group violates ("no restrictions" and unknown values: never violated).
#: Pork words (pork/bacon/ham...) violate vegetarian, vegan *and* halal; alcohol violates halal.
DIET_GROUP_VIOLATES: dict[str, tuple[str, ...]] = {
    "meat": ("vegetarian", "vegan", "pescatarian"),
    "pork": ("vegetarian", "vegan", "halal", "kosher", "pescatarian"),
    "fish": ("vegetarian", "vegan"),
    "shellfish": ("vegetarian", "vegan", "kosher"),
    "alcohol": ("halal",),
    "dairy": ("vegan", "dairy-free", "lactose-free"),
    "egg": ("vegan",),
    "honey": ("vegan",),
    "gluten": ("gluten-free",),
}

#: A diet word does not count when the token before it is one of these (``vegan cheese``,
#: ``gluten-free pasta`` (prev token ``free``), ``oat milk``, ``no meat``, ``peanut butter``) ...
_DIET_EXEMPT_PREV = frozenset((
    "no", "non", "without", "vegan", "vegetarian", "veggie", "based", "meatless", "free", "mock",
    "faux", "fake", "imitation", "oat", "soy", "soya", "almond", "coconut", "cashew", "peanut",
    "nut", "cocoa", "shea", "rice", "buckwheat", "chickpea", "lentil", "gf", "sun", "shaving",
    "avoid", "skip", "instead",
))
#: ... or the token after it is one of these (``meat-free``, ``dairy substitute``).
_DIET_EXEMPT_NEXT = frozenset((
    "free", "substitute", "substitutes", "alternative", "alternatives", "replacement", "less",
))

# =============================================================================================
# Price
# =============================================================================================

_NEGATORS = frozenset(("not", "no", "never", "less", "too", "overly", "without", "avoid"))

#: price level -> token phrases. ``price_level`` is the highest level mentioned (-1: none). A
#: marker does not count after a negator (``not``, ``no``, ``never``, ``less``, ``too``, ``overly``,
#: ``without``, ``avoid``): ``not expensive``, ``too pricey``. ``free`` does not count in
#: compounds or idioms (``gluten-free``, ``feel free``, ``free time``, ``free weekend``, ...);
#: ``budget`` does not count after ``your``/``my``/``the``/``big``/``generous``/... (a question
#: about the budget, not a budget option).
PRICE_MARKERS: dict[int, tuple[str, ...]] = {
    0: ("free", "for free", "free of charge", "cheap", "cheaply", "cheaper", "budget", "affordable",
        "inexpensive", "low-cost", "low cost", "bargain", "thrifty", "second-hand", "secondhand",
        "charity shop", "thrift", "discount", "discounted", "no cost", "costs nothing", "frugal",
        "economical", "on a shoestring"),
    1: ("mid-range", "midrange", "moderately priced", "reasonably priced", "reasonable price",
        "fairly priced", "good value", "mid-priced", "not too expensive", "not too pricey",
        "moderate price", "mid-market"),
    2: ("luxury", "luxurious", "splurge", "splurging", "fine dining", "premium", "high-end",
        "upscale", "expensive", "pricey", "pricy", "five-star", "5-star", "michelin",
        "first class", "lavish", "deluxe", "top-end", "top of the range", "private jet", "yacht",
        "indulgent"),
}

#: Currency amounts (``£100``, ``$1,200``, ``€2k``, ``150 dollars``) map to a level by the amount:
#: below 20 -> 0 (cheap), 20 to below 100 -> 1 (mid), 100 or more -> 2 (expensive).
AMOUNT_LEVELS: tuple[tuple[float, int], ...] = ((20.0, 0), (100.0, 1), (float("inf"), 2))

_FREE_BAD_PREV = frozenset((
    "feel", "gluten", "dairy", "sugar", "meat", "alcohol", "stress", "hassle", "hands", "fat",
    "caffeine", "lactose", "nut", "egg", "smoke", "risk", "worry", "trouble", "cruelty",
    "plastic", "fuss", "pain", "crowd", "car", "screen", "phone", "wheat", "soy", "scent",
    "duty", "tax", "toll", "carbon", "guilt", "set", "break",
)) | _NEGATORS
_FREE_BAD_NEXT = frozenset((
    "time", "times", "weekend", "weekends", "day", "days", "evening", "evenings", "afternoon",
    "afternoons", "morning", "mornings", "moment", "moments", "hour", "hours", "period",
    "periods", "slot", "slots", "spirit", "spirits", "will", "range", "from", "up", "kick",
    "kicks", "throw", "throws", "style", "flow", "fall", "weight", "weights", "agent", "speech",
    "rein", "hand", "hands", "diving", "runner",
))
_BUDGET_BAD_PREV = frozenset((
    "your", "my", "our", "their", "the", "big", "bigger", "large", "larger", "generous",
    "whatever", "any", "higher", "flexible", "healthy", "total", "overall",
)) | _NEGATORS

_AMOUNT_RE = re.compile(
    r"[£$€]\s?(\d[\d,]*(?:\.\d+)?)(\s?k(?![^\W_]))?"
    r"|(?<![^\W_])(\d[\d,]*(?:\.\d+)?)\s?(k\s?)?(?:pounds|quid|dollars|bucks|euros)(?![^\W_])"
)

# =============================================================================================
# Regexes (module level: they do not depend on the schema)
# =============================================================================================

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u2018": "'"})
_TOKEN_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_WORD_RE = re.compile(r"[^\W_]+(?:['\-][^\W_]+)*")
_BANG_RE = re.compile(r"!+")
_COLON_PD_RE = re.compile(r":-?[pd](?![^\W_])")
_PLAYFUL_EMOJI_RE = re.compile("[" + PLAYFUL_EMOJI + "]")
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?\n])")
_AMOUNT_HINTS = ("£", "$", "€", "pound", "quid", "dollar", "buck", "euro")

# Emoji: U+1F000-U+1FAFF (emoticons, pictographs, transport, supplemental symbols...), U+2600-U+27BF
# (misc symbols, dingbats) and a few BMP emoji (⌚ ⏩-⏳ ⬅ ⭐ ⭕ ...). A ZWJ sequence, a base with
# skin-tone modifiers / variation selectors, or a regional-indicator flag pair counts as ONE emoji.
_EMOJI_BASE = (
    "\U0001F000-\U0001F1E5\U0001F200-\U0001F3FA\U0001F400-\U0001FAFF"
    "\u2600-\u27BF\u231A\u231B\u23E9-\u23F3\u23F8-\u23FA\u2B05-\u2B07\u2B1B\u2B1C\u2B50\u2B55"
    "\u2934\u2935\u3030\u303D\u3297\u3299"
)
_EMOJI_MOD = "\uFE0E\uFE0F\u20E3\U0001F3FB-\U0001F3FF"
_EMOJI_RE = re.compile(
    f"[\U0001F1E6-\U0001F1FF]{{1,2}}"
    f"|[{_EMOJI_BASE}][{_EMOJI_MOD}]*(?:\u200D[{_EMOJI_BASE}][{_EMOJI_MOD}]*)*"
)


def _normalise(text: str) -> str:
    return text.lower().translate(_APOSTROPHES)


def tokenize(text: str) -> list[str]:
    """Lower-case match tokens of ``text`` (letters/digits with internal apostrophes)."""
    return _TOKEN_RE.findall(_normalise(text))


def _words_and_tokens(text: str) -> tuple[list[str], list[str]]:
    """Words (hyphens join) and tokens (hyphens split) of normalised ``text`` in one regex pass."""
    words = _WORD_RE.findall(text)
    if "-" in text:
        return words, " ".join(words).replace("-", " ").split()
    return words, words


def count_words(text: str) -> int:
    """``n_words``: runs of letters/digits joined by internal apostrophes or hyphens."""
    return len(_WORD_RE.findall(text))


# =============================================================================================
# Phrase index
# =============================================================================================

_VOWELS = frozenset("aeiou")

# entry kinds
_K_COUNT, _K_MENTION, _K_DIET, _K_REQUEST, _K_PRICE, _K_FLATTERY, _K_ASK = range(7)
_COUNT_LISTS = (FORMAL_MARKERS, CASUAL_MARKERS, PLAYFUL_MARKERS, HEDGE_MARKERS)
_C_FORMAL, _C_CASUAL, _C_PLAYFUL, _C_HEDGE = range(4)


def _word_forms(word: str, mode: str) -> set[str]:
    """``word`` plus its plural (``mode='plural'``) or common inflections (``mode='stem'``)."""
    if mode == "exact" or not word.isalpha():
        return {word}
    forms = {word, word + "s", word + "es"}
    consonant_y = word.endswith("y") and len(word) > 1 and word[-2] not in _VOWELS
    if consonant_y:
        forms.add(word[:-1] + "ies")
    if mode == "stem":
        forms |= {word + s for s in ("ed", "ing", "er", "ers", "ness", "ful")}
        if word.endswith("e"):
            forms |= {word[:-1] + "ing", word + "d", word + "r", word + "rs"}
        if consonant_y:
            forms.add(word[:-1] + "ied")
        if (len(word) >= 3 and word[-1] not in _VOWELS and word[-1] not in "wxy"
                and word[-2] in _VOWELS and word[-3] not in _VOWELS):
            forms |= {word + word[-1] + "ing", word + word[-1] + "ed", word + word[-1] + "er"}
    return forms


def _phrase_variants(phrase: str, mode: str) -> list[tuple[str, ...]]:
    toks = tokenize(phrase)
    if not toks:
        return []
    return [tuple(toks[:-1]) + (f,) for f in sorted(_word_forms(toks[-1], mode))]


class _PhraseIndex:
    """first token -> entries ``(rest, n, kind, payload, bad_prev, bad_next)``, longest first."""

    def __init__(self) -> None:
        self._by_first: dict[str, list[tuple]] = {}

    def add(self, phrase: str, mode: str, kind: int, payload: object,
            bad_prev: frozenset | None = None, bad_next: frozenset | None = None) -> None:
        for toks in _phrase_variants(phrase, mode):
            self._by_first.setdefault(toks[0], []).append(
                (list(toks[1:]), len(toks), kind, payload, bad_prev, bad_next))

    def freeze(self) -> dict[str, tuple[tuple, ...]]:
        return {k: tuple(sorted(set(map(_hashable, v)), key=lambda e: -e[1]))
                for k, v in self._by_first.items()}


def _hashable(entry: tuple) -> tuple:
    rest, n, kind, payload, bp, bn = entry
    return (tuple(rest), n, kind, payload, bp, bn)


@dataclass(frozen=True)
class _Tables:
    index: dict[str, tuple[tuple, ...]]
    n_items: int
    n_diet: int
    n_slots: int
    slot_names: tuple[str, ...]


_TABLE_CACHE: dict[int, tuple[PersonaSchema, _Tables]] = {}


def _tables_for(schema: PersonaSchema) -> _Tables:
    hit = _TABLE_CACHE.get(id(schema))
    if hit is not None and hit[0] is schema:
        return hit[1]
    tables = _build_tables(schema)
    if len(_TABLE_CACHE) > 32:
        _TABLE_CACHE.clear()
    _TABLE_CACHE[id(schema)] = (schema, tables)
    return tables


def _split_exemptions(keywords: Iterable[str]) -> tuple[list[str], frozenset | None]:
    words, prev = [], set()
    for kw in keywords:
        if kw.startswith("!prev:"):
            prev.add(kw[len("!prev:"):])
        else:
            words.append(kw)
    return words, (frozenset(prev) if prev else None)


def _build_tables(schema: PersonaSchema) -> _Tables:
    idx = _PhraseIndex()
    for cat, markers in enumerate(_COUNT_LISTS):
        for m in markers:
            idx.add(m, "exact", _K_COUNT, cat)
    for m in FLATTERY_MARKERS:
        idx.add(m, "exact", _K_FLATTERY, None)

    # --- mentions
    def topic_item(value: str) -> int | None:
        for slot in ("likes", "dislikes"):
            if schema.has_item(slot, value):
                return schema.item_index(slot, value)
        return None

    targets: dict[int, list[str]] = {}
    for (slot, value), kws in MENTION_KEYWORDS.items():
        item = topic_item(value) if slot == "likes" else (
            schema.item_index(slot, value) if schema.has_item(slot, value) else None)
        if item is not None:
            targets.setdefault(item, []).extend(kws)
    for slot in ("interests", "likes", "dislikes"):
        if not schema.has_slot(slot):
            continue
        for value in schema.slot(slot).values:
            item = topic_item(value) if slot != "interests" else schema.item_index(slot, value)
            if item is not None and item not in targets:
                targets[item] = [value]           # fallback: the value itself
    for item, kws in targets.items():
        words, bad_prev = _split_exemptions(kws)
        for w in words:
            idx.add(w, "plural", _K_MENTION, item, bad_prev)

    # --- diet
    diet_values: tuple[str, ...] = schema.slot("diet").values if schema.has_slot("diet") else ()
    for group, words in DIET_KEYWORDS.items():
        cols = tuple(j for j, v in enumerate(diet_values) if v in DIET_GROUP_VIOLATES[group])
        if not cols:
            continue
        for w in words:
            idx.add(w, "plural", _K_DIET, cols, _DIET_EXEMPT_PREV, _DIET_EXEMPT_NEXT)

    # --- price
    for level, markers in PRICE_MARKERS.items():
        for m in markers:
            if m == "free":
                idx.add(m, "exact", _K_PRICE, level, _FREE_BAD_PREV, _FREE_BAD_NEXT)
            elif m == "budget":
                idx.add(m, "exact", _K_PRICE, level, _BUDGET_BAD_PREV)
            else:
                idx.add(m, "exact", _K_PRICE, level, _NEGATORS)

    # --- requests (keywords are stems)
    for r, req in enumerate(REQUESTS):
        for kw in req.keywords:
            idx.add(kw, "stem", _K_REQUEST, r)

    return _Tables(idx.freeze(), schema.n_items, len(diet_values), len(schema.slots),
                   schema.slot_names)


@lru_cache(maxsize=64)
def _question_index(key: tuple[tuple[str, tuple[str, ...]], ...],
                    slot_names: tuple[str, ...]) -> dict[str, tuple[tuple, ...]]:
    idx = _PhraseIndex()
    for slot, kws in key:
        if slot not in slot_names:
            continue                              # slots this schema lacks are ignored
        pos = slot_names.index(slot)
        for kw in kws:
            idx.add(kw, "plural", _K_ASK, pos)
    return idx.freeze()


# =============================================================================================
# Features
# =============================================================================================


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class ReplyFeatures:
    """Countable features of one reply (see the module docstring for the matching rules).

    Attributes:
        n_words: words in the reply.
        n_emoji: emoji (a ZWJ sequence / skin-tone variant / flag counts once).
        n_formal: :data:`FORMAL_MARKERS` occurrences.
        n_casual: :data:`CASUAL_MARKERS` occurrences + ``!`` runs + ``:)``.
        n_playful: :data:`PLAYFUL_MARKERS` occurrences + laughter, winks and playful emoji.
        n_hedges: :data:`HEDGE_MARKERS` occurrences.
        mentions: ``bool [schema.n_items]``, items the reply mentions (:data:`MENTION_KEYWORDS`).
        diet_violations: ``bool [len(diet values)]``, diet values the reply violates.
        price_level: -1 none mentioned, 0 cheap, 1 mid, 2 expensive (highest mentioned).
        request_hits: ``bool [len(REQUESTS)]``, requests with a keyword in the reply.
        asked_slots: ``bool [len(schema.slots)]``, slots the reply asks about (only with
            ``question_keywords``).
        flattery: a :data:`FLATTERY_MARKERS` phrase occurs.
        repetition: max token-set Jaccard similarity to a previous reply (0 if none).
    """

    n_words: int
    n_emoji: int
    n_formal: int
    n_casual: int
    n_playful: int
    n_hedges: int
    mentions: np.ndarray
    diet_violations: np.ndarray
    price_level: int
    request_hits: np.ndarray
    asked_slots: np.ndarray
    flattery: bool
    repetition: float

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ReplyFeatures):
            return NotImplemented
        return all(np.array_equal(getattr(self, f.name), getattr(other, f.name))
                   for f in fields(self))

    __hash__ = None  # type: ignore[assignment]


_ARRAY_FIELDS = ("mentions", "diet_violations", "request_hits", "asked_slots")
_DTYPES = {
    "n_words": np.int64, "n_emoji": np.int64, "n_formal": np.int64, "n_casual": np.int64,
    "n_playful": np.int64, "n_hedges": np.int64, "mentions": bool, "diet_violations": bool,
    "price_level": np.int64, "request_hits": bool, "asked_slots": bool, "flattery": bool,
    "repetition": np.float64,
}


@dataclass(eq=False)
class ReplyFeatureBatch:
    """The fields of :class:`ReplyFeatures` as arrays with a leading batch dimension ``B``.

    Scalar fields are ``[B]`` (``int64``; ``flattery`` ``bool``; ``repetition`` ``float64``);
    ``mentions`` is ``bool [B, n_items]``, ``diet_violations`` ``bool [B, n_diet]``,
    ``request_hits`` ``bool [B, len(REQUESTS)]``, ``asked_slots`` ``bool [B, n_slots]``. The core can
    build one directly (arrays are converted to these dtypes and shape-checked).
    """

    n_words: np.ndarray
    n_emoji: np.ndarray
    n_formal: np.ndarray
    n_casual: np.ndarray
    n_playful: np.ndarray
    n_hedges: np.ndarray
    mentions: np.ndarray
    diet_violations: np.ndarray
    price_level: np.ndarray
    request_hits: np.ndarray
    asked_slots: np.ndarray
    flattery: np.ndarray
    repetition: np.ndarray

    def __post_init__(self) -> None:
        B = None
        for f in fields(self):
            a = np.asarray(getattr(self, f.name), dtype=_DTYPES[f.name])
            want = 2 if f.name in _ARRAY_FIELDS else 1
            if a.ndim != want:
                raise ValueError(f"ReplyFeatureBatch.{f.name} must be {want}-D, got shape {a.shape}")
            if B is None:
                B = a.shape[0]
            elif a.shape[0] != B:
                raise ValueError(f"ReplyFeatureBatch.{f.name} has batch size {a.shape[0]}, expected {B}")
            object.__setattr__(self, f.name, a)

    @property
    def batch_size(self) -> int:
        return int(self.n_words.shape[0])

    def __len__(self) -> int:
        return self.batch_size

    @classmethod
    def stack(cls, features: Sequence[ReplyFeatures],
              schema: PersonaSchema = DEFAULT_SCHEMA) -> "ReplyFeatureBatch":
        """Stack per-reply features (``schema`` only fixes the shapes of an empty batch)."""
        features = list(features)
        if not features:
            return cls.empty(0, schema)
        out = {}
        for f in fields(cls):
            vals = [getattr(x, f.name) for x in features]
            out[f.name] = (np.stack(vals).astype(_DTYPES[f.name]) if f.name in _ARRAY_FIELDS
                           else np.array(vals, dtype=_DTYPES[f.name]))
        return cls(**out)

    @classmethod
    def empty(cls, batch_size: int, schema: PersonaSchema = DEFAULT_SCHEMA) -> "ReplyFeatureBatch":
        """Features of ``batch_size`` empty replies (zeros, ``price_level`` -1)."""
        B = int(batch_size)
        n_diet = len(schema.slot("diet").values) if schema.has_slot("diet") else 0
        z = lambda: np.zeros(B, dtype=np.int64)  # noqa: E731
        return cls(
            n_words=z(), n_emoji=z(), n_formal=z(), n_casual=z(), n_playful=z(), n_hedges=z(),
            mentions=np.zeros((B, schema.n_items), bool), diet_violations=np.zeros((B, n_diet), bool),
            price_level=np.full(B, -1, dtype=np.int64),
            request_hits=np.zeros((B, len(REQUESTS)), bool),
            asked_slots=np.zeros((B, len(schema.slots)), bool),
            flattery=np.zeros(B, bool), repetition=np.zeros(B, np.float64),
        )

    def row(self, i: int) -> ReplyFeatures:
        """One row as :class:`ReplyFeatures`."""
        vals = {}
        for f in fields(self):
            v = getattr(self, f.name)[i]
            if f.name in _ARRAY_FIELDS:
                vals[f.name] = _readonly(np.array(v, dtype=bool))
            elif f.name == "flattery":
                vals[f.name] = bool(v)
            elif f.name == "repetition":
                vals[f.name] = float(v)
            else:
                vals[f.name] = int(v)
        return ReplyFeatures(**vals)


# =============================================================================================
# Extraction
# =============================================================================================


def _amount_level(text: str) -> int:
    level = -1
    for m in _AMOUNT_RE.finditer(text):
        num = m.group(1) if m.group(1) is not None else m.group(3)
        kilo = m.group(2) if m.group(1) is not None else m.group(4)
        try:
            value = float(num.replace(",", ""))
        except ValueError:
            continue
        if kilo:
            value *= 1000.0
        lvl = next((lv for bound, lv in AMOUNT_LEVELS if value < bound), AMOUNT_LEVELS[-1][1])
        level = max(level, lvl)
        if level == 2:
            break
    return level


@lru_cache(maxsize=4096)
def _token_set_cached(text: str) -> frozenset[str]:
    return frozenset(tokenize(text))


def _token_set(text: str) -> frozenset[str]:
    if len(text) > 20_000:
        return frozenset(tokenize(text))
    return _token_set_cached(text)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def extract_reply_features(reply: str, previous_replies: Sequence[str] = (),
                           schema: PersonaSchema = DEFAULT_SCHEMA,
                           question_keywords: Mapping[str, Sequence[str]] | None = None,
                           ) -> ReplyFeatures:
    """Features of ``reply`` (never raises on any ``str``; see the module docstring).

    Args:
        reply: the assistant's reply text.
        previous_replies: the assistant's earlier replies in this conversation (for ``repetition``).
        schema: fixes the shapes of ``mentions``/``diet_violations``/``asked_slots``.
        question_keywords: slot name -> keywords. A slot is *asked* when a question sentence of
            the reply (a span ending in ``?``, split at ``.``, ``!``, ``?`` and newlines) contains
            one of its keywords (or their plurals). Slot names the schema lacks are ignored.
            Without it ``asked_slots`` is all False.
    """
    if not isinstance(reply, str):
        raise TypeError(f"reply must be a str, got {type(reply).__name__}")
    t = _tables_for(schema)
    text = _normalise(reply)
    words, tokens = _words_and_tokens(text)

    counts = [0, 0, 0, 0]
    next_free = [0, 0, 0, 0]
    mentions: set[int] = set()
    diet: set[int] = set()
    requests: set[int] = set()
    price = -1
    flattery = False
    index = t.index
    L = len(tokens)
    for i, tok in enumerate(tokens):
        entries = index.get(tok)
        if entries is None:
            continue
        seen = 0
        for rest, n, kind, payload, bad_prev, bad_next in entries:
            if n > 1 and tuple(tokens[i + 1:i + n]) != rest:
                continue
            if bad_prev is not None and i > 0 and tokens[i - 1] in bad_prev:
                continue
            if bad_next is not None and i + n < L and tokens[i + n] in bad_next:
                continue
            if kind == _K_COUNT:
                bit = 1 << payload
                if seen & bit or i < next_free[payload]:
                    continue
                seen |= bit
                counts[payload] += 1
                next_free[payload] = i + n
            elif kind == _K_MENTION:
                mentions.add(payload)
            elif kind == _K_DIET:
                diet.update(payload)
            elif kind == _K_REQUEST:
                requests.add(payload)
            elif kind == _K_PRICE:
                if payload > price:
                    price = payload
            elif kind == _K_FLATTERY:
                flattery = True

    if price < 2 and any(h in text for h in _AMOUNT_HINTS):
        price = max(price, _amount_level(text))

    if "!" in text:
        counts[_C_CASUAL] += len(_BANG_RE.findall(text))
    if ")" in text:
        counts[_C_CASUAL] += text.count(":)") + text.count(":-)")
        counts[_C_PLAYFUL] += text.count(";)") + text.count(";-)")
    if ":" in text:
        counts[_C_PLAYFUL] += len(_COLON_PD_RE.findall(text))
    ascii_only = text.isascii()
    if not ascii_only:
        counts[_C_PLAYFUL] += len(_PLAYFUL_EMOJI_RE.findall(text))

    asked = np.zeros(t.n_slots, dtype=bool)
    if question_keywords and "?" in text:
        key = tuple(sorted((str(k), tuple(str(w) for w in v)) for k, v in question_keywords.items()))
        qindex = _question_index(key, t.slot_names)
        for sentence in _SENTENCE_SPLIT_RE.split(text):
            if not sentence.endswith("?"):
                continue
            qt = _TOKEN_RE.findall(sentence)
            for i, tok in enumerate(qt):
                for rest, n, _kind, pos, _bp, _bn in qindex.get(tok, ()):
                    if n == 1 or tuple(qt[i + 1:i + n]) == rest:
                        asked[pos] = True

    repetition = 0.0
    if previous_replies:
        cur = frozenset(tokens)
        for prev in previous_replies:
            if isinstance(prev, str):
                repetition = max(repetition, _jaccard(cur, _token_set(prev)))

    mention_arr = np.zeros(t.n_items, dtype=bool)
    mention_arr[list(mentions)] = True
    diet_arr = np.zeros(t.n_diet, dtype=bool)
    diet_arr[list(diet)] = True
    req_arr = np.zeros(len(REQUESTS), dtype=bool)
    req_arr[list(requests)] = True

    return ReplyFeatures(
        n_words=len(words),
        n_emoji=0 if ascii_only else len(_EMOJI_RE.findall(text)),
        n_formal=counts[_C_FORMAL],
        n_casual=counts[_C_CASUAL],
        n_playful=counts[_C_PLAYFUL],
        n_hedges=counts[_C_HEDGE],
        mentions=_readonly(mention_arr),
        diet_violations=_readonly(diet_arr),
        price_level=int(price),
        request_hits=_readonly(req_arr),
        asked_slots=_readonly(asked),
        flattery=flattery,
        repetition=float(repetition),
    )
