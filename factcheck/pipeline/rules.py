"""Stage 4c: one proposition per claim without a parser. Word patterns cut the commonest news
constructions (a relative clause after the subject, "and" + verb with the subject carried over, a past
clause of time or reason, a trailing participle) so that the rules-only path stays useful.
Every cut is skipped when its pattern is unsure: a whole sentence is better than a wrong piece.
"""
from __future__ import annotations

import re

from .decompose import IRREGULAR_PAST, SKIPPED_PARTICIPLES, past_of_participle

AUXILIARIES = {"has", "had", "have", "was", "were", "is", "are", "will", "would", "could", "can", "may",
               "might", "should", "must", "did", "does", "do", "shall"}
PAST_FORMS = set(IRREGULAR_PAST.values()) - {"read", "let", "bid", "lay"}  # those read as nouns too often
NOT_VERBS = {"hundred", "need", "speed", "seed", "feed", "red", "bed", "shed", "bred", "greed", "creed",
             "steed", "weed", "deed", "embed", "naked", "sacred", "wicked", "beloved", "aged", "armed",
             "based", "used", "united", "limited", "related", "so-called", "alleged", "detailed", "wed",
             "advanced", "experienced", "skilled", "talented", "supposed", "concerned", "interested"}
DETERMINERS = {"the", "a", "an", "its", "their", "his", "her", "our", "this", "that", "these", "those",
               "some", "many", "most", "all", "no", "two", "three", "several", "each", "every"}
ASSERTED = {"because", "although", "though", "whereas"}

_WORD = re.compile(r"[A-Za-z][\w'’\-]*|\d[\d,.]*%?|\$[\d,.]+\w*")


def is_verb_word(word: str, previous: str = "") -> bool:
    """A finite verb by its form alone: an auxiliary, a past form, or an -ed word not after a determiner."""
    lower = word.lower()
    if lower in AUXILIARIES or lower in PAST_FORMS:
        return previous.lower() not in DETERMINERS
    return (lower.endswith("ed") and len(lower) > 4 and lower not in NOT_VERBS
            and previous.lower() not in DETERMINERS and not word[:1].isupper())


def subject_of(clause: str) -> tuple[str, int] | None:
    """The words before the clause's first finite verb (at most 7 of them) and where the verb starts."""
    previous = ""
    for count, match in enumerate(_WORD.finditer(clause)):
        if count > 7:
            return None
        word = match.group()
        if count and is_verb_word(word, previous):
            subject = clause[:match.start()].strip(" ,")
            if "," in subject or not subject:
                return None
            return subject, match.start()
        previous = word
    return None


def _piece(text: str, start: int, end: int, prefix: str = "") -> tuple[str, int, int]:
    body = text[start:end].strip(" ,;")
    return (f"{prefix} {body}" if prefix else body), start, end


_RELATIVE = re.compile(r"(?P<subj>[^,;\"“”]{2,60}?),\s+(?:who|which)\s+(?P<rel>[^,;\"“”]+?),\s+(?=[a-z])")
_COORDINATION = re.compile(r",?\s+(?:and|but)\s+(?:also\s+|then\s+|later\s+)?(?=(?P<verb>[a-z][\w'’\-]*)\b)")
_TIME_CLAUSE = re.compile(r",?\s+(?P<mark>after|when|because|although|though|while|since|whereas)\s+"
                          r"(?P<clause>(?!it\b|they\b|he\b|she\b|we\b|i\b)[^,;\"“”]{8,})$", re.I)
_PARTICIPLE = re.compile(r",\s+(?P<ing>[a-z]+ing)\s+(?P<rest>[^\"“”]{6,})$")
_NOT_PARTICIPLES = {"including", "according", "following", "during", "nothing", "something", "anything",
                    "everything", "morning", "evening", "building", "meeting", "funding", "spending"}


def _short_subject(subject: str) -> bool:
    words = _WORD.findall(subject)
    if not words or len(words) > 6:
        return False
    return not any(is_verb_word(w, p) for p, w in zip([""] + words, words))


def split_clause(text: str, start: int, end: int, subject: str | None = None) -> list[tuple[str, int, int]]:
    """Pieces (text, start, end) of text[start:end], each meant to be one proposition; with subject
    given, the clause starts at its verb and the subject is put in front."""
    clause = text[start:end]
    if subject is None:
        relative = _RELATIVE.match(clause)
        if relative and _short_subject(relative.group("subj")):
            subject = relative.group("subj").strip()
            about = _piece(text, start + relative.start("rel"), start + relative.end("rel"), subject)
            return sorted([about] + split_clause(text, start + relative.end(), end, subject), key=lambda p: p[1])
        found = subject_of(clause)
        if not found:
            return [_piece(text, start, end)]
        subject, verb_at = found
        lead = ""
    else:
        verb_at, lead = 0, subject
    pieces: list[tuple[str, int, int]] = []
    tail_start = end
    time_clause = _TIME_CLAUSE.search(clause, verb_at)
    if time_clause:
        inner = time_clause.group("clause")
        inner_subject = subject_of(inner)
        asserted = time_clause.group("mark").lower() in ASSERTED
        if inner_subject and (asserted or _is_past(inner[inner_subject[1]:])):
            tail_start = start + time_clause.start()
            pieces.append(_piece(text, start + time_clause.start("clause"), end))
    participle = _PARTICIPLE.search(text, start + verb_at, tail_start)
    if participle:
        ing = participle.group("ing")
        if ing not in _NOT_PARTICIPLES and not any(ing.startswith(s[:4]) for s in SKIPPED_PARTICIPLES):
            pieces.append(_piece(text, participle.start("rest"), participle.end("rest"),
                                 f"{subject} {past_of_participle(ing)}"))
            tail_start = participle.start()
    cut = start
    for match in _COORDINATION.finditer(text, start + verb_at, tail_start):
        if not is_verb_word(match.group("verb")):
            continue
        pieces.append(_piece(text, cut, match.start(), lead))
        cut, lead = match.end(), subject
    pieces.append(_piece(text, cut, tail_start, lead))
    return sorted(pieces, key=lambda p: p[1])


def _is_past(words: str) -> bool:
    first = _WORD.match(words)
    return bool(first) and (first.group().lower() in PAST_FORMS | {"was", "were", "had", "has", "have", "did"}
                            or first.group().lower().endswith("ed"))
