"""Duplicate links between claims: suggestions from the index, reviewer decisions, clusters."""
from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass

from sqlmodel import Session, or_, select

from factcheck import audit
from factcheck.errors import InvalidInput, NotAllowed
from factcheck.matching import ClaimIndex, score_pair
from factcheck.models import Claim, ClaimLink, LinkState, Role, User, utcnow

LIVE_STATES = (LinkState.SUGGESTED, LinkState.AUTO_CONFIRMED, LinkState.CONFIRMED)
SAME_CLAIM_STATES = (LinkState.AUTO_CONFIRMED, LinkState.CONFIRMED)
MIN_AUTO_WORDS = 6


@dataclass(frozen=True)
class MatchSettings:
    suggest: float = 70.0
    auto: float = 92.0
    candidates: int = 10


def pair_key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def suggest_links(*, session: Session, actor: User | None, claims: list[Claim], index: ClaimIndex,
                  settings: MatchSettings = MatchSettings()) -> list[ClaimLink]:
    """Link each claim to similar claims of other articles; the caller commits."""
    made: list[ClaimLink] = []
    for claim in claims:
        hits = [m for m in index.search(claim.text, limit=settings.candidates) if m.claim_id != claim.id]
        if not hits:
            continue
        others = {c.id: c for c in session.exec(select(Claim).where(Claim.id.in_([m.claim_id for m in hits])))}
        for hit in hits:
            other = others.get(hit.claim_id)
            if other is None or other.article_id == claim.article_id or other.merged_into_id is not None:
                continue
            pair = score_pair(claim.text, other.text)
            score = max(hit.score, pair.score)
            if score < settings.suggest:
                continue
            link = _upsert_link(session, claim, other, score, list(pair.flags), settings)
            if link is not None:
                audit.record(session, actor, "link.suggest", link,
                             {"score": round(score, 1), "state": link.state, "flags": link.flags}, claim_id=claim.id)
                made.append(link)
    return made


def _upsert_link(session, claim, other, score, flags, settings) -> ClaimLink | None:
    a, b = pair_key(claim.id, other.id)
    link = session.exec(select(ClaimLink).where(ClaimLink.claim_a_id == a, ClaimLink.claim_b_id == b)).first()
    if link is not None and link.state in (LinkState.REJECTED, LinkState.CONFIRMED):
        return None  # a reviewer's decision stands
    auto = (score >= settings.auto and not flags
            and min(len(claim.text.split()), len(other.text.split())) >= MIN_AUTO_WORDS)
    link = link or ClaimLink(claim_a_id=a, claim_b_id=b)
    link.score = round(score, 2)
    link.flags_json = json.dumps(flags)
    link.state = LinkState.AUTO_CONFIRMED if auto else LinkState.SUGGESTED
    session.add(link)
    session.flush()
    return link


def decide_link(*, session: Session, actor: User, link: ClaimLink, state: LinkState | str) -> ClaimLink:
    state = LinkState(state)
    if state not in (LinkState.CONFIRMED, LinkState.REJECTED):
        raise InvalidInput("A link can be confirmed or rejected.")
    if actor.role not in (Role.REVIEWER, Role.EDITOR, Role.ADMIN):
        raise NotAllowed("Only desk members decide links.")
    changes = audit.diff(link, {"state": state.value})
    link.state, link.decided_by_id, link.decided_at = state, actor.id, utcnow()
    session.add(link)
    audit.record(session, actor, f"link.{state.value}", link, changes, claim_id=link.claim_a_id)
    audit.record(session, actor, f"link.{state.value}", link, changes, claim_id=link.claim_b_id)
    session.commit()
    return link


def link_manually(*, session: Session, actor: User, claim: Claim, other: Claim) -> ClaimLink:
    if claim.id == other.id:
        raise InvalidInput("A claim cannot be linked to itself.")
    a, b = pair_key(claim.id, other.id)
    link = session.exec(select(ClaimLink).where(ClaimLink.claim_a_id == a, ClaimLink.claim_b_id == b)).first()
    if link is None:
        pair = score_pair(claim.text, other.text)
        link = ClaimLink(claim_a_id=a, claim_b_id=b, score=round(pair.score, 2), flags_json=json.dumps(list(pair.flags)))
        session.add(link)
        session.flush()
    return decide_link(session=session, actor=actor, link=link, state=LinkState.CONFIRMED)


def links_of(session: Session, claim_id: int, states=LIVE_STATES) -> list[tuple[ClaimLink, Claim]]:
    stmt = select(ClaimLink).where(or_(ClaimLink.claim_a_id == claim_id, ClaimLink.claim_b_id == claim_id),
                                   ClaimLink.state.in_(states)).order_by(ClaimLink.score.desc())
    links = list(session.exec(stmt))
    others = {c.id: c for c in session.exec(select(Claim).where(Claim.id.in_([l.other(claim_id) for l in links])))}
    return [(l, others[l.other(claim_id)]) for l in links if l.other(claim_id) in others]


def cluster_of(session: Session, claim: Claim) -> list[Claim]:
    """Every claim joined to this one by confirmed links, this one included, oldest first."""
    seen, queue = {claim.id: claim}, deque([claim.id])
    while queue:
        cid = queue.popleft()
        for _link, other in links_of(session, cid, SAME_CLAIM_STATES):
            if other.id not in seen:
                seen[other.id] = other
                queue.append(other.id)
    return sorted(seen.values(), key=lambda c: (c.created_at, c.id))
