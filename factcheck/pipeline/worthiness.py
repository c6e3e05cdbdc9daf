"""Stage 5: check-worthiness. A logistic score over cheap lexical features, so both extractor paths
score a claim identically; the weights were fitted on CLEF CheckThat! 2019 debate sentences
(bench/extraction.py --fit-worthiness), and each feature doubles as a reason shown in the UI.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

_I = re.IGNORECASE
MONTHS = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan\.|Feb\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)"
DAYS = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"

# Word-list features: the words (read as whole \w+ runs) and, where a feature needs more than plain
# words, a pattern for the rest. The FEATURES patterns are built from these lists, and
# feature_vector reads the same lists by set look-ups.
_WORD_FEATURES: dict[str, tuple[str, str]] = {
    "number": ("one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty "
               "hundred hundreds thousand thousands million millions billion billions trillion trillions "
               "dozen dozens half double triple twice", r"\d"),
    "quantity": ("million billion trillion dollar dollars jobs tax taxes rate budget deficit debt percent",
                 r"%|\bper ?cent\b|\$|£|€"),
    "comparison": ("more less fewer most least largest biggest highest lowest record increase increases "
                   "increased decrease decreases decreased rose risen fell fallen doubled tripled cut raised "
                   "grew dropped than every never only first all", ""),
    "factual verb": ("is are was were has had have did voted passed signed killed spent cost lost won "
                     "created approved banned funded received paid took became announced reported "
                     "confirmed seized held", ""),
    "policy topic": ("tax taxes job jobs unemployment economy trade deficit debt healthcare insurance "
                     "obamacare medicare medicaid border crime murder murders police gun guns nuclear "
                     "iran isis military troops war wage wages income companies oil energy climate "
                     "education school schools college percent countries country china mexico russia "
                     "syria iraq", r"\b(?:health care|social security|immigra\w*)\b"),
    "opinion": ("think believe feel hope wish love hate great terrible wonderful beautiful amazing disaster "
                "horrible incredible fantastic sad proud should ought must deserve frankly honestly "
                "tremendous nice bad good best worst stupid smart strong weak", ""),
    "prediction": ("will gonna would could might may shall",
                   r"\b(?:won't|going to|plan to|intends? to|expects? to)\b"),
    "second person": ("you your", ""),
}
# case matters: "I", not the "i" of "i.e."
_CASED_WORD_FEATURES: dict[str, str] = {"first person": "I me my we our us"}


def _word_pattern(words: str, rest: str = "", flags: int = 0) -> re.Pattern:
    return re.compile("|".join(filter(None, [rest, rf"\b(?:{'|'.join(words.split())})\b"])), flags)


_OTHER_FEATURES: dict[str, re.Pattern] = {
    "date": re.compile(rf"\b(?:{MONTHS}|{DAYS}|(?:19|20)\d\d|last (?:year|month|week)|years? ago|"
                       r"decades?|since)\b"),
    "named entity": re.compile(r"(?<=[\w,;:] )(?:[A-Z][a-z]+|[A-Z]{2,})(?:[ -][A-Z][\w-]+)*"),
    "question": re.compile(r"\?\s*$"),
    "call to action": re.compile(r"^(?:let's|let us|please|join|vote|support|sign|donate|"
                                 r"imagine|look|go|get|come|thank)\b", _I),
    "short": re.compile(r"^\W*(?:\S+\W+){0,5}\S*\W*$"),
}
_ORDER = ("number", "quantity", "date", "comparison", "factual verb", "policy topic", "named entity",
          "opinion", "prediction", "question", "call to action", "first person", "second person", "short")
FEATURES: dict[str, re.Pattern] = {
    name: _OTHER_FEATURES[name] if name in _OTHER_FEATURES
    else _word_pattern(_CASED_WORD_FEATURES[name]) if name in _CASED_WORD_FEATURES
    else _word_pattern(*_WORD_FEATURES[name], _I)
    for name in _ORDER
}

# Half news prior (hand-set: dates and names matter in news), half logistic fit on the 19 CheckThat
# 2019 debates (bench/extraction.py --fit-worthiness; leave-one-debate-out MAP 0.216 for the fit alone).
WEIGHTS: dict[str, float] = {
    "bias": -1.47,
    "number": 1.03,
    "quantity": 0.98,
    "date": 0.277,
    "comparison": 0.383,
    "factual verb": 0.521,
    "policy topic": 0.592,
    "named entity": 0.486,
    "opinion": -0.455,
    "prediction": -0.531,
    "question": -1.151,
    "call to action": -0.982,
    "first person": -0.434,
    "second person": -0.206,
    "short": -0.942,
}


@dataclass(frozen=True)
class Worthiness:
    """Score in 0..1 and the features that moved it, strongest first."""

    score: float
    reasons: tuple[str, ...]


# Case-blind features run without IGNORECASE on the lower-cased claim: the same matches, and
# Python's regex engine is several times faster on long case-folded alternations.
_LOWERED = {name: re.compile(re.sub(r"(?<!\\)[A-Z]", lambda m: m.group().lower(), p.pattern))
            for name, p in FEATURES.items() if p.flags & re.IGNORECASE}

# The same features, read faster: a word of a list matches under \b…\b exactly when it is one of
# the text's maximal \w+ runs, so one word split and set look-ups stand in for a dozen scans; what
# is not a plain word keeps its (short) pattern. tests/pipeline/test_worthiness.py checks that the
# two readings agree.
_WORDS_LOWER = {name: frozenset(words.split()) for name, (words, _rest) in _WORD_FEATURES.items()}
_REST_LOWER = {name: re.compile(rest) for name, (_words, rest) in _WORD_FEATURES.items() if rest}
_WORDS_CASED = {name: frozenset(words.split()) for name, words in _CASED_WORD_FEATURES.items()}
_WORD_RUN = re.compile(r"\w+")


def feature_vector(text: str) -> dict[str, float]:
    """1.0 for each feature the claim shows (names counted, capped at 2)."""
    found = {}
    lower = text.lower()
    words = set(_WORD_RUN.findall(lower))
    cased = set(_WORD_RUN.findall(text))
    for name, pattern in FEATURES.items():
        if name in _WORDS_LOWER:
            rest = _REST_LOWER.get(name)
            if not words.isdisjoint(_WORDS_LOWER[name]) or (rest is not None and rest.search(lower)):
                found[name] = 1.0
        elif name in _WORDS_CASED:
            if not cased.isdisjoint(_WORDS_CASED[name]):
                found[name] = 1.0
        elif name == "named entity":
            hits = len(pattern.findall(text))
            if hits:
                found[name] = min(hits, 2) / 2 + 0.5
        elif name in _LOWERED:
            if _LOWERED[name].search(lower):
                found[name] = 1.0
        elif pattern.search(text):
            found[name] = 1.0
    return found


def feature_vector_by_patterns(text: str) -> dict[str, float]:
    """The features read with the FEATURES patterns alone (case-blind ones on the lower-cased text):
    the definition that feature_vector follows."""
    found = {}
    lower = text.lower()
    for name, pattern in FEATURES.items():
        if name == "named entity":
            hits = len(pattern.findall(text))
            if hits:
                found[name] = min(hits, 2) / 2 + 0.5
        elif (_LOWERED[name].search(lower) if name in _LOWERED else pattern.search(text)):
            found[name] = 1.0
    return found


def score_claim(text: str) -> Worthiness:
    """Logistic score of the claim's features; reasons list the features in order of their pull."""
    features = feature_vector(text[:2000])
    z = WEIGHTS["bias"] + sum(WEIGHTS.get(k, 0.0) * v for k, v in features.items())
    score = 1.0 / (1.0 + math.exp(-z))
    ranked = sorted(features, key=lambda k: -abs(WEIGHTS.get(k, 0.0) * features[k]))
    reasons = tuple(k for k in ranked if abs(WEIGHTS.get(k, 0.0)) >= 0.15)
    return Worthiness(round(score, 4), reasons)
