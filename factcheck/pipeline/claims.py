"""Stage 4: atomic claims. Turns sentence spans into standalone claims with speaker and span,
through the parse (spaCy) or through patterns alone (rules).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .attribution import PRONOUNS, SpeakerBook, find_attribution, leading_quote
from .decompose import ORG_HEADS, Walker, is_person_name, is_verb
from .rules import split_clause
from .sentences import regex_spans

MAX_PARSE_CHARS = 600  # longer units are kept whole: the parser's cost and error both grow with length


@dataclass(frozen=True)
class ClaimDraft:
    """A standalone atomic claim, who made it (None: the outlet) and where it came from in the input."""

    text: str
    speaker: str | None
    start: int
    end: int
    checkworthiness: float
    reasons: tuple[str, ...] = ()


@dataclass
class Unit:
    """A piece of a sentence to decompose: a whole sentence, one sentence of a quote, or an added clause."""

    start: int
    end: int
    speaker: str | None = None  # raw speaker when known from the quote pattern
    direct: bool = False
    sentence: int = 0
    needs_speaker: bool = False  # a bare quote: the speaker comes from the context
    opens_quote: bool = False
    prefix: str = ""  # set for a fact about the speaker: "[Mayor X] proposed the plan" (kept whole)


@dataclass
class RawClaim:
    text: str
    speaker: str | None
    start: int
    end: int
    unit: Unit = field(repr=False, default=None)


_QUOTE_CHARS = re.compile(r"[\"“”«»„]|(?<![\w])[‘’']|[‘’'](?![\w])")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?%)])")
_SPACES = re.compile(r"\s+")
_SPACE_AFTER_PAREN = re.compile(r"\(\s+")
_EMPTY_BRACKETS = re.compile(r"\s*\(\s*\)|\s*\[\s*\]")  # left where a bracketed clause was cut out
_DOUBLED_WORD = re.compile(r"\b(to|the|a|an|of|and|in|on|for)\s+\1\b", re.I)
_REPEATED_PUNCT = re.compile(r"([,;:])(?:\s*[,;:])+")
# A leading "-" before a digit is a minus sign ("-3 percent"), not a list bullet: keep it.
_EDGE_PUNCT = re.compile(r"^(?:[\s,;:–—]|[.\-](?!\d))+|[\s,;:\-–—]+$")  # "-3", ".5": signs and decimals stay
_LEADING_CONNECTIVE = re.compile(r"^(?:and|but|or|so|however|also|meanwhile)\b[\s,]*", re.I)
_WORD = re.compile(r"\w+")
_FINAL_DOTS = re.compile(r"\.\.+$")


def clean_claim_text(raw: str) -> str | None:
    """A claim as a clean sentence: no quote marks, single spaces, capitalised, final full stop."""
    text = _QUOTE_CHARS.sub("", raw)
    text = _SPACES.sub(" ", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = _SPACE_AFTER_PAREN.sub("(", text)
    text = _EMPTY_BRACKETS.sub("", text)
    text = _DOUBLED_WORD.sub(r"\1", text)
    text = _REPEATED_PUNCT.sub(r"\1", text)
    text = _EDGE_PUNCT.sub("", text)
    text = _LEADING_CONNECTIVE.sub("", text)
    if len(_WORD.findall(text)) < 3:
        return None
    if text[-1] not in ".!?":
        text = text.rstrip(".") + "."
    text = _FINAL_DOTS.sub(".", text)
    return text[0].upper() + text[1:]


_DATELINE = re.compile(r"^(?:[A-Z][A-Z .'’\-]{2,40}(?:,\s*[A-Z][\w .,'’\-]{1,40}?)?(?:\s*\([^)]{1,40}\))?"
                       r"(?:\s*/[^/\n]{1,40}/)?\s*(?:—|–|--|-)"
                       # "Lakeville —", "Port Ellis, Ont. (Ledger) —": a place in title case before a long dash
                       r"|[A-Z][a-z]+(?:[ \-][A-Z][a-z]+){0,2}(?:,\s*[A-Z][\w.]{1,12})?"
                       r"(?:\s*\([^)]{1,40}\))?\s*(?:—|–)"
                       # a bare "(Reuters) —" whose place was cut off or never given
                       r"|\([A-Z][\w .&'’\-]{1,30}\)\s*(?:—|–|--|-))"
                       r"\s+(?=[\"“‘'A-Z0-9])", re.M)


# "Q:" / "A:" in a printed interview: labels, not words of the claim.
_INTERVIEW_LABEL = re.compile(r"\s*(?P<who>Q|A|Question|Answer)\s*:\s+(?=\S)")
# A direct question asks rather than states: not a claim (closing quotes and brackets aside).
_QUESTION = re.compile(r"\?[\"”’')\]]*\s*$")


def _interviewee(text: str) -> str | None:
    """The person a Q&A interviews: the last name the text gives before its first question."""
    first_q = re.search(r"(?m)^\s*(?:Q|Question)\s*[:.]\s", text)
    if not first_q or not re.search(r"(?m)^\s*(?:A|Answer)\s*[:.]\s", text):
        return None
    return _person_hint(text, first_q.start())


def _quote_delta(sentence: str, inside: bool) -> bool:
    """Whether a direct quote is still open after this sentence."""
    for ch in sentence:
        if ch == "“":
            inside = True
        elif ch == "”":
            inside = False
        elif ch == '"':
            inside = not inside
    return inside


def plan_units(text: str, sentences: list[tuple[int, int]]) -> list[Unit]:
    """Cut sentences into units: quotes become one unit per quoted sentence with the quote's speaker;
    sentences inside a quote that runs on (across sentences or paragraphs) wait for its speaker."""
    units: list[Unit] = []
    inside = False
    previous_end = 0
    interviewee = _interviewee(text) if re.search(r"(?m)^\s*A\s*:", text) else None
    answering = False  # in a Q&A answer paragraph: the interviewee speaks
    quoted_by = None  # speaker of the previous sentence when it was an attributed direct quote
    for index, (s, e) in enumerate(sentences):
        if index + 1 < len(sentences) and text[sentences[index + 1][0]] in "—–" \
                and len(text[s:e].split()) <= 5 and "\n" not in text[e:sentences[index + 1][0]]:
            continue  # "Port Ellis, Ont." cut from its "— …" by the splitter: a dateline, not a claim
        dateline = _DATELINE.match(text, s, e)
        if dateline and dateline.end() < e:
            s = dateline.end()
        if "\n" in text[previous_end:s] or not previous_end:
            answering = False
        label = _INTERVIEW_LABEL.match(text, s, e)
        if label:
            s = label.end()
            answering = label.group("who")[:1] == "A"
        sentence = text[s:e]
        stripped = sentence.lstrip()
        if inside and "\n" in text[previous_end:s] and stripped[:1] not in "\"“":
            inside = False  # a new paragraph without an opening mark ends the quote
        previous_end = e
        last_quoted_by, quoted_by = quoted_by, None
        if _QUESTION.search(sentence) and not inside and _quote_delta(sentence, False) is False:
            continue  # a direct question ("Is this how local democracy should work?") claims nothing
        if answering and interviewee and not inside and not re.search(r"[\"“”]", sentence):
            units.append(Unit(s, e, interviewee, True, index))
            continue
        found = leading_quote(sentence) if len(sentence) <= 3000 and not inside else None
        if found:
            for cs, ce, direct in found.contents:
                if direct:
                    for qs, qe in regex_spans(text, s + cs, s + ce):
                        units.append(Unit(qs, qe, found.speaker, True, index))
                else:
                    units.append(Unit(s + cs, s + ce, found.speaker, False, index))
            if found.about_speaker:
                a, b = found.about_speaker
                units.append(Unit(s + a, s + b, None, False, index, prefix=found.speaker))
            inside = False
            quoted_by = found.speaker if any(direct for _cs, _ce, direct in found.contents) else None
            continue
        starts_quote = stripped[:1] in "\"“" or inside
        closing = re.search(r"[”\"][^”\"“]{0,80}\b(said|says|told|added)\b", sentence)
        bare_quote = starts_quote and not (closing and not inside and stripped[:1] not in "\"“")
        if inside and closing:
            bare_quote = False  # '... them," Nasser said.' closes the run with its speaker
        if bare_quote and not closing and not inside and last_quoted_by \
                and stripped[:1] in "\"“" and not _quote_delta(sentence, False):
            # '"…," Bailey told reporters. "It is too early."': the next bare quote is the same speaker's
            units.append(Unit(s, e, last_quoted_by, True, index))
            quoted_by = last_quoted_by
            continue
        units.append(Unit(s, e, None, bare_quote, index, needs_speaker=bare_quote and not closing,
                          opens_quote=False))
        inside = _quote_delta(sentence, inside)
        if inside and stripped[:1] in "\"“":
            units[-1].opens_quote = True
    return units


def walk_unit(doc, unit: Unit, person: str | None, people: frozenset = frozenset()) -> list[RawClaim]:
    """Pieces of one parsed unit; falls back to the whole unit when the cut leaves fragments."""
    walker = Walker(doc, speaker=unit.speaker, direct=unit.direct, person=person, people=people)
    try:
        pieces = walker.run()
    except RecursionError:
        pieces = []
    good = [p for p in pieces if (p.verbal or any(is_verb(t) for t in p.tokens)) and len(p.tokens) >= 2]
    covered = {t.i for p in good for t in p.tokens} | walker.frame_tokens
    content = [t for t in doc if not t.is_punct]
    claims = []
    if not good or len(covered) < 0.4 * len(content):
        speaker = pieces[0].speaker if pieces else unit.speaker
        return [RawClaim(doc.text, speaker, unit.start, unit.end, unit)]
    for p in good:
        s, e = p.char_span()
        claims.append(RawClaim(p.text(), p.speaker, unit.start + s, unit.start + e, unit))
    return claims


_DENIAL = re.compile(r"\b(?:den(?:y|ies|ied|ying)|refut\w*|disput\w*|reject\w*|dismiss\w*)\b", re.I)


def rules_unit(text: str, unit: Unit, people: frozenset = frozenset()) -> list[RawClaim]:
    """Patterns only: attribution split off, '; ' cut, clauses cut by word patterns (rules.py), and a
    leading it/they resolved to an organisation speaker (never to a person)."""
    sentence = text[unit.start:unit.end]
    if unit.needs_speaker:
        return [RawClaim(sentence, unit.speaker, unit.start, unit.end, unit)]
    found = find_attribution(sentence) if unit.speaker is None else None
    if unit.speaker is not None or not found:
        return [RawClaim(piece, unit.speaker, unit.start + a + ps, unit.start + a + pe, unit)
                for part, a, _b in _semicolon_parts(sentence)
                for piece, ps, pe in split_clause(part, 0, len(part))]
    if _DENIAL.search(sentence[:found.contents[0][0]]):
        # "X denied that P": P is not X's claim; the denial is, kept whole
        return [RawClaim(sentence, found.speaker, unit.start, unit.end, unit)]
    claims = []
    resolve = found.speaker.lower() not in PRONOUNS and not is_person_name(found.speaker, people)
    for cs, ce, _direct in found.contents:
        for piece, ps, pe in split_clause(sentence, cs, ce):
            if resolve:
                piece = re.sub(r"^\s*(?:it|they)\b", found.speaker, piece)
            claims.append(RawClaim(piece, found.speaker, unit.start + ps, unit.start + pe, unit))
    return claims


def _semicolon_parts(sentence: str):
    pos = 0
    for match in re.finditer(r";\s+", sentence):
        yield sentence[pos:match.start()], pos, match.start()
        pos = match.end()
    yield sentence[pos:], pos, len(sentence)


_QUOTED = re.compile(r'"[^"\n]{1,200}"|“[^”\n]{1,200}”')
_NOT_NAME_STARTS = {"The", "A", "An", "It", "This", "That", "These", "Those", "Its", "Their", "His", "Her",
                    "Our", "In", "On", "At", "After", "Before", "When", "But", "And"}


def _person_hint(text: str, start: int) -> str | None:
    """The last capitalised two-word name before start, for resolving he/she (cheap and local)."""
    window = _QUOTED.sub(lambda m: " " * len(m.group()), text[max(0, start - 600):start])
    names = re.findall(r"(?<![\w.])(?:[A-Z]\.|[A-Z][a-z]+)(?:\s+(?:al-|bin\s+|de\s+|van\s+)?[A-Z][\w'’\-]+)+", window)
    # titles in quotes were blanked above; "The We Company" or "Harbour Trust" is no "he"
    names = [n for n in names if n.split()[0] not in _NOT_NAME_STARTS
             and not any(w.lower() in ORG_HEADS for w in n.split())]
    return names[-1] if names else None


_FULL_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z'’\-]+)+")


def find_surnames(text: str) -> frozenset:
    """Last words of capitalised name runs ("Mark Osei" -> "Osei"): a bare "Osei" is then a person."""
    return frozenset(m.group().split()[-1] for m in _FULL_NAME.finditer(text[:200_000]))


def build_claims(text: str, units: list[Unit], docs: list | None) -> list[RawClaim]:
    """Decompose each unit (parsed when docs are given) and settle speakers across quote runs."""
    raw: list[RawClaim] = []
    people = find_surnames(text)
    last_speaker: str | None = None
    pending: list[RawClaim] = []
    for i, unit in enumerate(units):
        if unit.prefix:
            body = re.sub(r"^(?:who|which)\s+", "", text[unit.start:unit.end])
            claims = [RawClaim(f"{unit.prefix} {body}", None, unit.start, unit.end, unit)]
        elif docs is not None and docs[i] is not None:
            claims = walk_unit(docs[i], unit, _person_hint(text, unit.start), people)
        else:
            claims = rules_unit(text, unit, people)
        if unit.needs_speaker:
            pending.extend(c for c in claims if c.speaker is None)
        elif unit.prefix:
            pass
        else:
            speakers = [c.speaker for c in claims if c.speaker]
            if speakers:
                for c in pending:
                    c.speaker = speakers[-1]
                pending = []
                last_speaker = speakers[-1]
            else:
                for c in pending:
                    c.speaker = last_speaker  # a run of quotes with no closing attribution
                pending = []
                last_speaker = None
        raw.extend(claims)
    return raw


def finish_claims(text: str, raw: list[RawClaim], score) -> list[ClaimDraft]:
    """Clean texts, expand speakers to their fullest form, score, drop duplicates, order by start."""
    book = SpeakerBook(text)
    out: list[ClaimDraft] = []
    seen = set()
    for claim in sorted(raw, key=lambda c: (c.start, c.end)):
        cleaned = clean_claim_text(claim.text)
        if not cleaned:
            continue
        key = cleaned.lower()
        if key in seen:
            continue
        seen.add(key)
        speaker = None
        if claim.speaker:
            speaker = book.fullest(claim.speaker, before=claim.start)
            if speaker and speaker.lower() not in PRONOUNS:
                book.last_speaker = speaker
            if not speaker and claim.speaker.strip().lower() not in ("he", "she", "it"):
                speaker = claim.speaker  # an unresolved he/she/it stays None: nobody known said it
        start = max(0, min(claim.start, len(text) - 1))
        end = max(start + 1, min(claim.end, len(text)))
        worth = score(cleaned)
        out.append(ClaimDraft(cleaned, speaker, start, end, worth.score, worth.reasons))
    out.sort(key=lambda c: (c.start, c.end))
    return out
