"""Stage 4b: one proposition per claim. Walks a spaCy dependency parse and cuts coordinated,
participle, relative and temporal clauses into standalone sentences, carrying subjects over.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .attribution import SPEECH_ACTS, SPEECH_FORMS, may_be_named

CONTENT_DEPS = {"ccomp", "parataxis"}
SUBJECT_DEPS = {"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"}
CLAUSE_MARKS = {"when", "after", "before", "since", "because", "while", "although", "though",
                "as", "once", "until", "whereas"}
# A clause of reason or concession is asserted whatever its tense; a clause of time only when it is
# past ("when Moscow intervened in 2015"): "until the work is finished" states nothing yet.
ASSERTED_MARKS = {"because", "although", "though", "whereas"}
PAST_AUX = {"was", "were", "had", "has", "have", "did"}
CLOSING_PUNCT = set(",.;:!?)%]”’'")
SKIPPED_PARTICIPLES = {"refer", "cite", "speak", "point", "note", "say", "quote", "add", "describe",
                       "accord", "follow", "include", "base", "compare"}
DISCOURSE = {"however", "but", "and", "also", "meanwhile", "moreover", "still", "yet", "so",
             "nevertheless", "furthermore", "indeed", "instead", "then", "thus", "or"}
RESOLVABLE = {"it", "they", "he", "she"}
ORG_WORDS = {"republic", "ministry", "union", "council", "embassy", "kingdom", "states", "office",
             "department", "party", "government", "court", "agency", "bank", "company", "group"}
# Head words of organisations: "it" may stand for such a speaker, never for a person.
ORG_HEADS = ORG_WORDS | {
    "trust", "authority", "board", "association", "institute", "university", "committee", "commission",
    "service", "foundation", "corporation", "corp", "inc", "ltd", "plc", "llc", "fund", "network",
    "airline", "airlines", "energy", "police", "army", "navy", "command", "forces", "parliament",
    "assembly", "senate", "congress", "cabinet", "administration", "kremlin", "ngo", "charity", "club",
    "federation", "organisation", "organization", "council", "hospital", "school", "college", "port",
    "utility", "regulator", "watchdog", "firm", "bureau", "centre", "center", "lab", "laboratory",
    "holdings", "partners", "media", "press", "news", "times", "post", "herald", "courier", "agency",
    "operator", "railways", "railway", "airport", "city", "state", "county", "province", "region"}
PERSON_TITLES = {
    "mayor", "minister", "president", "senator", "governor", "councillor", "councilor", "chairman",
    "chairwoman", "chair", "spokesman", "spokeswoman", "spokesperson", "director", "secretary",
    "judge", "prosecutor", "lawyer", "attorney", "dr", "dr.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.",
    "professor", "prof.", "chief", "ceo", "founder", "engineer", "economist", "analyst", "officer",
    "commissioner", "ambassador", "deputy", "leader", "head", "manager", "captain", "coach", "author",
    "hydrologist", "scientist", "researcher", "doctor", "nurse", "teacher", "resident", "witness",
    "mother", "father", "king", "queen", "prince", "general", "colonel", "sheriff", "inspector"}
PERSON_DEPS = {"nsubj", "nsubjpass", "pobj", "dobj", "appos", "conj", "ROOT", "attr"}
IRREGULAR_PAST = {
    "bring": "brought", "leave": "left", "make": "made", "take": "took", "give": "gave",
    "send": "sent", "put": "put", "set": "set", "hit": "hit", "cut": "cut", "spend": "spent",
    "build": "built", "hold": "held", "keep": "kept", "sell": "sold", "tell": "told", "say": "said",
    "see": "saw", "become": "became", "come": "came", "go": "went", "get": "got", "run": "ran",
    "win": "won", "lose": "lost", "pay": "paid", "lead": "led", "meet": "met", "feel": "felt",
    "fall": "fell", "rise": "rose", "drive": "drove", "write": "wrote", "break": "broke",
    "choose": "chose", "speak": "spoke", "stand": "stood", "understand": "understood",
    "find": "found", "think": "thought", "buy": "bought", "fight": "fought", "teach": "taught",
    "catch": "caught", "seek": "sought", "begin": "began", "draw": "drew", "grow": "grew",
    "know": "knew", "throw": "threw", "strike": "struck", "spread": "spread", "shut": "shut",
    "let": "let", "cost": "cost", "hurt": "hurt", "quit": "quit", "read": "read", "feed": "fed",
    "flee": "fled", "lend": "lent", "wear": "wore", "tear": "tore", "bear": "bore", "shoot": "shot",
    "sink": "sank", "swim": "swam", "forbid": "forbade", "freeze": "froze", "hide": "hid",
    "ride": "rode", "sing": "sang", "sit": "sat", "sleep": "slept", "steal": "stole", "stick": "stuck",
    "swing": "swung", "wake": "woke", "wind": "wound", "withdraw": "withdrew", "undergo": "underwent",
    "overtake": "overtook", "mislead": "misled", "forecast": "forecast", "bid": "bid", "deal": "dealt",
    "mean": "meant", "hear": "heard", "light": "lit", "slide": "slid", "shake": "shook",
    "have": "had", "do": "did", "be": "was", "lie": "lay", "upset": "upset", "split": "split",
}
_ING_BASE = {"bringing": "bring", "leaving": "leave", "making": "make", "taking": "take",
             "giving": "give", "coming": "come", "becoming": "become", "writing": "write",
             "driving": "drive", "rising": "rise", "choosing": "choose", "striking": "strike",
             "hiding": "hide", "riding": "ride", "shaking": "shake", "waking": "wake",
             "undergoing": "undergo", "overtaking": "overtake", "lying": "lie", "dying": "die",
             "having": "have", "being": "be", "seeing": "see", "fleeing": "flee", "freezing": "freeze",
             "sliding": "slide", "stealing": "steal"}


# Reporting verbs whose content is NOT asserted by the speaker: "denied that P" says not-P.
DENIALS = {"deny", "denies", "denied", "denying", "refute", "refutes", "refuted", "dispute", "disputes",
           "disputed", "reject", "rejects", "rejected", "dismiss", "dismisses", "dismissed"}
# Words that open an embedded question ("would not say how many doses remained"): no claim of its own.
QUESTION_WORDS = {"how", "what", "whether", "why", "who", "whom", "which", "when", "where", "if", "whose"}

def past_of_participle(word: str) -> str:
    """'forcing' -> 'forced', 'bringing' -> 'brought': the -ing stem already carries the -ed spelling."""
    lower = word.lower()
    if lower in _ING_BASE:
        base = _ING_BASE[lower]
        return IRREGULAR_PAST.get(base, base + "d")
    if not lower.endswith("ing") or len(lower) < 5:
        return word
    stem = lower[:-3]
    for base in (stem, stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else None):
        if base and base in IRREGULAR_PAST:
            return IRREGULAR_PAST[base]
    if stem.endswith("y") and len(stem) > 2 and stem[-2] not in "aeiou":
        return stem[:-1] + "ied"
    if stem.endswith("e"):
        return stem + "d"
    return stem + "ed"


def join_tokens(tokens, replace: dict | None = None) -> str:
    """Token texts with the original spacing, and a space wherever tokens were cut out between two
    words (so dropping "… , which opened in 1962," never glues "bridge" to "carries")."""
    replace = replace or {}
    parts = []
    for k, tok in enumerate(tokens):
        nxt = tokens[k + 1] if k + 1 < len(tokens) else None
        gap = bool(tok.whitespace_) or (nxt is not None and nxt.i != tok.i + 1
                                        and nxt.text not in CLOSING_PUNCT)
        parts.append(replace.get(tok.i, tok.text) + (" " if gap else ""))
    return "".join(parts).strip()


@dataclass
class Piece:
    """One proposition: the tokens it keeps, text put in front or in place, its speaker and span."""

    tokens: list
    prefix: str = ""
    replace: dict = field(default_factory=dict)
    speaker: str | None = None
    span_tokens: list = field(default_factory=list)
    direct: bool = False
    verbal: bool = False  # the verb sits in the prefix (participle claims)

    def text(self) -> str:
        body = join_tokens(self.tokens, self.replace)
        return f"{self.prefix} {body}".strip() if self.prefix else body

    def char_span(self) -> tuple[int, int]:
        toks = self.span_tokens or self.tokens
        return min(t.idx for t in toks), max(t.idx + len(t) for t in toks)


def is_asserted_clause(verb, mark) -> bool:
    """Whether a subordinate clause states something of its own: reasons and concessions do, and
    clauses of time only in the past; "until the work is finished" or "once it reopens" do not."""
    if mark.lower_ in ASSERTED_MARKS:
        return True
    aux = [x for x in verb.children if x.dep_ in ("aux", "auxpass")]
    if any(a.tag_ == "MD" for a in aux):
        return False
    return verb.tag_ == "VBD" or any(a.lower_ in PAST_AUX for a in aux)


def is_person_name(name: str, people: frozenset = frozenset()) -> bool:
    """A speaker that reads as a person ("Mayor Elena Ruiz", "Osei" when the article names a Mark Osei),
    for whom "it" never stands; organisations ("the ministry", "Harbour Trust") are not."""
    words = re.findall(r"[\w'’.\-]+", name)
    lowers = [w.lower() for w in words]
    if not words or lowers[0] == "the" or any(w.strip(".") in ORG_HEADS for w in lowers):
        return False
    if lowers[0] in ("he", "she") or any(w in PERSON_TITLES for w in lowers):
        return True
    if len(words) == 1:
        return words[0] in people
    return all(w[:1].isupper() for w in words)


def in_quotes(tok) -> bool:
    """Whether tok sits inside quotation marks of its doc (a title: "What a Fool Believes")."""
    text = tok.doc.text[:tok.idx]
    return (text.count('"') % 2 == 1) or text.count("“") > text.count("”")


def is_plural_name(name: str) -> bool:
    """"Organisers", "the unions": a plural speaker, for whom "it" never stands."""
    words = re.findall(r"[\w'’\-]+", name)
    if not words:
        return False
    last = words[-1].lower()
    return last.endswith("s") and not last.endswith(("ss", "us", "is", "'s", "’s")) and last not in ORG_HEADS


def is_verb(tok) -> bool:
    return tok.tag_.startswith("VB") or tok.tag_ == "MD"


def is_speech(tok) -> bool:
    return tok.lower_ in SPEECH_FORMS


def subtree(tok) -> tuple:
    """tok.subtree, computed once per token of a doc: the walker asks for the same subtrees again
    and again, and spaCy rebuilds each one through nested generators."""
    cache = tok.doc.user_data.get("subtrees")
    if cache is None:
        cache = tok.doc.user_data["subtrees"] = {}
    found = cache.get(tok.i)
    if found is None:
        found = cache[tok.i] = tuple(tok.subtree)
    return found


def subjects(tok) -> list:
    return [c for c in tok.children if c.dep_ in SUBJECT_DEPS]


def np_tokens(tok) -> list:
    """A noun phrase without its relative clauses, appositions and trailing punctuation."""
    drop = set()
    inside = {x.i for x in subtree(tok)}
    doc = tok.doc
    for t in subtree(tok):
        if t.dep_ in ("relcl", "appos", "acl") and t.head.i in inside:
            drop.update(x.i for x in subtree(t))
            for k in (t.left_edge.i - 1, t.right_edge.i + 1):  # the commas or dashes around it
                if k in inside and doc[k].is_punct and doc[k].text in ",—–-()":
                    drop.add(k)
    toks = [t for t in subtree(tok) if t.i not in drop]
    while toks and (toks[-1].is_punct or toks[-1].dep_ == "cc"):
        toks.pop()
    dropped: set[int] = set()
    while toks and toks[0].i != tok.i and (toks[0].is_punct or toks[0].dep_ in ("cc", "advmod", "prep", "preconj")
                                            or toks[0].head.i in dropped):
        dropped.add(toks[0].i)
        toks.pop(0)
    if len(toks) > 14:
        toks = [t for t in toks if t.i >= tok.left_edge.i and t.i <= tok.i][-6:]
    return toks


def speaker_text(tok) -> str:
    """The speaker's noun phrase, preferring an apposed name: "Ibarra's lawyer, Marta Soler" -> Marta Soler."""
    for child in tok.children:
        # a name after a title ("executive chair Marcelo Claure"), not a description after a name ("Holt, a Republican")
        if child.dep_ == "appos" and child.tag_ == "NNP" and child.left_edge.i > 0 and tok.tag_ not in ("NNP", "NNPS") \
                and (tok.doc[child.left_edge.i - 1].text == "," or child.left_edge.i == tok.i + 1):
            return np_text(child)
    return np_text(tok)


def np_text(tok) -> str:
    return join_tokens(np_tokens(tok))


class Walker:
    """Collects the pieces of one parsed sentence."""

    def __init__(self, doc, speaker: str | None = None, direct: bool = False, person: str | None = None,
                 people: frozenset = frozenset()):
        self.doc = doc
        self.people = people  # surnames the article gives in full elsewhere ("Osei" of "Mark Osei")
        self.speaker = speaker
        self.direct = direct
        self.pieces: list[Piece] = []
        self.person = person
        self.visited: set[int] = set()
        self.frame_tokens: set[int] = set()  # attribution words ("X said"), counted as covered

    def person_before(self, tok) -> str | None:
        """Nearest preceding name-like proper noun chain in the unit, else the hint from earlier text."""
        best = None
        i = 0
        doc = self.doc
        while i < tok.i:
            # a name in quotes is a title ("What a Fool Believes"), never the person "he" stands for
            if doc[i].tag_ == "NNP" and (i == 0 or doc[i - 1].lower_ != "the") and doc[i].dep_ != "poss" \
                    and doc[i].lower_ != "the" and not in_quotes(doc[i]):
                j = i
                while j + 1 < tok.i and doc[j + 1].tag_ in ("NNP", "HYPH") and doc[j].dep_ in ("compound", "punct"):
                    j += 1
                words = [doc[k] for k in range(i, j + 1)]
                if not any(w.lower_ in ORG_HEADS for w in words) and words[-1].dep_ in PERSON_DEPS:
                    best = "".join(w.text_with_ws for w in words).strip()
                i = j + 1
            else:
                i += 1
        return best or self.person

    def is_person(self, name: str) -> bool:
        return is_person_name(name, self.people)

    def may_be_person(self, name: str) -> bool:
        """he/she stand for a person: a name or "the singer", never an organisation or a plural."""
        if self.is_person(name):
            return True
        words = name.lower().split()
        return bool(words) and words[0] == "the" and not any(w in ORG_HEADS for w in words) \
            and not is_plural_name(name)

    def unresolved_pronoun(self, verb, resolve_to: str | None) -> bool:
        """The clause's subject is it/they and nothing in reach says what it stands for."""
        subj = subjects(verb)
        if not subj or subj[0].lower_ not in ("it", "they"):
            return False
        return self.subject_string(subj[0], resolve_to).lower() == subj[0].lower_

    def subject_string(self, tok, resolve_to: str | None) -> str:
        """Subject text with a cheap pronoun resolved: it/they to the frame's speaker unless that is a
        person, he/she to a name; otherwise the pronoun stays (a wrong guess is worse than none)."""
        low = tok.lower_
        if low in RESOLVABLE and resolve_to and resolve_to.lower() not in RESOLVABLE \
                and not (low in ("it", "they") and self.is_person(resolve_to)) \
                and not (low == "it" and is_plural_name(resolve_to)) \
                and not (low in ("he", "she") and not self.may_be_person(resolve_to)):
            # "Organisers said it would not be rescheduled": "it" is not the organisers
            return resolve_to
        if low in ("he", "she"):
            return self.person_before(tok) or tok.text
        return np_text(tok)

    def run(self) -> list[Piece]:
        roots = [t for t in self.doc if t.dep_ == "ROOT"]
        for root in roots:
            self.clause(root, carried=None, speaker=self.speaker)
        return self.pieces

    # -- clause handling -------------------------------------------------------------------
    def clause(self, verb, carried: str | None, speaker: str | None, resolve_to: str | None = None,
               extra_span: list | None = None):
        if verb.i in self.visited:
            return
        self.visited.add(verb.i)
        subj = subjects(verb)
        rel_subject = bool(subj) and subj[0].tag_ in ("WDT", "WP")
        contents = [c for c in verb.children if c.dep_ in CONTENT_DEPS and is_verb(c)]
        if contents and not rel_subject and self.content_not_asserted(verb, contents):
            # "denied that P", "would not say how many…": P is not the speaker's claim; kept whole
            speaker_of = speaker_text(subj[0]) if subj and verb.lower_ in DENIALS else speaker
            toks = [t for t in subtree(verb)]
            self.visited.update(t.i for t in toks if is_verb(t))
            self.emit(toks, carried if not subj and carried else "", {}, speaker_of, extra_span)
            return
        if is_speech(verb) and contents and subj and not rel_subject:
            self.speech_frame(verb, subj[0], contents, speaker)
            return
        if is_speech(verb) and contents and not subj and carried:
            for c in contents:
                self.clause(c, None, carried, resolve_to=carried)
            return
        excluded: set[int] = set()
        for c in verb.children:
            if c.dep_ in CONTENT_DEPS and c.i > verb.i and is_verb(c) and c.dep_ == "parataxis":
                spk = subjects(c)
                if is_speech(c) and spk:
                    excluded.update(t.i for t in subtree(c))
                    speaker = speaker_text(spk[0])
                    if spk[0].lower_ == "the" or speaker.lower().startswith("the "):
                        if subj and subj[0].tag_ == "NNP" and may_be_named(speaker, np_text(subj[0])):
                            speaker = np_text(subj[0])
        own_subject = subj[0] if subj and not rel_subject else None
        subject_text = self.subject_string(own_subject, resolve_to) if own_subject is not None else carried
        for c in verb.children:
            if c.i in excluded:
                continue
            if c.dep_ == "conj" and is_verb(c):
                if self.unresolved_pronoun(c, resolve_to):
                    # "…, but that it remained safe": kept in the clause, whose words say what "it" is
                    excluded.update(x.i for x in c.children if x.dep_ == "mark" and x.lower_ == "that")
                    self.visited.add(c.i)
                    continue
                excluded.update(t.i for t in subtree(c))
                self._drop_connector(verb, c, excluded)
                self.clause(c, subject_text, speaker, resolve_to)
            elif c.dep_ == "advcl" and is_verb(c):
                self.adverbial(verb, c, subject_text, speaker, excluded)
            elif c.dep_ == "prep" and c.lower_ == "according":
                obj = [t for t in subtree(c) if t.dep_ == "pobj"]
                if obj:
                    speaker = np_text(obj[0])
                excluded.update(t.i for t in subtree(c))
        for t in list(subtree(verb)):
            if t.dep_ == "advcl" and t.i != verb.i and t.head.i != verb.i and t.i not in excluded and t.head.dep_ in ("xcomp", "acl", "dobj") \
                    and subjects(t):
                self.adverbial(t.head, t, subject_text, speaker, excluded)
        self.relatives(verb, excluded, speaker)
        self.coordinated_infinitives(verb, excluded, subject_text, speaker, resolve_to)
        toks = [t for t in subtree(verb) if t.i not in excluded]
        if rel_subject:
            toks = [t for t in toks if t.i != subj[0].i]
        replace = {}
        for s in subj:
            if s.lower_ in RESOLVABLE:
                resolved = self.subject_string(s, resolve_to)
                if resolved != s.text:
                    replace[s.i] = resolved
        prefix = ""
        if (own_subject is None) and carried:
            prefix = carried
        self.emit(toks, prefix, replace, speaker, extra_span)

    @staticmethod
    def content_not_asserted(verb, contents) -> bool:
        """A denial, a negated or refused report ("did not say that"), or an embedded question."""
        if verb.lower_ in DENIALS:
            return True
        if not (is_speech(verb) or verb.lower_ in ("know", "knew", "known", "disclose", "disclosed")):
            return False
        if any(x.dep_ == "neg" for x in verb.children) or any(
                x.dep_ == "neg" for x in verb.head.children if verb.dep_ == "xcomp"):
            return True
        for c in contents:
            first = [t for t in subtree(c) if not t.is_punct][:1]
            if c.i > verb.i and first and first[0].lower_ in QUESTION_WORDS:
                return True
        return False

    def speech_frame(self, verb, subj, contents, outer_speaker):
        speaker = speaker_text(subj)
        if subj.lower_ in ("he", "she", "they", "it", "we", "i"):
            speaker = subj.text
        if speaker.lower().startswith("the ") and subj.tag_ in ("NN", "NNS"):
            for c in contents:  # "SkyBaltic will cut routes, the company said": the company is SkyBaltic
                inner = subjects(c)
                if c.i < verb.i and inner and inner[0].tag_ == "NNP" and may_be_named(speaker, np_text(inner[0])):
                    speaker = np_text(inner[0])
        frame_tokens = [t for t in subtree(subj)] + [verb]
        self.frame_tokens.update(t.i for t in frame_tokens)
        for c in contents:
            before = [t for t in frame_tokens]
            self.clause(c, None, speaker, resolve_to=speaker if subj.lower_ not in RESOLVABLE else None,
                        extra_span=before)
        self.relatives(subj, set(), outer_speaker)
        for c in verb.children:
            if c.dep_ == "conj" and is_verb(c):
                if is_speech(c) and any(x.dep_ in CONTENT_DEPS for x in c.children):
                    self.clause(c, speaker, speaker)
                elif c.lower_ in SPEECH_ACTS:
                    self.clause(c, speaker, speaker)
                else:
                    self.clause(c, speaker, outer_speaker)
            elif c.dep_ == "advcl" and c.i > verb.i and subjects(c) and subjects(c)[0].tag_ != "PRP":
                # "…, the council said, after engineers found corrosion": the outlet's own statement
                marks = [x for x in c.children if x.dep_ == "mark"]
                if marks and marks[0].lower_ in CLAUSE_MARKS and is_asserted_clause(c, marks[0]):
                    self.clause(c, None, outer_speaker, extra_span=[marks[0]])
            elif c.dep_ == "advcl" and c.tag_ == "VBG":
                base = c.lower_[:-3] if c.lower_.endswith("ing") else c.lower_
                if c.lower_ == "adding":
                    for x in c.children:
                        if x.dep_ in CONTENT_DEPS and is_verb(x):
                            self.clause(x, None, speaker, resolve_to=speaker)
                elif any(base.startswith(s[:4]) for s in SKIPPED_PARTICIPLES):
                    self.relatives(c, set(), outer_speaker)
                else:
                    self.participle(c, speaker, outer_speaker)

    def adverbial(self, verb, c, subject_text, speaker, excluded):
        marks = [x for x in c.children if x.dep_ == "mark"
                 or (x.dep_ == "advmod" and x.lower_ in ("when", "where") and x.i < c.i)]
        has_subj = bool(subjects(c))
        base = c.lower_[:-3] if c.lower_.endswith("ing") else c.lower_
        if c.tag_ == "VBG" and not has_subj and not marks and c.i > verb.i:
            if any(base.startswith(s[:4]) for s in SKIPPED_PARTICIPLES):
                excluded.update(t.i for t in subtree(c))
                self._drop_connector(verb, c, excluded)
                self.relatives(c, set(), None)
                return
            if subject_text:
                excluded.update(t.i for t in subtree(c))
                self._drop_connector(verb, c, excluded)
                self.participle(c, subject_text, self.speaker)
        elif c.tag_ == "VBN" and not has_subj and not marks and c.i > verb.i:
            obj = [x for x in verb.children if x.dep_ == "dobj"]
            if obj:
                excluded.update(t.i for t in subtree(c))
                self._drop_connector(verb, c, excluded)
                head = obj[0]
                be = "were" if head.tag_ in ("NNS", "NNPS") else "was"
                toks = list(subtree(c))
                self.emit(toks, f"{np_text(head)} {be}", {}, speaker)
        elif has_subj and marks and marks[0].lower_ in CLAUSE_MARKS | {"when", "where"} \
                and subjects(c)[0].tag_ not in ("PRP",) and is_asserted_clause(c, marks[0]):
            excluded.update(t.i for t in subtree(c))
            self._drop_connector(verb, c, excluded)
            self.clause(c, None, speaker, extra_span=[marks[0]])

    def participle(self, c, subject_text, speaker):
        excluded: set[int] = set()
        for t in list(subtree(c)):
            if t.dep_ == "conj" and t.tag_ == "VBG" and t.i != c.i and not subjects(t) and t.i not in excluded:
                excluded.update(x.i for x in subtree(t))
                self._drop_connector(t.head, t, excluded)
                self.participle(t, subject_text, speaker)
        self.relatives(c, excluded, speaker)
        toks = [t for t in subtree(c) if t.i != c.i and t.i > c.i and t.i not in excluded]
        self.emit(toks, f"{subject_text} {past_of_participle(c.text)}", {}, speaker,
                  extra_span=[c], verbal=True)

    def relatives(self, head, excluded: set, speaker):
        """Relative clauses with a relative-pronoun subject become claims about their antecedent."""
        for t in list(subtree(head)):
            if t.dep_ != "relcl" or t.i in excluded or t.i == head.i:
                continue
            subj = subjects(t)
            if not subj or subj[0].tag_ not in ("WDT", "WP") or subj[0].lower_ not in ("who", "which", "that"):
                continue
            before = t.doc[t.left_edge.i - 1] if t.left_edge.i > 0 else None
            restrictive = not (before is not None and before.text in (",", "—", "–", "("))
            if restrictive and subj[0].lower_ != "which" and t.head.tag_ not in ("NNP", "NNPS") \
                    and t.head.dep_ != "appos":
                continue
            antecedent = t.head
            if antecedent.dep_ == "appos":
                antecedent = antecedent.head
            ante_text = np_text(antecedent)
            if not ante_text:
                continue
            excluded.update(x.i for x in subtree(t))
            doc = t.doc
            for k in (t.left_edge.i - 1, t.right_edge.i + 1):
                if 0 <= k < len(doc) and doc[k].text in (",", "—", "–") and k not in excluded:
                    excluded.add(k)
            ante_span = [x for x in subtree(t.head) if x.i < t.i][:1]
            self.clause(t, ante_text, speaker, extra_span=ante_span)

    def coordinated_infinitives(self, verb, excluded, subject_text, speaker, resolve_to):
        """'decided to resign and leave' -> two claims, one per coordinated infinitive."""
        for x in list(verb.children):
            if x.dep_ not in ("xcomp", "dobj", "attr") or x.i in excluded:
                continue
            for inner in [x] + [y for y in subtree(x) if y.dep_ in ("acl", "xcomp")]:
                conjs = [y for y in inner.children if y.dep_ == "conj" and y.tag_ == "VB"
                         and y.i not in excluded and not subjects(y)]
                if not conjs or inner.tag_ != "VB":
                    continue
                for cj in conjs:
                    cut = {t.i for t in subtree(inner)} - {t.i for t in subtree(cj)}
                    keep_aux = {t.i for t in inner.children if t.dep_ == "aux"}
                    toks = [t for t in subtree(verb) if t.i not in excluded and
                            (t.i not in cut or t.i in keep_aux)]
                    if subjects(verb) and subjects(verb)[0].tag_ in ("WDT", "WP"):
                        toks = [t for t in toks if t.i != subjects(verb)[0].i]
                    replace = {}
                    for s in subjects(verb):
                        if s.lower_ in RESOLVABLE:
                            resolved = self.subject_string(s, resolve_to)
                            if resolved != s.text:
                                replace[s.i] = resolved
                    prefix = subject_text if not subjects(verb) or subjects(verb)[0].tag_ in ("WDT", "WP") else ""
                    self.emit(toks, prefix or "", replace, speaker, extra_span=[t for t in subtree(cj)][:1])
                    excluded.update(t.i for t in subtree(cj))
                    self._drop_connector(inner, cj, excluded)

    @staticmethod
    def _drop_connector(head, child, excluded: set):
        """Remove the comma and conjunction that joined a detached clause to its head."""
        doc = head.doc
        i = child.left_edge.i - 1
        while i > head.i and (doc[i].is_punct or doc[i].dep_ in ("cc", "preconj") or doc[i].lower_ in ("and", "but")):
            excluded.add(i)
            i -= 1

    def emit(self, toks, prefix, replace, speaker, extra_span=None, verbal=False):
        toks = sorted(toks, key=lambda t: t.i)
        while toks and (toks[0].is_punct or toks[0].dep_ == "cc" or toks[0].lower_ in DISCOURSE
                        or (toks[0].dep_ == "mark" and toks[0].lower_ in {"that", "whether"} | CLAUSE_MARKS)
                        or (toks[0].lower_ in ("when", "where") and toks[0].dep_ == "advmod")
                        or (toks[0].dep_ == "advmod" and toks[0].lower_ in DISCOURSE)):
            toks.pop(0)
        while toks and (toks[-1].is_punct and toks[-1].text not in ("?", "!", ")", "%")
                        or toks[-1].dep_ in ("cc",)):
            toks.pop()
        if not toks:
            return
        span = list(toks) + list(extra_span or [])
        self.pieces.append(Piece(tokens=toks, prefix=prefix, replace=replace, speaker=speaker,
                                 span_tokens=span, direct=self.direct, verbal=verbal))
