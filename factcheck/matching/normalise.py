"""Text normalisation for matching: done once per claim at add time, never per comparison.

`normalise` folds case, accents, curly quotes and punctuation, drops URLs and @handles,
splits #CamelCase hashtags and writes numbers as canonical digits, so that "two", "2",
"$2.6M" and "2.6 million" compare equal. `find_numbers` is shared with the difference flags.
"""
from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import threading
import unicodedata
from dataclasses import dataclass

__all__ = ["normalise", "normalise_many", "tokens", "find_numbers", "NumberMention", "format_number", "VERSION"]

# Raised whenever normalise() gives some text another form: a saved index holds normalised texts,
# so a base of another version is rebuilt rather than searched (2: words of other scripts kept;
# 3: a backtick reads as an apostrophe in every text, not only in one with other characters;
# thousands grouped by no-break or thin spaces are one number; 4: "WWW.", "PER CENT" and the like
# are read whatever their case, in one text as in a bulk chunk).
VERSION = 4

_QUOTES = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
})

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_SUFFIX = {"k": 10**3, "m": 10**6, "mn": 10**6, "b": 10**9, "bn": 10**9, "tn": 10**12, "t": 10**12}

# A digit number, optionally with currency, thousands separators, decimals and a scale. It starts
# with the digit and looks behind it afterwards (not in a word, not after "3."), and spells case
# out instead of re.I: `re` can then skip to the next digit, about 2.5x faster over a large text.
_DIGITS_RE = re.compile(
    r"(?P<num>\d(?<![^\W\d_]\d)(?<!\d\d)(?<!_\d)(?<!\d\.\d)"
    r"(?:\d{0,2}(?:,\d{3})+(?:\.\d+)?|\d*(?:\.\d+)?))"
    r"(?:(?P<attached>[kK]|[mM]|[mM][nN]|[bB][nN]|[bB]|[tT][nN])\b"
    r"|\s*(?P<scale>[tT][hH][oO][uU][sS][aA][nN][dD]|[mMbB][iI][lL][lL][iI][oO][nN]"
    r"|[tT][rR][iI][lL][lL][iI][oO][nN])\b)?"
)
_CURRENCY = "$£€"
_NUMWORD_SET = frozenset([*_UNITS, *_TENS, "hundred", *_SCALES])
_HAS_DIGIT = re.compile(r"\d").search
# The next three are matched against the text lower-cased (same length, see _lowered) at the places
# str.find gives (see _replace_matches, _drop_possessives)
_URL_RE = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S*")
_PERCENT_RE = re.compile(r"%|p(?<!\wp)er\s?cent\b")
_POSSESSIVE_RE = re.compile(r"'s\b")      # "'s" after a word character: checked in _drop_possessives
_HANDLE_RE = re.compile(r"@\w+")
_HASHTAG_RE = re.compile(r"#(\w+)")
_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)")
# every ASCII character but a-z, 0-9 and "." becomes a space (the text is ASCII by then)
_ASCII_KEEP = str.maketrans({chr(i): " " for i in range(128)
                             if not (chr(i).isalnum() or chr(i) == ".") or chr(i).isupper()})
_LOOSE_DOT_RE = re.compile(r"\.(?:(?<![0-9]\.)|(?![0-9]))")   # starts with the dot: a fast scan


@dataclass(frozen=True, slots=True)
class NumberMention:
    """One number found in text: its value and the character span it came from."""
    value: float
    start: int
    end: int
    currency: str = ""
    from_words: bool = False


def _words_value(phrase: str) -> int | None:
    total, current = 0, 0
    for word in re.split(r"[\s-]+", phrase.lower()):
        if word == "and" or not word:
            continue
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in _SCALES:
            total += max(current, 1) * _SCALES[word]
            current = 0
        else:  # pragma: no cover - the regex only admits number words
            return None
    return total + current


def _kind(word: str) -> str:
    if word in _UNITS:
        return "unit"
    if word in _TENS:
        return "tens"
    return "hundred" if word == "hundred" else "scale"


# which kind of number word may follow which inside one number ("twenty five", "two hundred")
_FOLLOWS = {
    "unit": {"hundred", "scale"},
    "tens": {"unit", "hundred", "scale"},
    "hundred": {"unit", "tens", "scale"},
    "scale": {"unit", "tens", "hundred"},
}


# matched against lower-cased text (re.I is several times slower)
_NUMWORD_RE = re.compile(
    r"(?<![a-z0-9])(?:" + "|".join(sorted([*_NUMWORD_SET, "and"], key=len, reverse=True))
    + r")(?![a-z0-9])")
# "hundred and six": whitespace, the word "and", then anything but a letter (or normalise_many's
# text separator) up to the next number word
_AND_GAP = re.compile(r"\s+and(?![a-z0-9])[^a-z\x00]*").fullmatch


def _lower_same_length(text: str) -> str:
    """Lower-case ASCII letters only, so that offsets stay those of `text`."""
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = {i: i + 32 for i in range(ord("A"), ord("Z") + 1)}


# Each number word begins with exactly one of these. str.find skips to them far faster than a
# regex of 33 words, most starting with common letters, tries every position of a bulk chunk.
_NUMWORD_ROOTS = ("zero", "one", "two", "thr", "four", "fort", "five", "fift", "six", "seven", "eigh",
                  "nine", "ten", "eleven", "twel", "twen", "thir", "hundred", "thousand", "million",
                  "billion", "trillion")
assert all(sum(w.startswith(r) for r in _NUMWORD_ROOTS) == 1 for w in _NUMWORD_SET)
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_ALNUM_TAIL = re.compile(r"[a-z0-9]*")


def _number_words(low: str) -> list[tuple[int, int]]:
    """Spans of the number words in lower-cased `low`, in order: each a whole run of a-z and 0-9
    (the "one" of "someone" or "one2" is no number)."""
    found = []
    for root in _NUMWORD_ROOTS:
        i = low.find(root)
        while i >= 0:
            end = _ALNUM_TAIL.match(low, i + len(root)).end()
            if (i == 0 or low[i - 1] not in _ALNUM) and low[i:end] in _NUMWORD_SET:
                found.append((i, end))
            i = low.find(root, end)
    found.sort()
    return found


def _number_word_runs(text: str):
    """(start, end, phrase) of each run of number words ("twenty-five", "two hundred and six").

    Walks the number words only; the gap between two of them decides whether they join: spaces or
    hyphens, or an "and" after a hundred or a scale word ("two hundred and six")."""
    low = _lowered(text)
    runs = []
    start = end = -1
    last = ""
    for m_start, m_end in _number_words(low):
        word = low[m_start:m_end]
        kind = _kind(word)
        if start >= 0:
            gap = low[end:m_start]
            after_and = False
            if gap.strip(" -") == "":
                joins = True
            elif last in ("hundred", "scale") and _AND_GAP(gap) is not None:
                joins = after_and = True
            else:
                joins = False
            if joins and kind in _FOLLOWS[last] and not (last == "tens" and word == "zero") \
                    and (not after_and or kind in ("unit", "tens")):
                end, last = m_end, kind
                continue
            runs.append((start, end))
        start, end, last = m_start, m_end, kind
    if start >= 0:
        runs.append((start, end))
    return [(s, e, text[s:e]) for s, e in runs]


def find_numbers(text: str) -> list[NumberMention]:
    """Every number in `text` with its value: digits, words, currency and scale words alike."""
    if not text.isascii():
        text = text.translate(_QUOTES)
    found: list[NumberMention] = []
    has_digits = _HAS_DIGIT(text) is not None
    has_words = _NUMWORD_RE.search(text.lower()) is not None
    if not has_digits and not has_words:
        return found
    taken = bytearray(len(text))
    for m in (_DIGITS_RE.finditer(text) if has_digits else ()):
        value, start, end, cur = _digit_number(m)
        found.append(NumberMention(value, start, end, cur))
        taken[start:end] = b"\x01" * (end - start)
    if has_words:
        for start, end, phrase in _number_word_runs(text):
            if any(taken[start:end]):
                continue
            low = phrase.lower()
            if low in _SCALES or low == "hundred":
                continue  # a bare "million" is not a number
            value = _words_value(phrase)
            if value is not None:
                found.append(NumberMention(float(value), start, end, "", True))
    found.sort(key=lambda n: n.start)
    return found


def format_number(value: float) -> str:
    """Canonical digits for a number value: 2600000, 2.5 (no exponent, no trailing zeros)."""
    if value == int(value) and abs(value) < 1e18:
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _numbers_to_digits(text: str) -> str:
    """Numbers written as canonical digits: digit numbers first (one regex substitution, no
    mention objects: this runs over every claim when an index is built), then runs of number
    words in what is left."""
    if _HAS_DIGIT(text) is not None:
        text = _DIGITS_RE.sub(_digits_replacement, text)
    out, pos = [], 0
    for start, end, phrase in _number_word_runs(text):
        low = phrase.lower()
        if low in _SCALES or low == "hundred":
            continue  # a bare "million" is not a number
        value = _words_value(phrase)
        if value is None:  # pragma: no cover - runs hold number words only
            continue
        out.append(text[pos:start])
        out.append(f" {format_number(float(value))} ")
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _digit_number(m: re.Match) -> tuple[float, int, int, str]:
    """A _DIGITS_RE match read: value, start (a currency sign included), end (a scale letter that
    does not count left out) and the currency sign."""
    text, start = m.string, m.start()
    cur = ""
    if start and text[start - 1] in _CURRENCY:
        cur, start = text[start - 1], start - 1
    elif start > 1 and text[start - 1] == " " and text[start - 2] in _CURRENCY:
        cur, start = text[start - 2], start - 2
    value = float(m.group("num").replace(",", ""))
    attached, scale = m.group("attached"), m.group("scale")
    end = m.end()
    if scale:
        value *= _SCALES[scale.lower()]
    elif attached:
        # "$2.6M", "2.6bn", "5K": a scale letter counts with a currency or an upper-case letter;
        # otherwise ("5m": metres, minutes) the letter stays a word of its own
        if cur or attached.lower() in ("bn", "mn", "tn") or attached.isupper():
            value *= _SUFFIX[attached.lower()]
        else:
            end = m.end("num")
    return value, start, end, cur


def _digits_replacement(m: re.Match) -> str:
    num, attached, scale = m.group("num", "attached", "scale")
    if attached is None and scale is None and num.isdigit():
        return f" {int(num)} "     # most numbers: plain digits (a third of the time saved)
    value, _start, end, _cur = _digit_number(m)
    return f" {format_number(value)} {m.string[end:m.end()]}"


def normalise(text: str) -> str:
    """The matching form of a text: lower-case ASCII words and canonical numbers, one space apart."""
    if not text:
        return ""
    if _SEP in text:
        text = text.replace(_SEP, " ")     # as normalise_many sees it
    return " ".join(_fold(text).translate(_ASCII_KEEP).split())


def normalise_many(texts: list[str], *, chunk: int = 20_000, processes: int | None = None) -> list[str]:
    """normalise() of each text, done a chunk at a time over one joined string (the regex passes
    then run once per chunk, not once per text: about 4x faster when building a large index).

    Texts still holding other characters once their quotes and dashes are ASCII (a few in a
    hundred news claims) are joined apart, so that the steps for such characters read them only.
    `processes=2` hands chunks to a second process as well (see _normalise_in_two); by default
    that is done from PARALLEL_MIN texts on, on a machine with two cores or more."""
    if processes is None:
        processes = 2 if len(texts) >= PARALLEL_MIN and (os.cpu_count() or 1) > 1 else 1
    texts = [t.replace(_SEP, " ") if _SEP in t else t for t in map(str, texts)]   # as normalise()
    chunks = [texts[s:s + chunk] for s in range(0, len(texts), chunk)]
    if processes > 1 and len(chunks) > 1:
        return _normalise_in_two(chunks)
    return [norm for part in chunks for norm in _normalise_chunk(part)]


PARALLEL_MIN = 200_000


def _normalise_in_two(chunks: list[list[str]]) -> list[str]:
    """This process takes chunks from the front, a helper process (this file run as a script:
    Python and `re`, no package, under 0.1 s to start) from the back, until they meet.

    A subprocess rather than multiprocessing: that would import the caller's main module again,
    and fork is unsafe in a web worker, which rebuilds its index in a thread. A thread here
    hands the helper its chunks and waits for them (in pipe reads and writes, without the GIL).
    Should the helper fail to start or die, this process does its share."""
    done: list[list[str] | None] = [None] * len(chunks)
    ends = [0, len(chunks)]                # the next chunk from the front; the last not taken
    lock = threading.Lock()

    def take(from_back: bool) -> int | None:
        with lock:
            if ends[0] >= ends[1]:
                return None
            if from_back:
                ends[1] -= 1
                return ends[1]
            ends[0] += 1
            return ends[0] - 1

    def feed(helper) -> None:
        try:
            if helper.stdout.readline() != _READY:     # not started, or another version's file
                raise OSError("the helper did not start")
            while (i := take(from_back=True)) is not None:
                _write_chunk(helper.stdin, chunks[i])
                texts = _read_chunk(helper.stdout)
                if len(texts) != len(chunks[i]):
                    raise OSError("the helper lost texts")
                done[i] = texts
        except (OSError, ValueError) as exc:
            log.info("normalising in one process: %s", exc)

    helper = feeder = None
    try:
        helper = subprocess.Popen([sys.executable, "-c", _HELPER, __file__], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE)
        feeder = threading.Thread(target=feed, args=(helper,), name="normalise-helper", daemon=True)
        feeder.start()
    except OSError as exc:
        log.info("normalising in one process: %s", exc)
    try:
        while (i := take(from_back=False)) is not None:
            done[i] = _normalise_chunk(chunks[i])
    except BaseException:
        with lock:
            ends[0] = ends[1]                # the helper takes no more
        raise
    finally:
        if feeder is not None:
            feeder.join()
        if helper is not None:
            _stop(helper)
    return [norm for i, part in enumerate(chunks)
            for norm in (done[i] if done[i] is not None else _normalise_chunk(part))]


def _stop(helper: subprocess.Popen) -> None:
    for stream in (helper.stdin, helper.stdout):
        try:
            stream.close()
        except OSError:
            pass
    try:
        helper.wait(timeout=5)
    except subprocess.TimeoutExpired:
        helper.kill()
        helper.wait()


log = logging.getLogger(__name__)
# run by the helper process: this file as a module of its own, not as part of the package. It
# says it is ready with its version: a file replaced by an upgrade meanwhile is not used.
_HELPER = "import runpy, sys; runpy.run_path(sys.argv[1], run_name='__main__')"
_READY = f"+{VERSION}\n".encode()


def _write_chunk(stream, texts: list[str]) -> None:
    """Texts without _SEP (normalise_many replaced it), joined by it."""
    payload = _SEP.join(texts).encode("utf-8", "surrogatepass")
    stream.write(len(payload).to_bytes(8, "little") + payload)
    stream.flush()


def _read_chunk(stream) -> list[str]:
    head = stream.read(8)
    size = int.from_bytes(head, "little")
    payload = stream.read(size) if len(head) == 8 else b""
    if len(head) != 8 or len(payload) != size:
        raise OSError("the helper stopped")
    return payload.decode("utf-8", "surrogatepass").split(_SEP)


def _serve_chunks(stdin, stdout) -> None:
    """The helper's side of _normalise_in_two: _READY once started, then a result per chunk read."""
    stdout.write(_READY)
    stdout.flush()
    while True:
        try:
            texts = _read_chunk(stdin)
        except OSError:
            return
        _write_chunk(stdout, _normalise_chunk(texts))


def _normalise_chunk(texts: list[str]) -> list[str]:
    part = list(texts)
    other = [i for i, t in enumerate(part) if not t.isascii()]
    if other:
        joined = _ascii_punctuation(_JOIN.join([part[i] for i in other]))
        for i, t in zip(other, joined.split(_JOIN)):
            part[i] = t
        other = [i for i in other if not part[i].isascii()]
    if not other:
        return _fold_joined(part)
    done = [""] * len(part)
    odd = set(other)
    for group in ([i for i in range(len(part)) if i not in odd], other):
        for i, norm in zip(group, _fold_joined([part[i] for i in group])):
            done[i] = norm
    return done


def _fold_joined(texts: list[str]) -> list[str]:
    folded = _fold(_JOIN.join(texts)).translate(_ASCII_KEEP_SEP)
    return [" ".join(p.split()) for p in folded.split(_SEP)]


_SEP = "\x00"   # between texts in normalise_many: no regex here reads it as a word, digit or space
_JOIN = f" {_SEP} "
_ASCII_KEEP_SEP = {k: v for k, v in _ASCII_KEEP.items() if k != 0}


def _fold(text: str) -> str:
    """Every step of normalise but the final character filter (which must keep _SEP in bulk)."""
    if not text.isascii():
        text = _ascii_punctuation(text)
    if not text.isascii():
        if "\u00a0" in text or "\u202f" in text or "\u2009" in text:
            # "2 600 000" with no-break or thin spaces, as French, Russian or German copy writes it,
            # is one number (NFKC would turn those spaces into plain ones, which are ambiguous)
            text = _SPACED_THOUSANDS_RE.sub(lambda m: _THIN_SPACES_RE.sub("", m.group(0)), text)
        # NFKC and the rest below touch only the runs of other characters (with the character
        # before each, which a combining mark may compose with): a step per character of a bulk
        # chunk made building an index of news text, curly quotes in most claims, 4x slower
        text = _nfkc_runs(text)
    if "`" in text:
        text = text.replace("`", "'")   # in every text: it was kept as ' only beside other characters
    low = _lowered(text)
    if "/" in low or "www" in low:
        text = _replace_matches(_URL_RE, ("http", "www.", "pic.twitter.com/"), text, low, " ")
    if "@" in text:
        text = _HANDLE_RE.sub(" ", text)
    if "#" in text:
        text = _HASHTAG_RE.sub(lambda m: " " + _CAMEL_RE.sub(" ", m.group(1)) + " ", text)
    low = _lowered(text)
    if "%" in low or "cent" in low:
        text = _replace_matches(_PERCENT_RE, ("%", "per"), text, low, " percent ")
    if "'" in text:
        text = _drop_possessives(text, _lowered(text)).replace("'", "")
    if not text.isascii():
        text = _spell_in_ascii(_NON_ASCII_RUN_RE.sub(_to_ascii_letters, text))
    if "_" in text:
        text = text.replace("_", " ")  # a separator, as it ends up: "_00" must read as "0" at once, not on a second pass
    text = _numbers_to_digits(text).lower()
    if "." in text:
        text = _LOOSE_DOT_RE.sub(" ", text)
    return text


def _lowered(text: str) -> str:
    """`text` with its ASCII letters lower-cased and every offset kept."""
    return text.lower() if text.isascii() else _lower_same_length(text)


def _replace_matches(pattern: re.Pattern, starts: tuple[str, ...], text: str, low: str, repl: str) -> str:
    """pattern.sub(repl, text), matched against `low` (the text lower-cased, same offsets) where
    one of `starts`, the literal beginnings of its matches, is found: str.find skips to those
    several times faster than `re` scans a bulk chunk. Overlaps go to the leftmost, as in sub()."""
    found = []
    for literal in starts:
        i = low.find(literal)
        while i >= 0:
            m = pattern.match(low, i)
            if m is not None:
                found.append(m.span())
            i = low.find(literal, i + 1)
    if not found:
        return text
    found.sort()
    parts, last = [], 0
    for start, end in found:
        if start >= last:
            parts += [text[last:start], repl]
            last = end
    return "".join(parts) + text[last:]


def _drop_possessives(text: str, low: str) -> str:
    """Drops "'s" after a word character ("Trump's" -> "Trump") as a left-to-right regex
    substitution of a word character, "'s" and a word boundary would: two matches never share
    that word character, so "a's's" keeps its second "'s"."""
    parts, last, free = [], 0, 1          # free: the first "'" whose word character is not taken
    for m in _POSSESSIVE_RE.finditer(low):
        q = m.start()
        if q >= free and (text[q - 1].isalnum() or text[q - 1] == "_"):
            parts.append(text[last:q])
            last, free = q + 2, q + 3
    return "".join(parts) + text[last:] if parts else text


# Quotes and dashes that NFKC leaves as they are, made ASCII before anything else: most texts
# with other characters hold only these, and are then ASCII. (None of them composes with a
# neighbour under NFKC, so doing this first changes no output; checked over every code point.)
_ASCII_PUNCTUATION = [(k, v) for k, v in ((chr(k), v) for k, v in _QUOTES.items())
                      if unicodedata.normalize("NFKC", k) == k and not k.isascii()]


def _ascii_punctuation(text: str) -> str:
    for char, ascii_char in _ASCII_PUNCTUATION:
        if char in text:
            text = text.replace(char, ascii_char)
    return text


_NON_ASCII_RUN_RE = re.compile(r"[^\x00-\x7f]+")
_THIN_SPACES_RE = re.compile("[\u00a0\u202f\u2009]")
_SPACED_THOUSANDS_RE = re.compile("(?<![0-9])[0-9]{1,3}(?:[\u00a0\u202f\u2009][0-9]{3})+(?![0-9])")
# the rest of a word (run of letters) from its first letter outside ASCII
_FOREIGN_WORD_RE = re.compile(r"[^\W\d_\x00-\x7f][^\W\d_]*")
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_OTHER_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")


def _nfkc_runs(text: str) -> str:
    """NFKC of each run of other characters together with the character before it (an ASCII
    letter may compose with a combining mark after it; nothing composes with a following ASCII
    character), then curly quotes and dashes as ASCII ones."""
    parts, last = [], 0
    for m in _NON_ASCII_RUN_RE.finditer(text):
        start = max(m.start() - 1, last)
        parts += [text[last:start], unicodedata.normalize("NFKC", text[start:m.end()]).translate(_QUOTES)]
        last = m.end()
    return "".join(parts) + text[last:]


def _to_ascii_letters(m: re.Match) -> str:
    """Case-folded, decomposed, and without its accents (combining marks)."""
    run = unicodedata.normalize("NFKD", m.group(0).casefold())
    return "".join(c for c in run if not unicodedata.combining(c))


def _spell_in_ascii(text: str) -> str:
    """Words of other scripts as ASCII tokens (their Punycode, as in internationalised domain
    names: lower-case letters and digits), so that Cyrillic, Greek or Arabic claims can be found
    and compared by their words instead of being reduced to their numbers. Latin letters have lost
    their accents by now; other digits become ASCII digits, anything else a space."""
    if text.isascii():
        return text
    parts, last = [], 0
    # a word is found from its first letter outside ASCII (a regex search can skip to those; one
    # tried at every word start cost half a second per 20k claims), then widened back over the
    # ASCII letters before it
    for m in _FOREIGN_WORD_RE.finditer(text):
        start = m.start()
        while start > last and text[start - 1] in _ASCII_LETTERS:
            start -= 1
        code = text[start:m.end()].encode("punycode").decode("ascii").replace("-", "")
        # a leading digit would read as a number
        parts += [text[last:start], " ", code if code[0].isalpha() else "u" + code, " "]
        last = m.end()
    if parts:
        text = "".join(parts) + text[last:]

    def other(m: re.Match) -> str:
        d = unicodedata.digit(m.group(0), None)
        return str(d) if d is not None else " "

    return _OTHER_NON_ASCII_RE.sub(other, text)


def tokens(normalised: str) -> list[str]:
    """Unique tokens of a normalised text, in first-seen order."""
    return list(dict.fromkeys(normalised.split()))


if __name__ == "__main__":     # the helper process of _normalise_in_two
    _serve_chunks(sys.stdin.buffer, sys.stdout.buffer)
