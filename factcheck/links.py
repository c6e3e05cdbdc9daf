"""Duplicate links between claims: suggestions from the index, reviewer decisions, clusters."""
from __future__ import annotations

import json
import logging
from collections import deque
from dataclasses import dataclass, replace

from sqlalchemy import func, update as sa_update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session, and_, or_, select

from factcheck import audit, claim_index, claim_vectors
from factcheck.errors import Conflict, InvalidInput, NotAllowed
from factcheck.matching import ClaimIndex, score_pair, score_pairs
from factcheck.models import Article, Claim, ClaimLink, LinkState, Role, User, as_utc, utcnow
from factcheck.workflow import refuse_merged

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
                  settings: MatchSettings = MatchSettings(), among: set[int] | None = None) -> list[ClaimLink]:
    """Link each claim to similar claims of other articles; the caller commits.

    Reads candidates, existing links and partner rows in one query each, so linking an article
    costs a few round trips however many claims it has. With embeddings on, past claims' vectors
    are read (index base files, then the database) and only claims without one, usually just the
    new article's, are embedded: in one batch that runs while the candidates are searched, and
    stored for every later reader. `among`: link only to these claims and leave a pair already
    linked as it is (the re-link after commit, see link_missed)."""
    early = claim_vectors.embed_early(session, claims)  # the model runs while candidates are searched
    found = {c.id: [m for m in index.search(c.text, limit=settings.candidates) if m.claim_id != c.id] for c in claims}
    hits = found if among is None else {cid: [m for m in f if m.claim_id in among] for cid, f in found.items()}
    wanted = {m.claim_id for f in hits.values() for m in f}
    if not wanted:
        claim_vectors.vectors_for(session, [], early=early)  # stored all the same, for later readers
        return []
    others = {c.id: c for c in session.exec(select(Claim).where(Claim.id.in_(wanted)))}
    ids = wanted | {c.id for c in claims}
    existing = {(l.claim_a_id, l.claim_b_id): l for l in session.exec(
        select(ClaimLink).where(ClaimLink.claim_a_id.in_(ids), ClaimLink.claim_b_id.in_(ids)))}
    # rejections are looked up among every claim found, as without `among`: a pair of two new claims
    # can only be refused by the same wording's rejection between older ones
    refused = _rejected_texts(session, {m.claim_id for f in found.values() for m in f})
    candidates = [(claim, hit, others[hit.claim_id]) for claim in claims for hit in hits[claim.id]
                  if hit.claim_id in others and others[hit.claim_id].article_id != claim.article_id
                  and others[hit.claim_id].merged_into_id is None
                  and _same_text_pair(claim.text, others[hit.claim_id].text) not in refused]
    involved = list(({c.id: c for c in claims} | {other.id: other for _, _, other in candidates}).values())
    vectors = claim_vectors.vectors_for(session, involved, index=index, early=early)
    by_text = {c.text: vectors[c.id] for c in involved if c.id in vectors}
    scored = score_pairs([(claim.text, other.text) for claim, _, other in candidates], vectors=by_text)
    made: list[tuple[Claim, ClaimLink]] = []
    for (claim, hit, other), pair in zip(candidates, scored):
        score = max(hit.score, pair.score)
        if score < settings.suggest:
            continue
        key = pair_key(claim.id, other.id)
        link = existing.get(key)
        if link is not None and (among is not None or link.state in (LinkState.REJECTED, LinkState.CONFIRMED)):
            continue  # a reviewer's decision stands; a re-link adds only pairs nobody linked yet
        link = existing[key] = _placed_link(link, key, claim, other, score, list(pair.flags), settings)
        made.append((claim, link))
    # written in pair order, the same in every writer: two re-links inserting the same pairs at once
    # then wait for each other (and the loser retries) instead of deadlocking
    session.add_all(sorted({id(link): link for _, link in made}.values(), key=lambda l: (l.claim_a_id, l.claim_b_id)))
    session.flush()
    audit.record_many(session, actor, "link.suggest", [
        (link, {"score": link.score, "state": link.state, "flags": link.flags}, claim.id) for claim, link in made])
    return [link for _, link in made]


RELINK_ATTEMPTS = 3
log = logging.getLogger(__name__)


def link_missed(*, session: Session, actor: User | None, claims: list[Claim], snapshot: claim_index.IndexSnapshot,
                settings: MatchSettings = MatchSettings()) -> list[ClaimLink]:
    """After the caller committed `claims`, matched against `snapshot`: link them to the claims
    that other writers committed meanwhile and the snapshot lacked, so that two imports of one
    story at once still link to each other. Its own short transaction. Both imports may re-link
    the same pair at once: the one that loses the race sees the other's link on its next try.
    It never raises: the claims are saved by now, and an error page would say they were not; a
    re-link that fails for good is logged, and "Find similar" still finds those claims."""
    ids, articles = [c.id for c in claims], {c.article_id for c in claims}
    for attempt in range(1, RELINK_ATTEMPTS + 1):
        try:
            made = _link_missed_once(session, actor, ids, articles, snapshot, settings)
            session.commit()
            return made
        except SQLAlchemyError as exc:
            session.rollback()
            if not isinstance(exc, IntegrityError) or attempt == RELINK_ATTEMPTS:
                log.warning("claims %s were saved, but linking them to claims saved at the same "
                            "moment failed: %s", ids, exc.__class__.__name__, exc_info=exc)
                return []
    return []


def _link_missed_once(session: Session, actor: User | None, ids: list[int], articles: set[int],
                      snapshot: claim_index.IndexSnapshot, settings: MatchSettings) -> list[ClaimLink]:
    missed = claim_index.missed_claims(session, snapshot, outside=articles) if ids else []
    if not missed:
        return []
    mine = list(session.exec(select(Claim).where(Claim.id.in_(ids), Claim.merged_into_id == None)))  # noqa: E711
    # the index holds these articles' own claims now, as it did not before: look past as many
    crowd = session.exec(select(func.count(Claim.id)).where(Claim.article_id.in_(articles))).one()
    index = claim_index.current_index(session, recheck_gaps=True)
    return suggest_links(session=session, actor=actor, claims=mine, index=index, among=set(missed),
                         settings=replace(settings, candidates=settings.candidates + crowd))


def _same_text_pair(a: str, b: str) -> frozenset[str]:
    return frozenset((" ".join(a.split()).casefold(), " ".join(b.split()).casefold()))


def _rejected_texts(session: Session, claim_ids: set[int]) -> set[frozenset[str]]:
    """The texts of pairs a reviewer rejected that involve these claims: a rejection holds for the
    same wording again (an article imported twice, a claim repeated word for word), so that nobody
    has to reject the same pair twice."""
    rejected = list(session.exec(select(ClaimLink.claim_a_id, ClaimLink.claim_b_id).where(
        ClaimLink.state == LinkState.REJECTED,
        or_(ClaimLink.claim_a_id.in_(claim_ids), ClaimLink.claim_b_id.in_(claim_ids)))))
    if not rejected:
        return set()
    text = dict(session.exec(select(Claim.id, Claim.text).where(Claim.id.in_({i for pair in rejected for i in pair}))).all())
    return {_same_text_pair(text[a], text[b]) for a, b in rejected if a in text and b in text}


def _placed_link(link, key, claim, other, score, flags, settings) -> ClaimLink:
    auto = (score >= settings.auto and not flags
            and min(len(claim.text.split()), len(other.text.split())) >= MIN_AUTO_WORDS)
    link = link or ClaimLink(claim_a_id=key[0], claim_b_id=key[1])
    link.score = round(score, 2)
    link.flags_json = json.dumps(flags)
    link.state = LinkState.AUTO_CONFIRMED if auto else LinkState.SUGGESTED
    return link


def decide_link(*, session: Session, actor: User, link: ClaimLink, state: LinkState | str,
                seen_state: LinkState | str | None = None) -> ClaimLink:
    """`seen_state`: the state the deciding page showed; another reviewer's decision since then
    is not overwritten unseen."""
    state = LinkState(state)
    if state not in (LinkState.CONFIRMED, LinkState.REJECTED):
        raise InvalidInput("A link can be confirmed or rejected.")
    if actor.role not in (Role.REVIEWER, Role.EDITOR, Role.ADMIN):
        raise NotAllowed("Only desk members decide links.")
    for end in session.exec(select(Claim).where(Claim.id.in_([link.claim_a_id, link.claim_b_id]))):
        refuse_merged(end)  # a retired claim joins no cluster: its parts or keeper carry on
    if seen_state and not _still(session, link, LinkState(seen_state)):
        session.rollback()
        session.refresh(link)
        who = session.get(User, link.decided_by_id) if link.decided_by_id else None
        raise Conflict(f"This link was {LinkState(link.state).value.replace('_', ' ')} by {who.username if who else 'someone else'} "
                       "meanwhile; reload the page to see it.")
    changes = audit.diff(link, {"state": state.value})
    link.state, link.decided_by_id, link.decided_at = state, actor.id, utcnow()
    session.add(link)
    audit.record(session, actor, f"link.{state.value}", link, changes, claim_id=link.claim_a_id)
    audit.record(session, actor, f"link.{state.value}", link, changes, claim_id=link.claim_b_id)
    session.commit()
    return link


def _still(session: Session, link: ClaimLink, seen: LinkState) -> bool:
    """Whether the link is still as the deciding page showed it, claimed by a write so that of two
    decisions at once the second sees the first (a read alone would let both through)."""
    return session.execute(sa_update(ClaimLink).where(ClaimLink.id == link.id, ClaimLink.state == seen.value)
                           .values(decided_at=utcnow())).rowcount == 1


def link_manually(*, session: Session, actor: User, claim: Claim, other: Claim) -> ClaimLink:
    if claim.id == other.id:
        raise InvalidInput("A claim cannot be linked to itself.")
    refuse_merged(claim)
    refuse_merged(other)
    a, b = pair_key(claim.id, other.id)
    link = session.exec(select(ClaimLink).where(ClaimLink.claim_a_id == a, ClaimLink.claim_b_id == b)).first()
    if link is None:
        pair = score_pair(claim.text, other.text)
        link = ClaimLink(claim_a_id=a, claim_b_id=b, score=round(pair.score, 2), flags_json=json.dumps(list(pair.flags)))
        session.add(link)
        session.flush()
    return decide_link(session=session, actor=actor, link=link, state=LinkState.CONFIRMED)


DECIDED = (LinkState.CONFIRMED, LinkState.REJECTED)


def carry_links(*, session: Session, actor: User, retired: list[Claim], keeper: Claim) -> list[ClaimLink]:
    """The links of claims merged into `keeper` become the keeper's, so that its clusters keep every
    appearance and a reviewer's decisions hold: a decision beats a suggestion, the keeper's own
    decision stands. The retired claims' links stay as they were, for the record. The caller commits."""
    gone = {c.id for c in retired} | {keeper.id}
    theirs = list(session.exec(select(ClaimLink).where(or_(ClaimLink.claim_a_id.in_(gone - {keeper.id}),
                                                            ClaimLink.claim_b_id.in_(gone - {keeper.id})))))
    partners = {l.claim_a_id if l.claim_a_id not in gone else l.claim_b_id for l in theirs} - gone
    if not partners:
        return []
    mine = {l.other(keeper.id): l for l in session.exec(select(ClaimLink).where(
        or_(and_(ClaimLink.claim_a_id == keeper.id, ClaimLink.claim_b_id.in_(partners)),
            and_(ClaimLink.claim_b_id == keeper.id, ClaimLink.claim_a_id.in_(partners)))))}
    carried = []
    for link in sorted(theirs, key=lambda l: (LinkState(l.state) not in DECIDED, -l.score)):  # decisions first
        other = link.claim_a_id if link.claim_a_id not in gone else link.claim_b_id
        if other in gone:
            continue
        target = mine.get(other)
        if target is not None and (LinkState(target.state) in DECIDED or LinkState(link.state) not in DECIDED):
            continue  # the keeper's link already says as much, or more
        if target is None:
            a, b = pair_key(keeper.id, other)
            target = mine[other] = ClaimLink(claim_a_id=a, claim_b_id=b, kind=link.kind)
        target.score, target.flags_json, target.state = link.score, link.flags_json, link.state
        target.decided_by_id, target.decided_at = link.decided_by_id, link.decided_at
        session.add(target)
        carried.append((link, target))
    session.flush()
    audit.record_many(session, actor, "link.carried", [
        (target, {"from": link.id, "state": LinkState(target.state).value}, keeper.id) for link, target in carried])
    return [target for _, target in carried]


def links_of(session: Session, claim_id: int, states=LIVE_STATES) -> list[tuple[ClaimLink, Claim]]:
    """Links to claims still in play: one merged away or split lives on in the claim it went into."""
    stmt = select(ClaimLink).where(or_(ClaimLink.claim_a_id == claim_id, ClaimLink.claim_b_id == claim_id),
                                   ClaimLink.state.in_(states)).order_by(ClaimLink.score.desc())
    links = list(session.exec(stmt))
    others = {c.id: c for c in session.exec(select(Claim).where(Claim.id.in_([l.other(claim_id) for l in links]),
                                                                Claim.merged_into_id == None))}  # noqa: E711
    return [(l, others[l.other(claim_id)]) for l in links if l.other(claim_id) in others]


def cluster_of(session: Session, claim: Claim) -> list[Claim]:
    """Every claim joined to this one by confirmed links, this one included, first appearance first:
    by its article's publication date (its import date when it has none), then by import order."""
    seen, queue = {claim.id: claim}, deque([claim.id])
    while queue:
        cid = queue.popleft()
        for _link, other in links_of(session, cid, SAME_CLAIM_STATES):
            if other.id not in seen:
                seen[other.id] = other
                queue.append(other.id)
    when = {a.id: as_utc(a.published_at or a.imported_at) for a in session.exec(
        select(Article).where(Article.id.in_({c.article_id for c in seen.values()})))}
    return sorted(seen.values(), key=lambda c: (when[c.article_id], as_utc(c.created_at), c.id))
