"""Reviewers' edits to claims: wording, speaker, worthiness, hand-added, split and merged claims."""
from __future__ import annotations

import unicodedata

from sqlmodel import Session

from factcheck import audit, claim_vectors, links, priors
from factcheck.claim_index import index_snapshot, note_change
from factcheck.concurrency import claim_version
from factcheck.errors import InvalidInput, NotAllowed
from factcheck.models import Article, Claim, ClaimStatus, User, utcnow
from factcheck.permissions import can_edit_claim
from factcheck.workflow import refuse_merged

MAX_CLAIM = 2000
MAX_SPLIT_PARTS = 20  # a claim holds a few propositions; thousands of parts is a pasted list, not a split


# Characters that show nothing on their own: controls, format characters (zero-width space, word
# joiner, BOM, soft hyphen, bidi marks), separators, unassigned code points and surrogates, non-spacing
# marks with no letter to sit on, and the letters and symbols drawn blank (Hangul fillers, blank Braille).
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})
_BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def has_visible(text: str | None) -> bool:
    """Whether a reader would see anything: text of zero-width characters looks empty, so it is."""
    return any(unicodedata.category(c) not in _INVISIBLE_CATEGORIES and c not in _BLANK_GLYPHS for c in text or "")


def clean_text(text: str) -> str:
    text = " ".join((text or "").split())
    if not has_visible(text):
        raise InvalidInput("A claim needs some text.")
    if len(text) > MAX_CLAIM:
        raise InvalidInput(f"A claim is at most {MAX_CLAIM} characters.")
    return text


def clean_speaker(speaker: str | None) -> str | None:
    speaker = " ".join((speaker or "").split())
    if len(speaker) > 300:
        raise InvalidInput("A speaker is at most 300 characters.")
    return speaker if has_visible(speaker) else None


def _check_editable(actor: User, claim: Claim) -> None:
    refuse_merged(claim)
    if not can_edit_claim(actor, claim):
        raise NotAllowed("You cannot edit this claim now: it is assigned to someone else or no longer open.")


def edit_claim(*, session: Session, actor: User, claim: Claim, text: str, speaker: str | None,
               expected_version: int | None = None) -> Claim:
    _check_editable(actor, claim)
    changes = audit.diff(claim, {"text": clean_text(text), "speaker": clean_speaker(speaker)})
    if not changes:
        return claim
    claim_version(session, claim, expected_version)
    for field, (_old, new) in changes.items():
        setattr(claim, field, new)
    claim.updated_at = utcnow()
    session.add(claim)
    if "text" in changes:
        note_change(session, claim.id)
    audit.record(session, actor, "claim.edit", claim, changes)
    session.commit()
    return claim


def set_worthiness(*, session: Session, actor: User, claim: Claim, worthy: bool | None) -> Claim:
    """A reviewer's override of the check-worthiness score (None returns to the score)."""
    changes = audit.diff(claim, {"worthiness_override": worthy})
    claim.worthiness_override = worthy
    session.add(claim)
    audit.record(session, actor, "claim.worthiness", claim, changes)
    session.commit()
    return claim


def add_claim(*, session: Session, actor: User, article: Article, text: str, speaker: str | None = None,
              start: int | None = None, end: int | None = None,
              settings: links.MatchSettings = links.MatchSettings()) -> Claim:
    """A claim the extractor missed; its span is found in the article when the text occurs there.
    It is matched against other articles' claims and other desks' fact-checks like any new claim."""
    text = clean_text(text)
    if start is None or end is None or not (0 <= start < end <= len(article.text)):
        found = article.text.find(text)
        start, end = (found, found + len(text)) if found >= 0 else (0, 0)
    snapshot = _before_new_claims(session, [text])
    claim = Claim(article_id=article.id, text=text, speaker=clean_speaker(speaker), start=start, end=end,
                  checkworthiness=1.0, origin="manual", status=ClaimStatus.TRIAGED)
    session.add(claim)
    session.flush()
    note_change(session, claim.id)
    audit.record(session, actor, "claim.add", claim, {"text": text, "speaker": claim.speaker})
    _match_new_claims(session, actor, [claim], snapshot, settings)
    session.commit()
    links.link_missed(session=session, actor=actor, claims=[claim], snapshot=snapshot, settings=settings)
    return claim


def _before_new_claims(session: Session, texts: list[str]):
    """A snapshot of the index of past claims (claim_index.IndexSnapshot), taken before new ones are
    written; their vectors computed now, as on import: the model never runs while the database is
    locked."""
    claim_vectors.embed_ahead(texts)
    return index_snapshot(session)


def _match_new_claims(session: Session, actor: User, new: list[Claim], snapshot, settings: links.MatchSettings) -> None:
    links.suggest_links(session=session, actor=actor, claims=new, index=snapshot.index, settings=settings)
    priors.match_claims(session=session, actor=actor, claims=new, threshold=settings.suggest)


def _split_part(text: str) -> str:
    """One line of a split: it must read as a claim of its own, not a stray letter or word."""
    text = clean_text(text)
    if len(text.split()) < 2 or sum(c.isalnum() for c in text) < 3:
        raise InvalidInput(f"Each part of a split needs at least two words and three letters; {text[:40]!r} "
                           "is too short to be a claim.")
    return text


def split_claim(*, session: Session, actor: User, claim: Claim, parts: list[str],
                settings: links.MatchSettings = links.MatchSettings()) -> list[Claim]:
    """Replace a claim that holds several propositions by one claim per part; the original is kept, merged into the first.

    The parts are matched against other articles' claims and other desks' fact-checks as an
    imported article's claims are: the original's links end with it."""
    _check_editable(actor, claim)
    parts = [p for p in parts if has_visible(p)]  # lines that look blank are skipped like blank ones
    if len(parts) > MAX_SPLIT_PARTS:
        raise InvalidInput(f"A claim can be split into at most {MAX_SPLIT_PARTS} parts; you gave {len(parts)}.")
    parts = [_split_part(p) for p in parts]
    if len(parts) < 2:
        raise InvalidInput("Give at least two parts to split a claim into.")
    snapshot = _before_new_claims(session, parts)  # past claims only: the parts are not in it yet
    new = []
    for part in parts:
        c = Claim(article_id=claim.article_id, text=part, speaker=claim.speaker, start=claim.start, end=claim.end,
                  checkworthiness=claim.checkworthiness, reasons_json=claim.reasons_json, origin="split",
                  status=claim.status if claim.status != ClaimStatus.IN_RESEARCH else ClaimStatus.TRIAGED)
        session.add(c)
        new.append(c)
    session.flush()
    claim_version(session, claim, None)
    claim.merged_into_id = new[0].id
    claim.status = ClaimStatus.DISMISSED
    claim.updated_at = utcnow()
    session.add(claim)
    note_change(session, claim.id)
    for c in new:
        note_change(session, c.id)
        audit.record(session, actor, "claim.split_from", c, {"from": claim.id, "text": c.text})
    audit.record(session, actor, "claim.split", claim, {"into": [c.id for c in new]})
    _match_new_claims(session, actor, new, snapshot, settings)
    session.commit()
    links.link_missed(session=session, actor=actor, claims=new, snapshot=snapshot, settings=settings)
    return new


def merge_claims(*, session: Session, actor: User, keep: Claim, others: list[Claim]) -> Claim:
    """Fold duplicates of one article into `keep`; the others stay readable but leave the queue."""
    others = [o for o in others if o.id != keep.id]
    if not others:
        raise InvalidInput("Choose at least one other claim to merge.")
    for claim in [keep, *others]:
        _check_editable(actor, claim)  # refuses merged claims, so a merge never closes a cycle
    for other in others:
        if other.article_id != keep.article_id:
            raise InvalidInput(f"Claim #{other.id} is in another article: merging joins duplicates within one "
                               "article; link claims of other articles as the same claim instead.")
    # every claim of the merge moves on, in id order: of two merges of the same claims at once (each
    # keeping the other's), the second is refused instead of closing a cycle
    for claim in sorted([keep, *others], key=lambda c: c.id):
        claim_version(session, claim, None)
    for other in others:
        other.merged_into_id, other.status, other.updated_at = keep.id, ClaimStatus.DISMISSED, utcnow()
        session.add(other)
        note_change(session, other.id)
        audit.record(session, actor, "claim.merged_into", other, {"into": keep.id})
    audit.record(session, actor, "claim.merge", keep, {"merged": [o.id for o in others]})
    links.carry_links(session=session, actor=actor, retired=others, keeper=keep)
    session.commit()
    return keep
