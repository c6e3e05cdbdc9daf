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
# Reporting verbs whose content is NOT asserted by the speaker: "denied that P" says not-P.
DENIALS = {"deny", "denies", "denied", "denying", "refute", "refutes", "refuted", "dispute", "disputes",
           "disputed", "reject", "rejects", "rejected", "dismiss", "dismisses", "dismissed"}
# Words that open an embedded question ("would not say how many doses remained"): no claim of its own.
QUESTION_WORDS = {"how", "what", "whether", "why", "who", "whom", "which", "when", "where", "if", "whose"}
# Participles that work as prepositions ("on sale starting Friday"): they stay in their clause.
PREPOSITIONAL_PARTICIPLES = {"starting", "beginning", "ending", "including", "excluding", "following",
                             "concerning", "regarding", "pending", "barring", "considering", "effective"}
CLITICS = {"'s": "is", "’s": "is", "'re": "are", "’re": "are", "'ve": "have", "’ve": "have",
           "'ll": "will", "’ll": "will"}
NOMINAL_ARGS = {"dobj", "dative", "attr", "nsubj", "nsubjpass", "oprd"}
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
    original = tokens[0].doc.user_data.get("original") if tokens else None
    for k, tok in enumerate(tokens):
        nxt = tokens[k + 1] if k + 1 < len(tokens) else None
        gap = bool(tok.whitespace_) or (nxt is not None and nxt.i != tok.i + 1
                                        and nxt.text not in CLOSING_PUNCT)
        text = original[tok.idx:tok.idx + len(tok)] if original else tok.text  # see nlp.parse_texts
        parts.append(replace.get(tok.i, text) + (" " if gap else ""))
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


def is_past(verb) -> bool:
    """A clause stated in the past ("closed", "had closed"), not a plan, a habit or a modal."""
    aux = [x for x in verb.children if x.dep_ in ("aux", "auxpass")]
    if any(a.tag_ == "MD" for a in aux):
        return False
    return verb.tag_ == "VBD" or any(a.lower_ in PAST_AUX for a in aux)


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


def shares_object(first, second) -> bool:
    """'eliminate and scale back certain functions': the object after the second verb is the first's
    too (nothing stands between the first verb and the conjunction), so they are not cut apart."""
    after = [t for t in first.doc[first.i + 1:second.i] if t.dep_ != "prt"]
    return bool(after) and after[0].dep_ == "cc" and all(t.is_punct or t.dep_ == "cc" for t in after) \
        and not any(x.dep_ in ("dobj", "attr", "dative") for x in first.children) \
        and any(x.dep_ in ("dobj", "attr", "dative") for x in second.children)


def is_skipped_participle(tok) -> bool:
    """"referring to …", "citing …": a pointer to a source or a referent, not a statement."""
    base = tok.lower_[:-3] if tok.lower_.endswith("ing") else tok.lower_
    return any(base.startswith(s[:4]) for s in SKIPPED_PARTICIPLES)


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
               extra_span: list | None = None, extra_tokens: list | None = None, lead: list | None = None):
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
            if c.dep_ == "conj" and is_verb(c) and self.adopter(c) is not None:
                excluded.update(t.i for t in subtree(c))  # stated of the relative's noun (relatives())
                self._drop_connector(verb, c, excluded)
                continue
            if c.dep_ == "conj" and is_verb(c):
                if self.unresolved_pronoun(c, resolve_to):
                    # "…, but that it remained safe": kept in the clause, whose words say what "it" is
                    excluded.update(x.i for x in c.children if x.dep_ == "mark" and x.lower_ == "that")
                    self.visited.add(c.i)
                    continue
                aux = self.shared_aux(verb, c)
                if aux is None or shares_object(verb, c):
                    # "eliminate and scale back certain functions", "did not cut jobs or close
                    # plants": the halves do not stand alone
                    self.visited.add(c.i)
                    continue
                excluded.update(t.i for t in subtree(c))
                self._drop_connector(verb, c, excluded)
                carried_subject = f"{subject_text} {aux}" if subject_text and aux else subject_text
                # "grew by 5.6% but, adjusted for inflation, fell by 0.4%": what stands between the
                # conjunction and the second verb modifies the second verb
                moved = self.conjunct_lead(verb, c)
                for t in moved:
                    excluded.add(t.i)
                ccs = [x for x in verb.children if x.dep_ == "cc" and x.i < c.i]
                if moved and ccs:
                    excluded.add(ccs[-1].i)
                self.clause(c, carried_subject, speaker, resolve_to,
                            lead=moved or None)
            elif c.dep_ == "advcl" and is_verb(c) and not any(
                    c in self.conjunct_lead(verb, x) for x in verb.children if x.dep_ == "conj" and is_verb(x)):
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
        toks = [t for t in subtree(verb) if t.i not in excluded] + list(extra_tokens or [])
        replace = {}
        if rel_subject:
            toks = [t for t in toks if t.i != subj[0].i]
            clitic = self.doc[subj[0].i + 1] if subj[0].i + 1 < len(self.doc) else None
            if clitic is not None and clitic.lower_ in CLITICS and clitic.i in {t.i for t in toks}:
                # "who's her best friend" -> "Terry McAuliffe is her best friend", not "… ’s …"
                nxt = self.doc[clitic.i + 1] if clitic.i + 1 < len(self.doc) else None
                full = CLITICS[clitic.lower_]
                if clitic.lower_ in ("'s", "’s") and nxt is not None and nxt.tag_ == "VBN":
                    full = "has"
                replace[clitic.i] = full
        for s in subj:
            if s.lower_ in RESOLVABLE:
                resolved = self.subject_string(s, resolve_to)
                if resolved != s.text:
                    replace[s.i] = resolved
        prefix = ""
        if (own_subject is None) and carried:
            prefix = carried
        if lead:
            toks = sorted(set(toks) | set(lead), key=lambda t: t.i)
            if prefix:  # "Adjusted for inflation, wages fell": the subject goes after the modifier
                first = min((t for t in toks if t.i > lead[-1].i and not t.is_punct), key=lambda t: t.i, default=None)
                if first is not None:
                    replace[first.i] = f"{self.lowered(prefix)} {replace.get(first.i, first.text)}"
                    prefix = ""
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
        # "The plant will close, the company announced, ending 60 years of production": the
        # participle tells the content's consequence, not a past act of the speaker; it goes with
        # the content when that is not itself past
        carried_over: set[int] = set()
        if len(contents) == 1 and not self.past_clause(contents[0]):
            for c in verb.children:
                if c.dep_ == "advcl" and c.tag_ == "VBG" and c.i > verb.i and not subjects(c) \
                        and c.lower_ != "adding" and not is_skipped_participle(c):
                    carried_over.update(t.i for t in subtree(c))
                    if c.left_edge.i > 0 and self.doc[c.left_edge.i - 1].text == ",":
                        carried_over.add(c.left_edge.i - 1)
        for c in contents:
            before = [t for t in frame_tokens]
            extra = [self.doc[i] for i in sorted(carried_over)] if carried_over else None
            self.clause(c, None, speaker, resolve_to=speaker if subj.lower_ not in RESOLVABLE else None,
                        extra_span=before, extra_tokens=extra)
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
            elif c.dep_ == "advcl" and c.tag_ == "VBG" and c.i not in carried_over:
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
            # "will study Europa, characterizing the moon" is no past fact of its own, and "starting
            # Friday" works as a preposition: such participles stay in their clause
            if subject_text and self.past_clause(verb) and c.lower_ not in PREPOSITIONAL_PARTICIPLES:
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
            tail = self.stranded_tail(verb, c)
            if tail is None:
                return  # the parse tore a list apart: the sentence stays whole
            excluded.update(t.i for t in subtree(c))
            excluded.update(t.i for t in tail)
            self._drop_connector(verb, c, excluded)
            self.clause(c, None, speaker, extra_span=[marks[0]], extra_tokens=tail)

    @staticmethod
    def stranded_tail(verb, c) -> list | None:
        """Arguments of verb that the parse puts after the clause c ("after investors grew wary of its
        losses, its business model, and its corporate governance": "model" as object of "shelved").
        They continue the list that ends c, so they go with c; None when they cannot be placed."""
        late = [x for x in verb.children if x.i > c.right_edge.i and not is_verb(x)
                and x.dep_ in ("dobj", "dative", "attr", "oprd", "conj")]
        if not late:
            return []
        doc = verb.doc
        last = doc[c.right_edge.i]
        while last.is_punct and last.i > c.i:
            last = doc[last.i - 1]
        nxt = doc[last.i + 1]
        if last.dep_ not in ("pobj", "dobj", "conj", "attr") or nxt is None or nxt.text != ",":
            return None
        end = max(x.right_edge.i for x in late)
        tail = [t for t in doc[c.right_edge.i + 1:end + 1]]
        if any(t.head.i == verb.i and t.dep_ not in NOMINAL_ARGS | {"conj", "punct", "cc"} for t in tail):
            return None
        return tail

    def lowered(self, subject: str) -> str:
        """A carried subject moved inside a sentence: "Wages" -> "wages", "Clipper" stays."""
        first = subject.split()[0]
        for t in self.doc:
            if t.text == first:
                return subject if t.tag_ in ("NNP", "NNPS") or first == "I" else first.lower() + subject[len(first):]
        return subject

    @staticmethod
    def conjunct_lead(verb, conj) -> list:
        """Tokens between the conjunction and a coordinated verb that hang on the first verb."""
        ccs = [x for x in verb.children if x.dep_ == "cc" and verb.i < x.i < conj.left_edge.i]
        if not ccs:
            return []
        start, end = ccs[-1].i + 1, conj.left_edge.i
        toks = [t for t in verb.doc[start:end]]
        # only a modifier set off by commas: "but, adjusted for inflation, fell"
        if len(toks) < 3 or toks[0].text != "," or toks[-1].text != ",":
            return []
        inside = {t.i for t in toks}
        # only whole modifiers of the first verb (and their commas) move
        for t in toks:
            if t.is_punct:
                continue
            top = t
            while top.head.i in inside and top.head.i != top.i:
                top = top.head
            if top.head.i != verb.i or top.dep_ not in ("advcl", "advmod", "prep", "npadvmod"):
                return []
        while toks and toks[0].is_punct:
            toks.pop(0)
        return toks

    @staticmethod
    def shared_aux(verb, conj) -> str | None:
        """Auxiliaries a coordinated verb shares with its head ("will orbit … but study" -> "will");
        None when the head is negated, since "not" may or may not reach the second verb."""
        if subjects(conj) or any(x.dep_ in ("aux", "auxpass") for x in conj.children) \
                or conj.tag_ in ("VBD", "VBZ", "VBP", "MD"):
            return ""
        if any(x.dep_ == "neg" for x in verb.children):
            ccs = [x for x in verb.children if x.dep_ == "cc" and verb.i < x.i < conj.i]
            return "" if ccs and ccs[-1].lower_ == "but" else None
        aux = [x for x in verb.children if x.dep_ in ("aux", "auxpass") and x.i < verb.i]
        return " ".join(x.text for x in aux)

    @staticmethod
    def past_clause(verb) -> bool:
        """is_past for a verb, or for the verb it is coordinated with when it has no auxiliary."""
        while verb.dep_ == "conj" and not any(x.dep_ in ("aux", "auxpass") for x in verb.children) \
                and verb.tag_ != "VBD" and verb.head.i != verb.i:
            verb = verb.head
        return is_past(verb)

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
            if not self.splits_relative(t):
                continue
            # "HTS, the group that headed the assault": the relative completes an apposition, whose
            # head is the antecedent; in brackets it is the relative's own noun ("a gym, a spa (which
            # opened in 2019)": the spa, not the gym, which a list misparsed as apposition would give)
            antecedent = t.head
            opener = t.doc[t.left_edge.i - 1] if t.left_edge.i > 0 else None
            if antecedent.dep_ == "appos" and not (opener is not None and opener.text == "("):
                antecedent = antecedent.head
            ante_text = np_text(antecedent)
            if not ante_text:
                continue
            excluded.update(x.i for x in subtree(t))
            doc = t.doc
            for k in (t.left_edge.i - 1, t.right_edge.i + 1):
                if 0 <= k < len(doc) and doc[k].text in (",", "—", "–") and k not in excluded:
                    excluded.add(k)
            left, right = t.left_edge.i - 1, t.right_edge.i + 1
            if left >= 0 and right < len(doc) and doc[left].text == "(" and doc[right].text == ")":
                excluded.update((left, right))  # no empty "()" left behind
            ante_span = [x for x in subtree(t.head) if x.i < t.i][:1]
            self.clause(t, ante_text, speaker, extra_span=ante_span)
            for verb in [x for x in t.doc if x.dep_ == "conj" and self.adopter(x) is t]:
                self.clause(verb, ante_text, speaker, extra_span=ante_span)

    @staticmethod
    def splits_relative(t) -> bool:
        """Whether a relative clause becomes a claim of its own: its pronoun is the subject, and its
        antecedent is plain. After a comma the parse's antecedent must be the noun right before it and
        not a noun inside a prepositional phrase of a larger noun phrase ("observations by the Keck
        Observatory in Hawaii, which uses a spectrograph": the observatory, not Hawaii)."""
        subj = subjects(t)
        if not subj or subj[0].tag_ not in ("WDT", "WP") or subj[0].lower_ not in ("who", "which", "that"):
            return False
        before = t.doc[t.left_edge.i - 1] if t.left_edge.i > 0 else None
        restrictive = not (before is not None and before.text in (",", "—", "–", "("))
        if restrictive:
            return subj[0].lower_ == "which" or t.head.tag_ in ("NNP", "NNPS") or t.head.dep_ == "appos"
        np = np_tokens(t.head)
        if not np or np[-1].i != before.i - 1:
            return False
        # "a PAC run by Terry McAuliffe, who is her best friend": "who" after a name is that person
        if t.head.dep_ == "pobj" and not (subj[0].lower_ == "who" and t.head.tag_ == "NNP"):
            holder = t.head.head.head  # the word the preposition hangs on
            if not is_verb(holder) or holder.dep_ in ("acl", "amod", "compound", "dobj", "pobj", "nsubj",
                                                       "nsubjpass", "attr", "appos"):
                return False
        return True

    def adopter(self, conj):
        """The relative clause that a coordinated verb belongs to although the parse hangs it on the main
        verb: "during the trek, which kicks off June 9th …, and concludes October 10th" ("concludes"
        agrees with "kicks", not with "will tour")."""
        verb = conj.head
        if conj.dep_ != "conj" or not is_verb(conj) or subjects(conj) or not is_verb(verb):
            return None
        doc = conj.doc
        for r in subtree(verb):
            if r.dep_ != "relcl" or r.i > conj.i or r.right_edge.i >= conj.left_edge.i:
                continue
            between = doc[r.right_edge.i + 1:conj.left_edge.i]
            if not all(t.is_punct or t.dep_ == "cc" for t in between):
                continue
            finite = "MD" if any(a.tag_ == "MD" for a in verb.children if a.dep_ == "aux") else verb.tag_
            if conj.tag_ == r.tag_ and conj.tag_ != finite and self.splits_relative(r):
                return r
        return None

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
                if any(shares_object(inner, cj) for cj in conjs):
                    continue
                for cj in conjs:
                    cut = {t.i for t in subtree(inner)} - {t.i for t in subtree(cj)}
                    # "to buy … and to fund": the second verb's own "to" is enough (no "to to")
                    own_aux = any(t.dep_ == "aux" for t in cj.children)
                    keep_aux = set() if own_aux else {t.i for t in inner.children if t.dep_ == "aux"}
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
