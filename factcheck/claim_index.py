"""A process-wide ClaimIndex per database that follows the ClaimChange log.

Every worker keeps its own in-memory index and brings it up to date from the ordered change log
before it searches, so a claim changed in one worker is found by every other worker on its next
search. PostgreSQL may commit change ids out of order, so ids skipped at one sync are looked for
again at the next ones for a while (gaps), instead of being lost.
"""
from __future__ import annotations

import threading
import time

from sqlalchemy import func
from sqlmodel import Session, select

from factcheck.matching import ClaimIndex
from factcheck.models import Claim, ClaimChange, PriorFactCheck

GAP_PATIENCE_S = 60.0


def note_change(session: Session, claim_id: int, op: str = "upsert") -> None:
    """Log a claim's text change in the caller's transaction."""
    session.add(ClaimChange(claim_id=claim_id, op=op))


def indexable(claim: Claim) -> bool:
    return claim.merged_into_id is None


class IndexFollower:
    def __init__(self):
        self.index = ClaimIndex()
        self.last_id = 0
        self.gaps: dict[int, float] = {}
        self.loaded = False
        self.lock = threading.Lock()

    def sync(self, session: Session) -> ClaimIndex:
        with self.lock:
            if not self.loaded:
                self._load(session)
            else:
                self._follow(session)
            return self.index

    def _load(self, session: Session) -> None:
        self.last_id = session.exec(select(func.max(ClaimChange.id))).one() or 0
        claims = session.exec(select(Claim.id, Claim.text).where(Claim.merged_into_id == None))  # noqa: E711
        self.index.add_many([(cid, text) for cid, text in claims])
        self.loaded = True

    def _follow(self, session: Session) -> None:
        wanted = list(self.gaps)
        stmt = select(ClaimChange.id, ClaimChange.claim_id).where(ClaimChange.id > self.last_id)
        rows = list(session.exec(stmt))
        if wanted:
            rows += list(session.exec(select(ClaimChange.id, ClaimChange.claim_id).where(ClaimChange.id.in_(wanted))))
        if not rows:
            self._expire_gaps()
            return
        top = max(r[0] for r in rows)
        if top < self.last_id and not wanted:
            # The log went backwards: a different database behind the same URL (tests, restore).
            self.__init__()
            self._load(session)
            return
        seen = {r[0] for r in rows}
        now = time.monotonic()
        for missing in range(self.last_id + 1, top):
            if missing not in seen:
                self.gaps.setdefault(missing, now)
        for found in seen & set(self.gaps):
            del self.gaps[found]
        self.last_id = max(self.last_id, top)
        self._expire_gaps()
        self._apply(session, {r[1] for r in rows})

    def _apply(self, session: Session, claim_ids: set[int]) -> None:
        current = {c.id: c for c in session.exec(select(Claim).where(Claim.id.in_(claim_ids)))}
        for cid in claim_ids:
            claim = current.get(cid)
            if claim is None or not indexable(claim):
                self.index.remove(cid)
            else:
                self.index.add(cid, claim.text)

    def _expire_gaps(self) -> None:
        cutoff = time.monotonic() - GAP_PATIENCE_S
        for gid in [g for g, t in self.gaps.items() if t < cutoff]:
            del self.gaps[gid]


_followers: dict[str, IndexFollower] = {}
_followers_lock = threading.Lock()


def current_index(session: Session) -> ClaimIndex:
    """The claim index for this session's database, up to date with the change log."""
    key = str(session.get_bind().url)
    with _followers_lock:
        follower = _followers.setdefault(key, IndexFollower())
    return follower.sync(session)


def forget(url: str) -> None:
    """Drop a database's indexes (after restore or in tests)."""
    with _followers_lock:
        _followers.pop(url, None)
        _prior_followers.pop(url, None)


class PriorFollower:
    """Other desks' fact-checks, searchable by claim text; they are only ever added, so new rows are
    followed by id, and a count that disagrees with what was indexed (a late PostgreSQL commit below
    the last id, a deletion, another database) reloads everything."""

    def __init__(self):
        self.lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self.index, self.last_id, self.size = ClaimIndex(), 0, 0

    def sync(self, session: Session) -> ClaimIndex:
        with self.lock:
            below = session.exec(select(func.count(PriorFactCheck.id)).where(PriorFactCheck.id <= self.last_id)).one()
            if below != self.size:
                self._reset()
            rows = session.exec(select(PriorFactCheck.id, PriorFactCheck.claim_text)
                                .where(PriorFactCheck.id > self.last_id)).all()
            self.index.add_many([(pid, text) for pid, text in rows])
            self.size += len(rows)
            self.last_id = max([self.last_id] + [pid for pid, _ in rows])
            return self.index


_prior_followers: dict[str, PriorFollower] = {}


def current_prior_index(session: Session) -> ClaimIndex:
    """The prior fact-check index for this session's database (ids are PriorFactCheck ids)."""
    key = str(session.get_bind().url)
    with _followers_lock:
        follower = _prior_followers.setdefault(key, PriorFollower())
    return follower.sync(session)
