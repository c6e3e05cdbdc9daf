"""The claim index's base on disk: built once, memory-mapped by every worker, swapped atomically.

Layout of the index directory:
    CURRENT                 the name of the live base (replaced with os.replace: readers never see half)
    base-<change id>-<tag>/ ClaimIndex.save output plus factcheck.json {last_change_id, built_at, claims,
                            vector_model, epoch}: the claims' stored vectors ride along (a zero row: none yet)
    .build.lock             flock held while a base is being built, so workers don't build twice
A worker opens the base named by CURRENT and replays the ClaimChange log after `last_change_id`;
changes made while the base was built are replayed too (see REPLAY_WINDOW_S), so none is lost.
A base records the database's restore epoch: one built before a `db restore` describes claims that
are gone, under change ids the restored log hands out again, and is never opened for the new one.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from sqlalchemy import and_, func
from sqlmodel import Session, select

from factcheck.matching import ClaimIndex, embeddings
from factcheck.matching.normalise import PARALLEL_MIN
from factcheck.matching.normalise import VERSION as NORMALISER
from factcheck.models import RESTORE_EPOCH_ROW, Claim, ClaimChange, ClaimVector, RestoreEpoch, utcnow

BATCH = 20_000
KEEP_BASES = 2
REPLAY_WINDOW_S = 120  # PostgreSQL may commit a smaller change id after the snapshot was taken


PENDING_SPAN = 200_000   # how far below a snapshot's last change id to look for ids it could not see


@dataclass(frozen=True)
class Base:
    path: Path
    last_change_id: int
    built_at: datetime
    claims: int
    pending: tuple = ()      # change ids below last_change_id not committed when the base was built
    epoch: str | None = None  # the database's restore epoch when the base was built


def pending_ids(session: Session, last: int) -> list[int]:
    """Ids up to `last` that this snapshot cannot see: of transactions still open (PostgreSQL hands
    out ids before commit, and commits them in any order), or rolled back (those never come, and
    followers stop looking after a while). SQLite commits in id order: there are none."""
    if last <= 0 or session.get_bind().dialect.name == "sqlite":
        return []
    low = max(0, last - PENDING_SPAN)
    seen = set(session.exec(select(ClaimChange.id).where(ClaimChange.id > low, ClaimChange.id <= last)))
    return [i for i in range(low + 1, last + 1) if i not in seen]


def epoch_column():
    """The restore epoch as a scalar subquery, to ride along on a query a worker makes anyway (NULL
    on a database that has no epoch row, such as one made by create_all)."""
    return select(RestoreEpoch.epoch).where(RestoreEpoch.id == RESTORE_EPOCH_ROW).scalar_subquery()


def database_epoch(session: Session) -> str | None:
    return session.exec(select(epoch_column())).one()


def new_index() -> ClaimIndex:
    """The index the desk searches: lexical, so every worker loads fast and small."""
    return ClaimIndex(embedder=None)


def current_base(directory: Path) -> Base | None:
    """The live base, or None when there is none or it was built by another normaliser version
    (its texts would not compare with this code's queries)."""
    try:
        name = (directory / "CURRENT").read_text().strip()
        meta = json.loads((directory / name / "factcheck.json").read_text())
    except (OSError, ValueError):
        return None
    if meta.get("normaliser", 1) != NORMALISER:
        return None
    return Base(directory / name, int(meta["last_change_id"]), datetime.fromisoformat(meta["built_at"]),
                int(meta["claims"]), tuple(meta.get("pending", ())), meta.get("epoch"))


@contextmanager
def build_lock(directory: Path, wait: bool = True):
    """Yield True while holding the build lock, False when another process holds it (wait=False)."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".build.lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def build_base(session: Session, directory: Path, progress: Callable[[int, int], None] | None = None) -> Base:
    """Snapshot every searchable claim, with its stored vector, into a new base and make it the live one."""
    from factcheck.claim_vectors import from_bytes, text_hash

    directory.mkdir(parents=True, exist_ok=True)
    built_at = utcnow()
    epoch = database_epoch(session)  # first: a restore during the build leaves the base marked as older
    last = session.exec(select(func.max(ClaimChange.id))).one() or 0
    pending = pending_ids(session, last)
    total = session.exec(select(func.count()).select_from(Claim).where(Claim.merged_into_id == None)).one()  # noqa: E711
    model = embeddings.model_name() if embeddings.enabled() else None
    index, done, after, with_vectors = new_index(), 0, 0, 0
    pairs: list = []
    vectors: list = []

    def add() -> None:      # in batches of PARALLEL_MIN: normalise_many then uses two processes
        if pairs:
            index.add_many(pairs, vectors=vectors if any(v is not None for v in vectors) else None)
            pairs.clear()
            vectors.clear()

    while True:
        stmt = (select(Claim.id, Claim.text, ClaimVector.text_hash, ClaimVector.vector)
                .outerjoin(ClaimVector, and_(ClaimVector.claim_id == Claim.id, ClaimVector.model == model))
                .where(Claim.merged_into_id == None, Claim.id > after).order_by(Claim.id).limit(BATCH))  # noqa: E711
        rows = session.exec(stmt).all()
        if not rows:
            break
        found = [from_bytes(data) if data is not None and digest == text_hash(text) else None
                 for _, text, digest, data in rows]
        with_vectors += sum(v is not None for v in found)
        pairs.extend((cid, text) for cid, text, _, _ in rows)
        vectors.extend(found)
        if len(pairs) >= PARALLEL_MIN:
            add()
        done, after = done + len(rows), rows[-1][0]
        if progress:
            progress(done, total)
    add()
    session.rollback()  # end the snapshot's read transaction
    target = directory / f"base-{last:012d}-{uuid.uuid4().hex[:8]}"
    index.save(target)
    (target / "factcheck.json").write_text(json.dumps({"last_change_id": last, "built_at": built_at.isoformat(),
                                                  "claims": done, "vector_model": model if with_vectors else None,
                                                  "normaliser": NORMALISER, "pending": pending, "epoch": epoch}))
    pointer = directory / f".CURRENT.{os.getpid()}"
    pointer.write_text(target.name)
    os.replace(pointer, directory / "CURRENT")
    prune(directory, keep=target.name)
    return Base(target, last, built_at, done, tuple(pending), epoch)


@lru_cache(maxsize=64)
def vector_model(base_path: Path) -> str | None:
    """The model of the vectors a base carries (bases never change once written), or None."""
    try:
        return json.loads((Path(base_path) / "factcheck.json").read_text()).get("vector_model")
    except (OSError, ValueError):
        return None


def prune(directory: Path, keep: str) -> None:
    """Remove old bases; workers that still map one keep reading it (unlinked files stay mapped)."""
    bases = sorted((p for p in directory.glob("base-*") if p.is_dir() and p.name != keep),
                   key=lambda p: p.stat().st_mtime, reverse=True)
    for old in bases[KEEP_BASES - 1:]:
        shutil.rmtree(old, ignore_errors=True)


def replay_from(base: Base) -> datetime:
    """Changes logged since this moment are applied again on top of the base."""
    return base.built_at - timedelta(seconds=REPLAY_WINDOW_S)


def pointer_stamp(directory: Path) -> float | None:
    """A cheap check, made before each search, of whether a new base went live."""
    try:
        return os.stat(directory / "CURRENT").st_mtime_ns
    except OSError:
        return None
