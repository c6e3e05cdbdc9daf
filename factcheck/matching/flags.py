"""Difference flags for a pair of claims that look alike: negation, numbers, dates, named entities.

A flag means the two texts may state different facts ("was" vs "was not", "2 counts" vs
"3 counts", Monday vs Tuesday, Ankara vs Moscow); a flagged pair is never auto-linked. A value
that only one side mentions is extra detail, not a conflict: a flag needs each side to carry a
value of the kind that the other side lacks.
"""
from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz

from . import embeddings
from .normalise import _QUOTES, find_numbers, normalise

__all__ = ["PairScore", "difference_flags", "score_pair", "score_pairs"]

_NEGATIONS = {"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "nowhere",
              "without", "cannot", "false", "untrue", "denied", "denies", "deny"}
_NT_RE = re.compile(r"\b\w+n't\b|\b(?:cannot|can't|won't)\b", re.I)
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'\-]*|\d+")

_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], 1)}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_WEEKDAYS = {d: i for i, d in enumerate(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}
_RELATIVE = {"yesterday", "today", "tomorrow", "tonight"}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_MONTH_RE = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RE})\b\.?", re.I)
_MONTH_DAY_RE = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*(?:,\s*)?\d{{3}}\d?\b(?!,))",
                           re.I)
_YEAR_RE = re.compile(r"(?<![\d$£€.,])(1[89]\d\d|20\d\d)s?(?![\d.,]\d)")
_NAMED_DAY_RE = re.compile(rf"\b({'|'.join(_WEEKDAYS)}|{'|'.join(_RELATIVE)})\b", re.I)
_MONTH_WORD_RE = re.compile(rf"\b({'|'.join(m for m in _MONTHS if len(m) > 3 or m == 'may')})\b",
                            re.I)
_ISO_RE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")

# Capitalised words that are not names on their own.
_NOT_NAMES = {
    "a", "an", "the", "this", "that", "these", "those", "it", "its", "he", "she", "they", "we",
    "i", "you", "his", "her", "their", "our", "my", "your", "in", "on", "at", "of", "for", "to",
    "by", "with", "from", "and", "but", "or", "so", "if", "as", "after", "before", "when",
    "while", "since", "during", "according", "some", "many", "most", "all", "no", "not", "there",
    "here", "what", "who", "which", "why", "how", "mr", "mrs", "ms", "dr", "president", "prime",
    "minister", "police", "officials", "said", "says", "also", "however", "meanwhile", "then",
    "both", "each", "every", "one", "two", "three", "more", "less", "about", "over", "under",
    "last", "next", "new", "former", "earlier", "later", "yes", "breaking", "update", "read",
    "photo", "video", "people", "city", "state", "government", "officer", "officers", "report",
}


@dataclass(frozen=True, slots=True)
class PairScore:
    """How alike two claims are (0-100) and what may differ between them."""
    score: float
    flags: tuple[str, ...] = ()


def _negated(text: str) -> bool:
    words = [w.lower() for w in _WORD_RE.findall(text.translate(_QUOTES))]
    count = sum(w in _NEGATIONS for w in words) + len(_NT_RE.findall(text.translate(_QUOTES)))
    return count % 2 == 1


def _dates(text: str) -> tuple[set, list[tuple[int, int]]]:
    """Date values mentioned and the character spans they use (so numbers skip them)."""
    found, spans = set(), []
    for m in _ISO_RE.finditer(text):
        found.add(("y", int(m.group(1))))
        found.add(("md", int(m.group(2)), int(m.group(3))))
        spans.append(m.span())
    for m in _DAY_MONTH_RE.finditer(text):
        day = int(m.group(1))
        if 1 <= day <= 31:
            found.add(("md", _MONTHS[m.group(2).lower().rstrip(".")], day))
            spans.append(m.span())
    for m in _MONTH_DAY_RE.finditer(text):
        day = int(m.group(2))
        if 1 <= day <= 31:
            found.add(("md", _MONTHS[m.group(1).lower().rstrip(".")], day))
            spans.append(m.span())
    for m in _MONTH_WORD_RE.finditer(text):
        word = m.group(1)
        if word.lower() == "may" and not word[0].isupper():
            continue  # the verb
        if not any(s <= m.start() < e for s, e in spans):
            found.add(("m", _MONTHS[word.lower()]))
    for m in _YEAR_RE.finditer(text):
        found.add(("y", int(m.group(1))))
        spans.append(m.span())
    for m in _NAMED_DAY_RE.finditer(text):
        found.add(("d", m.group(1).lower()))
    return found, spans


def _date_conflict(a: set, b: set) -> bool:
    """Each side has a date value of some kind that the other side states differently."""
    for kind in ("y", "md", "m", "d"):
        ka = {v for v in a if v[0] == kind}
        kb = {v for v in b if v[0] == kind}
        if not ka or not kb:
            continue
        if kind == "m":
            # a month named bare on one side can match a full date on the other
            ka |= {("m", v[1]) for v in a if v[0] == "md"}
            kb |= {("m", v[1]) for v in b if v[0] == "md"}
        if ka - kb and kb - ka:
            return True
    return False


def _numbers(text: str, date_spans) -> set[float]:
    out = set()
    for n in find_numbers(text):
        if any(s <= n.start < e or s < n.end <= e for s, e in date_spans):
            continue
        out.add(round(n.value, 6))
    return out


_TITLES = {"president", "minister", "prime", "leader", "chancellor", "king", "queen", "prince",
           "general", "governor", "mayor", "senator", "secretary", "ambassador", "officials",
           "forces", "troops", "media", "government", "army", "police", "authorities"}


@dataclass(frozen=True, slots=True)
class _Entity:
    words: frozenset
    before: str       # the lower-case word before the name ("" at a sentence start)
    after: str        # the lower-case word after it


def _entities(text: str) -> list[_Entity]:
    """Capitalised runs that are not sentence glue, with the words around them (their role)."""
    text = text.translate(_QUOTES)
    tokens = [m.group(0) for m in re.finditer(r"[A-Za-z][\w'\-]*|\d+|[.!?;:,]", text)]
    ents, run, before = [], [], ""
    sentence_start = True

    def close(i):
        after = tokens[i].lower() if i < len(tokens) else ""
        if run and after not in _TITLES:
            ents.append(_Entity(frozenset(run), before, after))

    prev = ""
    for i, w in enumerate(tokens):
        if w in ".!?;:,":
            close(i)
            run = []
            sentence_start = w != ","
            prev = ""
            continue
        low = w.lower().removesuffix("'s")
        is_cap = w[0].isupper() and low not in _NOT_NAMES and low not in _MONTHS \
            and low not in _WEEKDAYS and not (sentence_start and low in _COMMON_START)
        if is_cap:
            if not run:
                before = prev
            run.append(low)
        else:
            close(i)
            run = []
        prev = low
        sentence_start = False
    close(len(tokens))
    return ents


_COMMON_START = {"despite", "although", "though", "because", "once", "until", "unless", "now",
                 "today", "yesterday", "earlier", "later", "still", "even", "only", "just"}


def _entity_conflict(pa: "_Profile", pb: "_Profile") -> bool:
    """A name on each side that the other lacks, in the same role (same word before or after)."""
    ea, eb = pa.entities, pb.entities
    if not ea or not eb:
        return False
    words_a = set().union(*(e.words for e in ea))
    words_b = set().union(*(e.words for e in eb))
    lower_a, lower_b = pa.words, pb.words
    only_a = [e for e in ea if not (e.words & words_b) and not (e.words <= lower_b)]
    only_b = [e for e in eb if not (e.words & words_a) and not (e.words <= lower_a)]
    for x in only_a:
        for y in only_b:
            if (x.before and x.before == y.before) or (x.after and x.after == y.after) \
                    or (not x.before and not y.before):
                return True
    return False


# bounds that change what a number or amount claims ("almost enough" is not "enough"); plain
# approximations ("about", "roughly") do not: outlets round the same figure differently
_QUALIFIER_RE = re.compile(r"\b(almost|nearly|more than|less than|fewer than|at least|at most|up to|"
                           r"upwards of|just over|just under)\b", re.I)


def _qualifiers(text: str) -> set[str]:
    return {m.group(1).lower() for m in _QUALIFIER_RE.finditer(text)}


@dataclass(frozen=True, slots=True)
class _Profile:
    """What the flags read from one text, worked out once per text (cached below)."""
    negated: bool
    qualifiers: frozenset
    dates: frozenset
    numbers: frozenset
    entities: tuple
    words: frozenset
    norm: str         # normalise(text), which pair scoring reads too


@lru_cache(maxsize=4096)
def _profile(text: str) -> _Profile:
    dates, spans = _dates(text)
    norm = _normalised(text)
    return _Profile(_negated(text), frozenset(_qualifiers(text)), frozenset(dates),
                    frozenset(_numbers(text, spans)), tuple(_entities(text)),
                    frozenset(norm.split()), norm)


def difference_flags(a: str, b: str) -> tuple[str, ...]:
    """What may differ between two claims: among "negation", "qualifier", "number", "date", "entity"."""
    pa, pb = _profile(a or ""), _profile(b or "")
    flags = []
    if pa.negated != pb.negated:
        flags.append("negation")
    if pa.qualifiers != pb.qualifiers:
        flags.append("qualifier")
    na, nb = pa.numbers, pb.numbers
    if na and nb and na - nb and nb - na:
        flags.append("number")
    if _date_conflict(set(pa.dates), set(pb.dates)):
        flags.append("date")
    if _entity_conflict(pa, pb):
        flags.append("entity")
    return tuple(flags)


def score_pair(a: str, b: str) -> PairScore:
    """Similarity of two claims (0-100) and their difference flags.

    Lexical: RapidFuzz over normalised text. With MiniLM available (see embeddings.py; off when
    FACTCHECK_EMBEDDINGS=0) the score is the better of that and the mean of token_set_ratio and
    cosine, so that a paraphrase across outlets ("cost the city roughly $2.6 million" / "the
    city spends $2.6M") can reach the suggestion threshold; the flags keep different facts apart."""
    return score_pairs([(a, b)])[0]


def score_pairs(pairs: list[tuple[str, str]], vectors: Mapping[str, np.ndarray] | None = None) -> list[PairScore]:
    """score_pair for many pairs, embedding the texts not yet cached in one batch.

    `vectors` (text -> unit vector, e.g. read from the database) are used as given and never
    embedded again; they count only while embeddings are on, so that every pair is scored alike."""
    pairs = [(a or "", b or "") for a, b in pairs]
    embedder = _pair_embedder()
    given = vectors if vectors is not None and embedder is not None else {}
    if embedder is not None:
        _vectors.fill(embedder, [t for pair in pairs for t in pair if t.strip() and t not in given])
    out = []
    for a, b in pairs:
        na, nb = _profile(a).norm, _profile(b).norm
        flags = difference_flags(a, b)
        if not na or not nb:
            out.append(PairScore(0.0, flags))
            continue
        set_ratio, score = _lexical(na, nb)
        va, vb = (_vector_of(a, given), _vector_of(b, given)) if embedder is not None else (None, None)
        if va is not None and vb is not None:
            cos = float(np.dot(va, vb))
            score = max(score, 50.0 * (set_ratio / 100.0 + max(cos, 0.0)))
        out.append(PairScore(round(float(score), 4), flags))
    return out


def score_bound(a: str, b: str) -> float:
    """At least score_pair(a, b).score, for a sliver of its cost (no difference flags, no model
    run): a filter for scoring many pairs, e.g. a fact-check feed against the desk's claims.
    Exact while embeddings are off; with them on, the cosine term can add at most what a cosine
    of 1 gives, 50 + token_set_ratio / 2."""
    na, nb = _normalised(a or ""), _normalised(b or "")
    if not na or not nb:
        return 0.0
    set_ratio, score = _lexical(na, nb)
    if _pair_embedder() is not None:
        score = max(score, 50.0 + set_ratio / 2.0)
    return round(float(score), 4)


def _lexical(na: str, nb: str) -> tuple[float, float]:
    """(token_set_ratio, the lexical pair score) of two normalised texts."""
    set_ratio = fuzz.token_set_ratio(na, nb, processor=None)
    return set_ratio, max(fuzz.token_sort_ratio(na, nb, processor=None), 0.9 * set_ratio)


@lru_cache(maxsize=20_000)
def _normalised(text: str) -> str:
    """A feed's claims meet the same desk claims again and again: normalise each text once."""
    return normalise(text)


def cache_vectors(embedder, texts: list[str]) -> None:
    """Embed texts now (those not cached yet) so that a later score_pairs finds them."""
    _vectors.fill(embedder, [t for t in texts if t.strip()])


def cached_vector(text: str) -> np.ndarray | None:
    return _vectors.get(text)


def _vector_of(text: str, given: Mapping[str, np.ndarray]) -> np.ndarray | None:
    vec = given.get(text)
    return vec if vec is not None else _vectors.get(text)


def _pair_embedder():
    return embeddings.active_embedder()


class _VectorCache:
    """The last few thousand texts' vectors (an LRU), so re-scoring a claim costs no model run."""

    def __init__(self, size: int = 4096):
        self.size = size
        self.items: OrderedDict[str, np.ndarray] = OrderedDict()
        self.lock = threading.Lock()

    def fill(self, embedder, texts: list[str]) -> None:
        with self.lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self.items]
        vecs = embedder.encode(missing) if missing else []
        with self.lock:
            for t, v in zip(missing, vecs):
                self.items[t] = v.astype(np.float32)
            for t in texts:
                if t in self.items:
                    self.items.move_to_end(t)
            while len(self.items) > max(self.size, len(set(texts))):
                self.items.popitem(last=False)

    def get(self, text: str) -> np.ndarray | None:
        with self.lock:
            return self.items.get(text)


_vectors = _VectorCache()
