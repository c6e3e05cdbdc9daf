"""A process-wide ClaimIndex per database that follows the ClaimChange log.

Every worker keeps its own in-memory index and brings it up to date from the ordered change log
before it searches, so a claim changed in one worker is found by every other worker on its next
search. PostgreSQL may commit change ids out of order, so ids skipped at one sync are looked for
again at the next ones for a while (gaps), instead of being lost.

`db restore` swaps the whole database under the workers: the log restarts below the ids they have
seen and the claims are others. The restore writes a new restore epoch (RestoreEpoch), which rides
along on the query every sync makes of the log; a worker that sees another epoch drops its index and
loads the database again, and opens no base built for another epoch.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import func
from sqlmodel import Session, select

from factcheck import claim_vectors, index_store
from factcheck.matching import ClaimIndex
from factcheck.models import Claim, ClaimChange, PriorFactCheck

# how long an id missing from the log is looked for again: the change rows of an import are written
# early in its transaction and committed at its end, minutes later for a long article
GAP_PATIENCE_S = 30 * 60.0
GAP_RECHECK_S = 0.25
GAP_CHUNK = 1000
VECTOR_RECHECK_S = 5.0   # how often the prior index looks for vectors the embedding job stored since
REBUILD_AT = 50_000  # claims changed since the base: time to fold them into a new one


def note_change(session: Session, claim_id: int, op: str = "upsert") -> None:
    """Log a claim's text change in the caller's transaction; its stored vector (if any) goes, so
    that the embedding job finds the claim again."""
    session.add(ClaimChange(claim_id=claim_id, op=op))
    claim_vectors.forget_vector(session, claim_id)


def indexable(claim: Claim) -> bool:
    return claim.merged_into_id is None


@dataclass(frozen=True)
class IndexSnapshot:
    """The index a writer matched its new claims against, and where in the change log it stood:
    changes after `last_change_id`, or among `pending` (ids below it not committed yet), were not
    in it. `serialised`: no other writer can commit between this snapshot and the caller's own
    commit, so it misses nothing: on SQLite the caller either holds the write lock from BEGIN
    (db.writer) or cannot write at all once another commits after its first read. `epoch`: the
    restore epoch the index was loaded under; after a restore, the log's ids are another database's."""

    index: ClaimIndex
    last_change_id: int
    pending: frozenset[int]
    serialised: bool
    epoch: str | None = None


class IndexFollower:
    """One database's claim index in this process: the shared base on disk plus the log since."""

    def __init__(self, directory: Path | None = None):
        self.directory = directory
        self.index = index_store.new_index()
        self.last_id = 0
        self.gaps: dict[int, float] = {}
        self.gaps_checked = 0.0
        self.loaded = False
        self.stamp: float | None = None
        self.rebuilding = False
        self.changed = 0  # claims applied on top of the base since it was loaded
        self.epoch: str | None = None  # the restore epoch of the database the index was loaded from
        self.lock = threading.Lock()

    def sync(self, session: Session, recheck_gaps: bool = False) -> ClaimIndex:
        with self.lock:
            self._sync(session, recheck_gaps)
            return self.index

    def snapshot(self, session: Session) -> IndexSnapshot:
        """Synced, with its place in the log taken under the lock (a later sync moves both)."""
        with self.lock:
            self._sync(session)
            return IndexSnapshot(self.index, self.last_id, frozenset(self.gaps),
                                 session.get_bind().dialect.name == "sqlite", self.epoch)

    def _sync(self, session: Session, recheck_gaps: bool = False) -> None:
        if self.directory is not None and index_store.pointer_stamp(self.directory) != self.stamp:
            self.loaded = False  # a new base went live: switch to it between requests
        if recheck_gaps:
            self.gaps_checked = 0.0
        if not self.loaded or not self._follow(session):
            self._load(session)
        self._maybe_rebuild(session)

    def _load(self, session: Session) -> None:
        self.gaps, self.changed = {}, 0
        self.epoch = index_store.database_epoch(session)  # first: a restore after this reloads again
        base = index_store.current_base(self.directory) if self.directory is not None else None
        if base is not None and base.epoch != self.epoch:
            base = None  # built before a restore: its claims and change ids are another database's
        if self.directory is not None:
            self.stamp = index_store.pointer_stamp(self.directory)
        if base is None:
            if self.stamp is not None:
                self.changed = REBUILD_AT  # a base of an older normaliser or epoch: one worker rebuilds it
            self.index = index_store.new_index()
            self.last_id = session.exec(select(func.max(ClaimChange.id))).one() or 0
            self._await(index_store.pending_ids(session, self.last_id))
            claims = session.exec(select(Claim.id, Claim.text).where(Claim.merged_into_id == None))  # noqa: E711
            self.index.add_many(list(claims))
        else:
            self.index = ClaimIndex.open(base.path, embedder=None)
            self.last_id = base.last_change_id
            self._await(base.pending)
            late = session.exec(select(ClaimChange.claim_id)
                                .where(ClaimChange.at >= index_store.replay_from(base), ClaimChange.id <= base.last_change_id))
            self._apply(session, set(late))
            if not self._follow(session):
                return self._load(session)  # restored since the epoch was read: the base is the old database's
        self.loaded = True

    def _follow(self, session: Session) -> bool:
        """Apply the log since the last sync; False, with nothing applied, when the database was
        restored since the index was loaded."""
        epoch = select(index_store.epoch_column().label("epoch")).subquery()  # one row, whatever the log holds
        stmt = (select(epoch.c.epoch, ClaimChange.id, ClaimChange.claim_id).select_from(epoch)
                .outerjoin(ClaimChange, ClaimChange.id > self.last_id))
        found = list(session.exec(stmt))
        if found[0][0] != self.epoch:
            return False
        rows = [(change_id, claim_id) for _, change_id, claim_id in found if change_id is not None]
        if self.gaps and time.monotonic() - self.gaps_checked >= GAP_RECHECK_S:
            # a few times a second at most: an import's thousand pending ids are a few IN queries
            self.gaps_checked = time.monotonic()
            wanted = sorted(self.gaps)
            for start in range(0, len(wanted), GAP_CHUNK):
                rows += list(session.exec(select(ClaimChange.id, ClaimChange.claim_id)
                                          .where(ClaimChange.id.in_(wanted[start:start + GAP_CHUNK]))))
        if not rows:
            self._expire_gaps()
            return True
        seen = {r[0] for r in rows}
        now = time.monotonic()
        top = max(seen)
        for missing in range(self.last_id + 1, top):
            if missing not in seen:
                self.gaps.setdefault(missing, now)
        for found in seen & set(self.gaps):
            del self.gaps[found]
        self.last_id = max(self.last_id, top)
        self._expire_gaps()
        self._apply(session, {r[1] for r in rows})
        return True

    def _apply(self, session: Session, claim_ids: set[int]) -> None:
        if not claim_ids:
            return
        current = {c.id: c for c in session.exec(select(Claim).where(Claim.id.in_(claim_ids)))}
        vectors = self._stored_vectors(session, [c for c in current.values() if indexable(c)])
        self.changed += len(claim_ids)
        for cid in claim_ids:
            claim = current.get(cid)
            if claim is None or not indexable(claim):
                self.index.remove(cid)
            else:
                self.index.add(cid, claim.text, vectors.get(cid))

    def _stored_vectors(self, session: Session, claims: list[Claim]) -> dict:
        """When the base carries vectors, changed claims bring theirs along, so that the index
        answers for every claim (claims without a stored vector yet are read from the database later)."""
        model = index_store.vector_model(self.index.source) if self.index.source is not None else None
        return claim_vectors.read_vectors(session, claims, model) if model and claims else {}

    def _await(self, ids) -> None:
        """Change ids below the snapshot's last that it could not see yet (a transaction still open
        then, as PostgreSQL commits ids out of order): followed as gaps, so that they are applied
        when they commit."""
        now = time.monotonic()
        for gid in ids:
            self.gaps.setdefault(int(gid), now)

    def _expire_gaps(self) -> None:
        cutoff = time.monotonic() - GAP_PATIENCE_S
        for gid in [g for g, t in self.gaps.items() if t < cutoff]:
            del self.gaps[gid]

    def _maybe_rebuild(self, session: Session) -> None:
        """When the in-memory delta has grown large, one worker rebuilds the base in the background."""
        if self.directory is None or self.rebuilding or self.changed < REBUILD_AT:
            return
        self.rebuilding = True
        engine = session.get_bind()
        threading.Thread(target=self._rebuild, args=(engine,), daemon=True, name="claim-index-rebuild").start()

    def _rebuild(self, engine) -> None:
        try:
            with index_store.build_lock(self.directory, wait=False) as mine:
                if mine:
                    with Session(engine) as s:
                        index_store.build_base(s, self.directory)
        finally:
            self.rebuilding = False


_followers: dict[str, IndexFollower] = {}
_followers_lock = threading.Lock()


_directories: dict[str, Path] = {}


def configure(url: str, directory: Path | None) -> None:
    """Where this database's shared base lives (the app's INDEX_DIR); without one, each worker builds its own."""
    if directory is not None:
        _directories[url] = Path(directory)


def current_index(session: Session, recheck_gaps: bool = False) -> ClaimIndex:
    """The claim index for this session's database, up to date with the change log;
    `recheck_gaps`: look for late commits now rather than at the next throttled check."""
    return _follower(session).sync(session, recheck_gaps)


def index_snapshot(session: Session) -> IndexSnapshot:
    """The claim index to match new claims against, before they are written; after the commit,
    `missed_claims` names the claims that other writers committed meanwhile and it lacked."""
    return _follower(session).snapshot(session)


def missed_claims(session: Session, snapshot: IndexSnapshot, *, outside: set[int]) -> list[int]:
    """Claims, not merged away and of articles other than `outside`, whose change `snapshot` could
    not see: committed by another writer since, or still open then. One indexed range query when
    nothing is pending (the usual case), and none at all on SQLite. None after a restore (the epoch
    rides along): the caller's claims went with the database it replaced."""
    if snapshot.serialised:
        return []
    pending = sorted(snapshot.pending)
    found: set[int] = set()
    same_database = index_store.epoch_column().is_not_distinct_from(snapshot.epoch)
    wheres = [ClaimChange.id > snapshot.last_change_id] + [
        ClaimChange.id.in_(pending[start:start + GAP_CHUNK]) for start in range(0, len(pending), GAP_CHUNK)]
    for where in wheres:
        found.update(session.exec(select(Claim.id).join(ClaimChange, ClaimChange.claim_id == Claim.id).where(
            where, Claim.merged_into_id == None, Claim.article_id.notin_(outside), same_database)))  # noqa: E711
    return sorted(found)


def _follower(session: Session) -> IndexFollower:
    key = str(session.get_bind().url)
    with _followers_lock:
        follower = _followers.get(key)
        if follower is None:
            follower = _followers[key] = IndexFollower(_directories.get(key))
    return follower


def reindex(session: Session, progress=None) -> index_store.Base:
    """Build a fresh shared base now (the `claims reindex` command)."""
    directory = _directories.get(str(session.get_bind().url))
    if directory is None:
        raise ValueError("No index directory is configured for this database.")
    with index_store.build_lock(directory):
        return index_store.build_base(session, directory, progress)


def forget(url: str) -> None:
    """Drop a database's indexes (after restore or in tests)."""
    with _followers_lock:
        _followers.pop(url, None)
        _prior_followers.pop(url, None)


class PriorFollower:
    """Other desks' fact-checks, searchable by claim text and, once the embedding job has stored
    their vectors, by meaning (searches that pass a query vector). They are only ever added, so
    new rows are followed by id, and a count that disagrees with what was indexed (a late
    PostgreSQL commit below the last id, a deletion, another database) or another restore epoch
    (a restored database with as many fact-checks, but others) reloads everything.
    Vectors stored after a fact-check was indexed are picked up at most VECTOR_RECHECK_S later."""

    def __init__(self):
        self.lock = threading.Lock()
        self._reset(None, None)

    def _reset(self, model: str | None, epoch: str | None) -> None:
        self.index, self.last_id, self.size = ClaimIndex(embedder=None, keep_vectors=True), 0, 0
        self.model = model                  # the vectors' model (None: embeddings are off)
        self.epoch = epoch                  # the database's restore epoch
        self.without: set[int] = set()      # indexed priors with no vector yet
        self.checked = 0.0                  # when stored vectors were last counted
        self.stored = -1                    # how many there were then

    def sync(self, session: Session) -> ClaimIndex:
        with self.lock:
            model = claim_vectors.current_model()
            below, epoch = session.exec(select(func.count(PriorFactCheck.id), index_store.epoch_column())
                                        .where(PriorFactCheck.id <= self.last_id)).one()
            if below != self.size or model != self.model or epoch != self.epoch:
                self._reset(model, epoch)
            rows = [_Prior(*r) for r in session.exec(select(PriorFactCheck.id, PriorFactCheck.claim_text)
                                                     .where(PriorFactCheck.id > self.last_id))]
            self._add(session, rows)
            self.size += len(rows)
            self.last_id = max([self.last_id] + [p.id for p in rows])
            if self.without and time.monotonic() - self.checked > VECTOR_RECHECK_S:
                self._add_new_vectors(session)
            return self.index

    @property
    def has_vectors(self) -> bool:
        return self.model is not None and self.size > len(self.without)

    def _add(self, session: Session, rows: list) -> None:
        """Index priors (again) with whatever vectors are stored for them."""
        vectors = claim_vectors.read_vectors(session, rows, self.model, claim_vectors.PRIORS) \
            if self.model and rows else {}
        self.index.add_many([(p.id, p.claim_text) for p in rows],
                            vectors=[vectors.get(p.id) for p in rows] if vectors else None)
        if self.model:
            self.without.difference_update(vectors)
            self.without.update(p.id for p in rows if p.id not in vectors)

    def _add_new_vectors(self, session: Session) -> None:
        """Vectors the embedding job stored since: a count says whether to look which."""
        self.checked = time.monotonic()
        table = claim_vectors.PRIORS.table
        stored = session.exec(select(func.count()).select_from(table).where(table.model == self.model)).one()
        if stored == self.stored:
            return
        self.stored = stored
        have = self.without.intersection(session.exec(select(table.prior_id).where(table.model == self.model)))
        ids = sorted(have)
        step = claim_vectors.READ_CHUNK
        for start in range(0, len(ids), step):
            self._add(session, [_Prior(*r) for r in session.exec(
                select(PriorFactCheck.id, PriorFactCheck.claim_text).where(PriorFactCheck.id.in_(ids[start:start + step])))])


class _Prior(NamedTuple):
    id: int
    claim_text: str


_prior_followers: dict[str, PriorFollower] = {}


def current_prior_index(session: Session) -> ClaimIndex:
    """The prior fact-check index for this session's database (ids are PriorFactCheck ids); search
    it with `vector=` to find fact-checks by meaning too."""
    return _prior_follower(session).sync(session)


def search_priors(session: Session, text: str, limit: int):
    """Other desks' fact-checks like `text`: by meaning too once any of them has a stored vector
    (the text is then embedded: one model run)."""
    follower = _prior_follower(session)
    index = follower.sync(session)
    vector = claim_vectors.query_vector(text) if follower.has_vectors else None
    return index.search(text, limit=limit, vector=vector)


def _prior_follower(session: Session) -> PriorFollower:
    key = str(session.get_bind().url)
    with _followers_lock:
        return _prior_followers.setdefault(key, PriorFollower())
