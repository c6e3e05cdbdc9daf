"""Stage 2b: page furniture. Pasted pages carry appeals, sign-ups, credits and link lists that are not claims.

Each block is labelled "body", "headline" or "furniture"; furniture spans go back to the UI to grey out.
"""
from __future__ import annotations

import re

from .text import Block, is_headline

_I = re.IGNORECASE

# A block matching one of these is furniture wherever it stands.
_FURNITURE = [re.compile(p, _I) for p in (
    r"^\s*(please\s+)?(support|donate( to)?|subscribe( to)?|sign up( for)?|join|follow)\s+"
    r"(us|our|today|now|here|the \w+( \w+){0,3}[!.]?\s*$)",
    r"\bprivacy (policy|notice|statement)\b",
    r"\bterms (of|and) (use|service|conditions)\b",
    r"\bcookies?\b.*\b(use|accept|consent|settings|policy|experience)\b",
    r"\ball rights reserved\b",
    r"©|\(c\)\s*\d{4}|^\s*copyright\b",
    r"^\s*(read|see|watch|listen) (more|also|next)\b",
    r"^\s*(related|recommended|more from|more on|most (read|popular|viewed)|trending|also read)\b"
    r"[^.!?]{0,80}$",
    r"^\s*(share|tweet|email|print|copy link|facebook|twitter|whatsapp|linkedin|reddit|telegram|x)"
    r"(\s+(this|on|article|story|page|link|via|by|facebook|twitter|x|whatsapp|linkedin|reddit|telegram|email"
    r"|bluesky|threads|mastodon|messenger))*\s*$",  # "Share this article on Facebook"
    r"^\W*$",
    r"^\s*(photo|image|picture|illustration|video|graphic|file photo)s?\s*(credit)?\s*[:/|]",
    r"^\s*(pictured|above|top|main image|caption|in the picture)\s*:",
    r"^[^\"“”]{0,200}[\w.)]\s*/\s*[A-Z][\w.'’\-]*(\s+[A-Z][\w.'’\-]*){0,3}\s*\)?\s*$",  # "Ledger / R. Ahmadi"
    r"\b(AP|AFP|Reuters|Getty Images|EPA|EPA-EFE|Shutterstock|TASS|Xinhua|Bloomberg|ANP|PA)"
    r"\s*(Photo|Images|/|via)",
    r"\bphoto(graph)?\s*(by|credit|:)|\bcourtesy of\b.{0,60}$",
    r"\bcontributed (reporting|to this (report|story|article))\b",
    r"^\s*(additional\s+)?(reporting|writing|editing|research|compiled) by\b",
    r"^\s*(published|updated|posted|last (updated|modified))\b.{0,60}\d",
    r"^\s*\(?(advertisement|sponsored( content)?|ad)\)?\s*$",
    r"\bclick here\b|\bdownload (our|the) app\b|\bin your inbox\b",
    r"^\s*listen to (this|the) (article|story)|^\s*\d+\s*min(ute)?s?\s+read\s*$",
    r"^\s*(dear readers?|a message from)\b",
    r"^\s*(remind me later|not ready to|continue reading|skip to|back to top|advertisement)\b",
    # newsletter pitches, comment prompts, tip lines, tip jars, syndication and editing notes
    r"^\s*(never|don'?t|do not) miss (a|an|another|the next|out on)\b",
    r"^\s*get (our|the) [\w\s\-]{0,30}(briefing|newsletter|digest|bulletin|updates?|alerts?)\b",
    r"\bdelivered (straight|directly|right) to (you|your)\b|\bdelivered to your (inbox|mailbox|phone)\b",
    r"^\s*join the (conversation|discussion|debate)\b|\bin (our|the) comments? section\b"
    r"|\bcomments? (section )?below\b|^\s*(leave|post|add) a comment\b",
    r"^\s*(this|the) (article|story|piece|post|report|interview|column) (was|is|has been) "
    r"(originally|first) (published|posted|appeared)\b|^\s*read the original( article| story| piece)?\b",
    r"^\s*(got|have) a (news |story )?(tip|story idea)\b|^\s*(send|email) us (a tip|at)\b",
    r"^\s*(enjoy(ed)?|like[d]?|love[d]?) (this|the|our) (story|article|piece|newsletter|read)\b"
    r"|^\s*(forward|share) (it|this|this (story|article|newsletter)) (to|with) (a friend|friends|others)\b",
    r"\bbuy(ing)? us a (coffee|beer)\b|\bko-fi\b|\bpatreon\b",
    r"^\s*(this|the) (interview|conversation|transcript|q&a|exchange|discussion) (has been|was|have been)"
    r" (lightly |slightly )?(edited|condensed)( and (lightly )?(edited|condensed))? for (length|clarity|brevity|style)\b",
)]
# A paywall notice; a whole block only when short, else its sentence alone (is_furniture_sentence).
_PAYWALL = re.compile(r"\b(this|the|our) (article|story|piece|report|content|newsletter) is (free|available"
                      r" free|unlocked)\b|^\s*free to read\b|\bfree for (all|every) (our )?readers\b", _I)

# A correction note restates what the outlet retracted ("An earlier version of this article said …"):
# that sentence is never a claim; the corrected fact after it may stand.
_CORRECTION = re.compile(
    r"^\W*(correction|clarification|editor'?s note)\s*[:—–\-]"
    r"|\b(an?|the) (earlier|previous|prior|original) version of this (article|story|report|piece|post)\b"
    r"|^\s*(this|the) (article|story|report|piece|post) (has been|was) (corrected|amended|updated) to\b", _I)


def is_furniture_sentence(text: str) -> bool:
    """An appeal, paywall notice or correction note inside a body paragraph ("This article is free to read.")."""
    if _CORRECTION.search(text):
        return True
    return is_appeal(text) or bool(_PAYWALL.search(text) and not re.search(r"[\"“”]", text))


# Lines from which the rest of the page is trailer (only once the story has begun).
_TRAILER = [re.compile(p, _I) for p in (
    r"\bcontributed (reporting|to this (report|story|article))\b",
    r"^\s*(additional\s+)?(reporting|writing|editing) by\b",
    r"^\s*(a message from|dear readers?)\b",
    r"^\s*(read more|related (articles|stories|coverage|content)|more from|you may also like"
    r"|recommended( for you)?|most (read|popular))\s*:?\s*$",
    r"^\s*(sign up for|subscribe to)\b",
)]
_LATE_ONLY = re.compile(r"^\s*(sign up|subscribe|read more|related|more from|recommended|most|you may)", _I)

_BYLINE = re.compile(r"^\s*(?:(?:words|story|text|interview)\s+)?[Bb][Yy]:?\s+[A-Z][\w.'’-]+(\s+[A-Z][\w.'’-]+){0,3}"
                     r"\s*(,|\band\b|\||·|•|—|–|-|\d|\(|$)", re.I)
_SECOND_PERSON = re.compile(r"\b(you|your|you're|yours|yourself)\b", _I)
_APPEAL_WORDS = re.compile(
    r"\b(support|donat\w*|subscri\w*|sign(ing)? up|newsletter|contribut\w*|member(ship)?|help us"
    r"|register|inbox|mailbox|click|follow us|download|journalism|reader-funded|paywall|account"
    r"|log in|premium|unlimited access|free trial)\b", _I)


# An imperative asking the reader for money or membership: "Support independent local news: …",
# "Please consider a donation …". The look-ahead keeps "Support for the plan fell …" as a statement.
_IMPERATIVE_APPEAL = re.compile(
    r"(?:^|[:;—–]\s*)\W*(?:"
    r"(?:please\s+)?(?:do\s+)?(?:support|donate|give|subscribe|become|join|help|chip in|make a|back|sign up)\b"
    r"(?!\s+(?:for|of|from|among|to|has|had|was|is|were|are|grew|fell|rose|came|remained)\b)"
    r"|please\s+(?:do\s+)?consider\s+\w+"
    r"|consider\s+(?:a\s+|making\s+a\s+)?(?:donation|donating|supporting|subscribing|becoming|joining"
    r"|contribution|contributing)\b)", _I)
_APPEAL_OBJECTS = re.compile(
    r"\b(independent|journalism|news(room)?|reporting|member(ship)?|donation|contribution|supporter"
    r"|subscri\w*|newsletter|patron)\b", _I)


def is_appeal(text: str) -> bool:
    """A fundraising or sign-up appeal: second person plus support vocabulary, or an imperative
    asking for money or membership (short and outside quotes either way)."""
    if re.search(r"[\"“”]", text):
        return False
    if _SECOND_PERSON.search(text) and _APPEAL_WORDS.search(text):
        return True
    return len(text) <= 300 and bool(_IMPERATIVE_APPEAL.search(text) and _APPEAL_OBJECTS.search(text))


def is_furniture(text: str) -> bool:
    """Page furniture recognisable from the block alone."""
    if _BYLINE.match(text) and len(text) < 120:
        return True
    if any(p.search(text) for p in _FURNITURE):
        return True
    notice = _PAYWALL.search(text)
    if notice and len(text) <= 250 and not text[:notice.start()].strip(" \t\"'“”‘’(") \
            and not re.search(r"[\"“”]", text):
        return True  # the block opens with the notice; elsewhere only its sentence goes
    return is_appeal(text)


def label_blocks(text: str, blocks: list[Block]) -> list[str]:
    """Label each block; after a trailer marker that follows the story, everything is furniture."""
    labels: list[str] = []
    body_seen = 0
    cut = False
    for block in blocks:
        chunk = text[block.start:block.end]
        if cut:
            labels.append("furniture")
            continue
        if body_seen >= 2 and any(p.search(chunk) for p in _TRAILER):
            late = block.start > 0.5 * len(text)
            if late or not _LATE_ONLY.match(chunk):
                cut = True
                labels.append("furniture")
                continue
        if is_furniture(chunk):
            labels.append("furniture")
        elif is_headline(chunk):
            labels.append("headline")
        else:
            labels.append("body")
            body_seen += 1
    return labels
