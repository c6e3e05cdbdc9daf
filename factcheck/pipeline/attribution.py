"""Stage 4a: who says it. Regex patterns for reported speech (used by both paths) and the
normalisation of a speaker to its fullest form in the article.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

SPEECH_LEMMAS = {
    "say": "said says say saying", "tell": "told tells tell telling",
    "announce": "announced announces announce announcing", "claim": "claimed claims claim claiming",
    "warn": "warned warns warn warning", "state": "stated states state stating",
    "report": "reported reports report reporting", "add": "added adds add adding",
    "insist": "insisted insists insist insisting", "argue": "argued argues argue arguing",
    "note": "noted notes note noting", "confirm": "confirmed confirms confirm confirming",
    "deny": "denied denies deny denying", "explain": "explained explains explain explaining",
    "write": "wrote writes write writing", "declare": "declared declares declare declaring",
    "acknowledge": "acknowledged acknowledges acknowledge", "admit": "admitted admits admit",
    "allege": "alleged alleges allege", "assert": "asserted asserts assert",
    "estimate": "estimated estimates estimate", "predict": "predicted predicts predict",
    "reveal": "revealed reveals reveal", "suggest": "suggested suggests suggest",
    "stress": "stressed stresses stress", "emphasise": "emphasised emphasized emphasises emphasizes",
    "tweet": "tweeted tweets tweet", "respond": "responded responds", "reply": "replied replies",
    "concede": "conceded concedes", "contend": "contended contends", "maintain": "maintained maintains",
    "indicate": "indicated indicates", "vow": "vowed vows", "pledge": "pledged pledges",
    "promise": "promised promises", "threaten": "threatened threatens", "caution": "cautioned cautions",
    "recall": "recalled recalls", "observe": "observed observes", "conclude": "concluded concludes",
    "counter": "countered counters", "testify": "testified testifies", "disclose": "disclosed discloses",
    "complain": "complained complains", "believe": "believes believed", "think": "thinks thought",
    "predicted": "forecast forecasts", "post": "posted posts", "show": "showed shows shown",
    "find": "found finds", "agree": "agreed agrees",
    "comment": "commented comments",
}
SPEECH_FORMS = {form: lemma for lemma, forms in SPEECH_LEMMAS.items() for form in forms.split()}
# Verbs that, coordinated with a speech verb, are the same speaker's act ("said ... and urged ...").
SPEECH_ACTS = {"urged", "urges", "called", "calls", "appealed", "demanded", "asked", "warned",
               "accused", "praised", "criticised", "criticized", "condemned", "welcomed", "vowed",
               "pledged", "promised", "dismissed", "rejected", "blamed", "denied", "added"}
CONTENT_LEMMAS = {"say", "tell", "announce", "claim", "warn", "state", "report", "add", "insist",
                  "argue", "note", "confirm", "explain", "write", "declare", "acknowledge", "admit",
                  "allege", "assert", "estimate", "predict", "reveal", "suggest", "stress",
                  "emphasise", "tweet", "concede", "contend", "maintain", "indicate", "vow", "pledge",
                  "promise", "threaten", "caution", "recall", "observe", "conclude", "counter",
                  "testify", "disclose", "complain", "deny", "respond", "reply", "believe", "think",
                  "comment"}

_VERB_ALT = "|".join(sorted((f for f, lemma in SPEECH_FORMS.items() if lemma in CONTENT_LEMMAS
                             and not f.endswith("ing")), key=len, reverse=True))
_NP = r"(?:[\w'’.\-]+(?:\s+|,\s+(?=(?:a|an|the|who|which)\b)|\s*-\s*)){0,9}?[\w'’.\-]+"
_DAY = (r"(?:\s+(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|today|"
        r"yesterday|earlier|later|last\s+\w+|this\s+\w+|in\s+a\s+statement|in\s+an\s+interview|"
        r"on\s+\w+\.?\s+\d{1,2}))*")
_NAME_RUN = r"(?:(?:[A-Z][\w'’.\-]*|[a-z]+)\s+){0,6}[A-Z][\w'’\-]*(?=[\s,.;]|$)"
_QUOTE_OPEN = "\"“‘'«„"
_QUOTE_CLOSE = "\"”’'»“"

_TAIL_ATTRIBUTION = re.compile(
    rf"^\s*,?\s*(?:(?P<spk1>{_NP})\s+(?:also\s+|later\s+|then\s+|had\s+|has\s+)?(?P<v1>{_VERB_ALT})\b"
    rf"|(?P<v2>{_VERB_ALT})\s+(?P<spk2>{_NAME_RUN}|{_NP}))(?P<rest>.*)$", re.S)
_LEAD_ATTRIBUTION = re.compile(
    rf"^\s*(?P<spk>{_NP})\s+(?:also\s+|has\s+|have\s+|had\s+|later\s+|previously\s+)?"
    rf"(?:(?P<v>{_VERB_ALT})|(?P<tv>told|tells)\s+(?P<obj>reporters|journalists|me|us|him|her|them|"
    rf"[Tt]he\s+[\w\s\-]{{1,40}}?|[A-Z][\w\-]*(?:\s+[A-Z][\w\-]*)*))"
    rf"{_DAY}\s*(?::|,?\s+that\b|(?=\s+[\"“])|(?=\s+(?:it|they|he|she|we|I|the|a|an|there)\s))"
    rf"\s*(?P<content>.+)$", re.S)
_ACCORDING_LEAD = re.compile(rf"^\s*According\s+to\s+(?P<spk>[^,]{{2,80}}),\s*(?P<content>.+)$", re.S)
_ACCORDING_TAIL = re.compile(rf"^(?P<content>.+?),\s*according\s+to\s+(?P<spk>[^,]{{2,80}}?)\s*[.!]?$", re.S)
_TRAIL_ATTRIBUTION = re.compile(
    rf"^(?P<content>.+?[^\s,]),\s+(?:(?P<spk1>{_NP})\s+(?:also\s+)?(?P<v1>{_VERB_ALT})|"
    rf"(?P<v2>said|says|added|wrote|reported)\s+(?P<spk2>{_NP})){_DAY}\s*"
    rf"(?:,\s*(?:and\s+)?(?:also\s+)?adding(?:\s+that)?\s+(?P<add>.+?))?\s*[.!]?$", re.S)
_ADDING = re.compile(r"^[^\"“”]*?,?\s*(?:and\s+)?(?:also\s+)?adding(?:\s+that)?\s+(?P<add>.+)$", re.S)

_CONTINUED_QUOTE = re.compile(rf"^{_DAY}\s*,\s*[{_QUOTE_OPEN}](?P<q>[^\"“”]+?)\s*[{_QUOTE_CLOSE}]\s*$", re.S)
_SPEAKER_RELATIVE = re.compile(r"^\s*,\s*(?P<wh>who|which)\s+(?P<rel>[^\"“”]+?)\s*[.!]?$", re.S)
PRONOUNS = {"he", "she", "they", "it", "we", "i", "you"}
_BAD_SPEAKER_START = re.compile(r"^(?:that|which|who|this|these|those|there|if|when|as|but|and|or|so|because)\b", re.I)


@dataclass(frozen=True)
class Attribution:
    """Reported speech found by pattern: speaker text and content spans relative to the sentence."""

    speaker: str
    contents: tuple[tuple[int, int, bool], ...]  # (start, end, direct quote?)
    about_speaker: tuple[int, int] | None = None  # ", who proposed the plan": a fact about the speaker


def _plausible_speaker(name: str) -> bool:
    words = name.split()
    if not words or len(words) > 10 or _BAD_SPEAKER_START.match(name):
        return False
    if any(ch in name for ch in _QUOTE_OPEN + _QUOTE_CLOSE + ";:()"):
        return False
    first = words[0]
    if first.islower() and words[-1][:1].isupper() and all(w.isalpha() for w in words[:-1]):
        return True  # "lead researcher Lucas Paganini", "chief operating officer Mark Osei"
    return first[:1].isupper() or first.lower() in {"the", "a", "an", "he", "she", "they", "it",
                                                    "we", "i", "one", "two", "three", "several",
                                                    "officials", "police", "analysts", "experts"}


# Nouns that can stand for almost any named organisation: "SkyBaltic …, the company said".
_GENERIC_BODIES = {"company", "firm", "group", "business", "carrier", "airline", "retailer", "operator",
                   "maker", "manufacturer", "brand", "chain", "startup", "lender", "insurer", "developer",
                   "organisation", "organization", "charity", "platform", "club", "team", "outlet"}


def may_be_named(general: str, name: str) -> bool:
    """Whether "the <noun>" speaking after a clause about a named subject can be that subject:
    "the company" may be SkyBaltic and "the airport" Heathrow Airport, but "the union" is not
    Heathrow Airport nor "the transport authority" the Kingsway Bridge."""
    words = general.lower().split()
    if not words:
        return False
    head = words[-1]
    return head in _GENERIC_BODIES or head in name.lower().split()


def leading_quote(sentence: str) -> Attribution | None:
    """A sentence opening with a direct quote closed by an attribution: '"…," X said (, adding that …)'."""
    stripped = sentence.lstrip()
    if not stripped or stripped[0] not in _QUOTE_OPEN:
        return None
    offset = len(sentence) - len(stripped)
    for pos in range(1, len(stripped)):
        if stripped[pos] not in _QUOTE_CLOSE:
            continue
        tail = stripped[pos + 1:]
        match = _TAIL_ATTRIBUTION.match(tail)
        if not match:
            continue
        speaker = (match.group("spk1") or match.group("spk2") or "").strip(" ,")
        if not _plausible_speaker(speaker):
            continue
        inner_start, inner_end = offset + 1, offset + pos
        contents = [(inner_start, inner_end, True)]
        rest = match.group("rest") or ""
        rest_start = len(sentence) - len(rest)
        added = _ADDING.match(rest)
        relative = _SPEAKER_RELATIVE.match(rest)
        continued = _CONTINUED_QUOTE.match(rest)
        if continued:  # '"…," X says, "as …"': the quote goes on after the attribution
            contents.append((rest_start + continued.start("q"), rest_start + continued.end("q"), True))
        elif added:
            contents.append((rest_start + added.start("add"), len(sentence), False))
        elif relative:
            return Attribution(speaker, tuple(contents), (rest_start + relative.start("wh"),
                                                          rest_start + relative.end("rel")))
        return Attribution(speaker, tuple(contents))
    return None


def find_attribution(sentence: str) -> Attribution | None:
    """Reported speech by pattern, for the rules path and for quotes the parser does not see whole."""
    if len(sentence) > 1500:
        return None
    found = leading_quote(sentence)
    if found:
        return found
    for pattern in (_ACCORDING_LEAD, _ACCORDING_TAIL):
        match = pattern.match(sentence)
        if match and _plausible_speaker(match.group("spk")):
            return Attribution(match.group("spk").strip(), ((match.start("content"), match.end("content"), False),))
    match = _LEAD_ATTRIBUTION.match(sentence)
    if match and _plausible_speaker(match.group("spk")):
        return Attribution(match.group("spk").strip(), ((match.start("content"), match.end("content"), False),))
    match = _TRAIL_ATTRIBUTION.match(sentence)
    if match:
        speaker = (match.group("spk1") or match.group("spk2") or "").strip()
        if _plausible_speaker(speaker) and len(speaker.split()) <= 8:
            contents = [(match.start("content"), match.end("content"), False)]
            if match.group("add"):
                contents.append((match.start("add"), match.end("add"), False))
            return Attribution(speaker, tuple(contents))
    return None


# ---------------------------------------------------------------------------------------------
# Speaker normalisation

_TITLE_WORDS = {
    "spokesman", "spokeswoman", "spokesperson", "minister", "secretary", "senator", "sen.", "rep.",
    "representative", "lawmaker", "chief", "director", "president", "governor", "gov.", "mayor",
    "ambassador", "deputy", "chairman", "chairwoman", "chair", "ceo", "commissioner", "general",
    "gen.", "prime", "foreign", "defence", "defense", "press", "prosecutor", "judge", "justice",
    "chancellor", "premier", "king", "queen", "prince", "officer", "head", "leader", "speaker",
    "dr.", "mr.", "mrs.", "ms.", "prof.", "professor", "analyst", "economist", "researcher",
    "executive", "founder", "manager", "coach", "captain", "colonel", "col.", "lt.", "sgt.",
    "superintendent", "inspector", "sheriff", "councillor", "councilor", "councilwoman",
    "councilman", "mp", "attorney", "adviser", "advisor", "envoy", "official", "vice",
}
_NOT_NAME = {"on", "in", "the", "a", "an", "but", "and", "or", "as", "at", "by", "for", "from",
             "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
             "january", "february", "march", "april", "may", "june", "july", "august", "september",
             "october", "november", "december", "jan.", "feb.", "mar.", "apr.", "jun.", "jul.",
             "aug.", "sep.", "sept.", "oct.", "nov.", "dec.", "when", "after", "before", "while",
             "if", "last", "this", "that", "meanwhile", "however", "also", "later", "earlier",
             "how", "what", "why", "where", "who", "it", "its", "his", "her", "their", "our", "we",
             "i", "you", "he", "she", "they", "said", "says", "told", "according", "to", "with",
             "about", "for", "contact", "media", "read", "more", "see"}
_ORG_HEADS = {"ministry", "embassy", "department", "office", "council", "agency", "committee",
              "bank", "court", "party", "university", "institute", "commission", "service", "union",
              "association", "board", "authority", "administration", "government", "police",
              "command", "forces", "army", "navy", "consulate", "mission", "parliament", "secretary",
              "minister", "director", "chief", "head", "spokesman", "spokeswoman", "spokesperson"}
_WORD = re.compile(r"[\w'’.\-]+")
# Words that make a name an organisation ("it") rather than a person ("he"/"she").
_ORG_WORDS = (_ORG_HEADS - _TITLE_WORDS - {"secretary", "minister", "director", "chief", "head", "spokesman",
                                           "spokeswoman", "spokesperson"}) | {
    "international", "airport", "airline", "airlines", "airways", "company", "corporation", "corp",
    "inc", "inc.", "ltd", "plc", "llc", "group", "foundation", "trust", "institute", "statistics",
    "network", "alliance", "coalition", "federation", "organisation", "organization", "fund",
    "hospital", "school", "college", "club", "news", "times", "post", "herald", "bureau", "centre",
    "center", "city", "county", "council", "senate", "congress", "cabinet", "kremlin", "watchdog",
    "regulator", "firm", "charity", "network", "railway", "railways", "utility", "library", "bridge",
    "street", "road", "avenue", "square", "park", "river", "lake", "island", "state", "states",
    "kingdom", "republic", "nations", "union", "party", "group", "radio", "broadcaster", "tv",
    "television", "channel", "magazine", "newspaper", "journal", "daily", "tribune", "gazette", "press"}
_PERSON_WORDS = {"mr", "mrs", "ms", "dr", "leader", "researcher", "resident", "scientist", "lawyer",
                 "doctor", "nurse", "teacher", "witness", "engineer", "author", "candidate", "activist",
                 "student", "farmer", "owner", "worker", "fan", "voter", "councilwoman", "councilman"}
# A capitalised run (initials and name particles allowed).
_NAME_MENTION = re.compile(
    r"\b((?:[A-Z][a-z][\w'’\-]*|[A-Z]\.)(?:\s+(?:(?:al-|bin|de|van|von|der|of|for|and|&)\s+)?"
    r"(?:[A-Z][\w'’\-]+|[A-Z]\.))*)")
_BODY_MENTION = re.compile(r"\b[Tt]he\s+((?:[a-z][\w\-]*\s+){0,3}(?:board|council|committee|ministry|"
                           r"department|agency|authority|commission|company|firm|union|government|"
                           r"administration|court|bank|trust|charity|university|hospital|regulator|"
                           r"police|party|group|airline|operator|watchdog|office|service|club|school))\b")
_WORD_BEFORE = re.compile(r"\b([A-Za-z]+)\s+$")
_QUOTED = re.compile(r"“[^”]{0,2000}”|\"[^\"\n]{0,2000}\"")
_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*\s+|\n")


def _strip_article(name: str) -> str:
    name = re.sub(r"^(?:the|also)\s+", "", name.strip(" ,.;:"), flags=re.I)
    name = re.sub(r"'s$|’s$", "", name)
    return name.strip()


class SpeakerBook:
    """Expands a speaker mention to its fullest form in the article ("Kosachev" -> "Senator Konstantin Kosachev")."""

    def __init__(self, text: str):
        self.text = text
        self.words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text[:200_000])]
        self.last_speaker: str | None = None
        self._cache: dict[str, str] = {}
        self._where: dict[str, list[int]] | None = None  # lower-cased word (or part after a hyphen) -> indexes
        self._spoken: list[tuple[int, str]] = []  # (claim start, speaker) of speakers already resolved
        self._mention_list: list[tuple[int, str]] | None = None
        self._surname_set: set[str] | None = None

    def _positions(self, head: str) -> list[int]:
        """Indexes of the words equal to head or ending in "-head", from an index built once."""
        if self._where is None:
            where: dict[str, list[int]] = {}
            for i, (_s, _e, word) in enumerate(self.words):
                lower = word.lower()
                where.setdefault(lower, []).append(i)
                if "-" in lower:
                    for key in {lower[k + 1:] for k, ch in enumerate(lower) if ch == "-"} - {lower}:
                        where.setdefault(key, []).append(i)
            self._where = where
        return self._where.get(head.lower(), [])

    def _expand_at(self, index: int, length: int) -> str:
        """Grow the name at word index over capitalised words and title words on both sides."""
        words, text = self.words, self.text
        lo, hi = index, index + length - 1
        while lo > 0:
            prev = words[lo - 1]
            gap = text[prev[1]:words[lo][0]]
            word = prev[2]
            lower = word.lower()
            if gap.strip() != "" or "\n" in gap or (word.endswith(".") and len(word) > 2
                                                    and lower not in _TITLE_WORDS):
                break
            if lower in _NOT_NAME or not (word[:1].isupper() or lower in _TITLE_WORDS):
                break
            lo -= 1
        after_title = False
        while hi + 1 < len(words):
            nxt = words[hi + 1]
            gap = text[words[hi][1]:nxt[0]]
            if gap.strip() != "":
                break
            word = nxt[2]
            if (after_title or words[hi][2].lower() in _TITLE_WORDS) and word[:1].isupper() \
                    and word.lower() not in _NOT_NAME:
                after_title = True
                hi += 1
                continue
            if word.lower() in ("in", "of", "for") and hi + 2 < len(words) \
                    and words[hi][2].lower() in _ORG_HEADS:
                after = words[hi + 2][2]
                if after[:1].isupper() and after.lower() not in _NOT_NAME \
                        and text[nxt[1]:words[hi + 2][0]].strip() == "":
                    hi += 2
                    continue
            break
        return _strip_article(text[words[lo][0]:words[hi][1]])

    def fullest(self, raw: str, before: int | None = None) -> str | None:
        """Fullest form of a raw speaker; pronouns resolve to the last speaker; None if nothing usable."""
        name = _strip_article(raw)
        if not name:
            return None
        lower = name.lower()
        if lower in ("he", "she", "it"):
            return self._antecedent("person" if lower != "it" else "org", before)
        if lower in PRONOUNS:
            return self.last_speaker
        if re.match(r"^(?:an?|one|some|several|two|three)\b", name, re.I):
            return name
        key = f"{name}|{before}"
        if key in self._cache:
            self._spoken.append((before if before is not None else len(self.text), self._cache[key]))
            return self._cache[key]
        tokens = name.split()
        head = tokens[-1]
        capitalised = raw.strip()[:1].isupper() and not raw.strip().lower().startswith("the ")
        limit = before if before is not None else len(self.text)
        best = name
        if capitalised or (len(tokens) <= 2 and raw.strip().lower().startswith("the ")):
            for i in self._positions(head):
                s = self.words[i][0]
                if s > limit + 2000:
                    break
                candidate = self._expand_at(i, 1)
                if not candidate or len(candidate) > 80:
                    continue
                cand_lower = candidate.lower()
                if not all(t.lower() in cand_lower for t in tokens):
                    continue
                if not any(w[:1].isupper() for w in candidate.split()):
                    continue
                if len(candidate) > len(best) or (best == name and not capitalised):
                    best = candidate
        if best == name and not capitalised:
            best = self._described(head, limit) or name
        self._cache[key] = best
        self._spoken.append((before if before is not None else len(self.text), best))
        return best

    # -- he/she/it as a speaker --------------------------------------------------------------
    def _antecedent(self, kind: str, before: int | None) -> str | None:
        """The latest person (he/she) or organisation (it) named before the pronoun's sentence, in
        the text or as an earlier speaker; None when there is none (a wrong guess is worse than none)."""
        limit = len(self.text) if before is None else min(before, len(self.text))
        ends = list(_SENTENCE_END.finditer(self.text, max(0, limit - 3000), limit))
        limit = ends[-1].end() if ends else limit
        best: tuple[int, str] | None = None
        for pos, name in self._mentions():
            if pos >= limit:
                break
            if self._kind(name) == kind:
                best = (pos, name)
        for pos, name in self._spoken:
            # an earlier speaker of unknown kind ("SkyBaltic") may be an "it", never a "he"
            fits = self._kind(name) == kind or (kind == "org" and self._kind(name) is None)
            if fits and pos < limit and (best is None or pos > best[0]):
                best = (pos, name)
        if best is None:
            return None
        return self.fullest(best[1], before=best[0]) if best[1][:1].isupper() else best[1]

    def _kind(self, name: str) -> str | None:
        """"person", "org" or None (unknown) for a name as written."""
        words = _strip_article(name).split()
        lowers = [w.lower().strip(".,") for w in words]
        if not words:
            return None
        if any(w in _ORG_WORDS for w in lowers) or re.fullmatch(r"[A-Z]{2,6}", words[-1]) \
                or any(w in ("of", "for", "and", "&") for w in lowers):
            return "org"
        if any(w in _TITLE_WORDS or w in _PERSON_WORDS for w in lowers):
            return "person"
        if len(words) >= 2 and all(w[:1].isupper() for w in words):
            return "person"
        if len(words) == 1 and words[0] in self._surnames():
            return "person"
        return None

    def _surnames(self) -> set[str]:
        """Last words of capitalised two-word-or-longer names: a bare "Ortiz" is then a person."""
        if self._surname_set is None:
            found = set()
            for m in _NAME_MENTION.finditer(self.text[:200_000]):
                words = m.group(1).split()
                if len(words) >= 2 and not any(w.lower() in _ORG_WORDS for w in words):
                    found.add(words[-1])
            self._surname_set = found
        return self._surname_set

    def _mentions(self) -> list[tuple[int, str]]:
        """Names and organisations the article mentions outside quotes, in order: capitalised runs
        ("Councillor James Ortiz", "Amnesty International") and "the … board"-like bodies."""
        if self._mention_list is not None:
            return self._mention_list
        text = self.text[:200_000]
        quoted = [(m.start(), m.end()) for m in _QUOTED.finditer(text)]
        found = []
        for m in _NAME_MENTION.finditer(text):
            before = _WORD_BEFORE.search(text, max(0, m.start() - 20), m.start())
            if before and before.group(1).lower() in ("the", "in", "at", "from", "to", "near", "across",
                                                      "into", "on", "of", "by", "told", "tells"):
                continue  # "the Kingsway Bridge", "in New York", "told Radio Nord": not the one speaking
            found.append((m.start(1), m.group(1)))
        for m in _BODY_MENTION.finditer(text):
            found.append((m.start(1), m.group(1)))
        found = [(pos, name) for pos, name in found
                 if not any(a < pos < b for a, b in quoted) and name.split()[0].lower() not in _NOT_NAME]
        self._mention_list = sorted(found)
        return self._mention_list

    def _described(self, head: str, limit: int) -> str | None:
        """A name the article describes with the head noun: "SkyBaltic, the Latvian budget airline"."""
        name = r"([A-Z][\w&'’.\-]*(?:\s+(?:of\s+)?[A-Z][\w&'’.\-]*)*)"
        pattern = re.compile(
            rf"{name}\s*(?:,\s*|\s+(?:is|was|has been)\s+)(?:the|a|an)\s+(?:[\w\-]+\s+){{0,4}}"
            rf"{re.escape(head)}s?\b", re.I if False else 0)
        found = None
        for match in pattern.finditer(self.text, 0, min(len(self.text), limit + 1)):
            candidate = _strip_article(match.group(1))
            if candidate and candidate.split()[0].lower() not in _NOT_NAME:
                found = candidate
        return found
