"""Sentence embeddings of claims and of other desks' fact-checks, stored in the database so that
each text is embedded once.

Whichever process needs a claim's vector first computes and stores it: linking a new article
embeds its claims in one batch, and `embed_missing` (the `claims embed` command, or the admin's
button, which runs it in a background thread) embeds the claims that came before. Every other
worker reads the stored vector, or the memory-mapped copy in the index base that `claims reindex`
writes. A vector names its model and the hash of the text it was made from: an edit deletes it
(claim_index.note_change), and one whose hash no longer matches the claim's text counts as missing.
Vectors are derived data, like the search index, so they leave no audit rows. Other desks'
fact-checks (priors) get theirs from the same job, so that the prior index can find them by
meaning (claim_index.PriorFollower); they are never edited, so theirs never go stale.
"""
from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np
import sqlalchemy as sa
from sqlalchemy import func, or_, true
from sqlmodel import Session, select

from factcheck import index_store
from factcheck.errors import InvalidInput, NotAllowed
from factcheck.matching import ClaimIndex, embeddings, flags
from factcheck.models import Claim, ClaimVector, PriorFactCheck, PriorVector, Role, User, utcnow

log = logging.getLogger(__name__)

BATCH = 64          # claims per commit of the background job (about a second of model time)
WRITE_CHUNK = 400   # rows per INSERT statement
READ_CHUNK = 500    # ids per SELECT ... IN (...)


@dataclass(frozen=True)
class Kind:
    """What is embedded: the rows of `source` (their text in column `text`, searchable where
    `live` holds) and where their vectors go (`table`, keyed by column `key`)."""
    source: type
    text: str
    table: type
    key: str

    def text_of(self, row) -> str:
        return getattr(row, self.text) or ""

    def live(self):
        return Claim.merged_into_id == None if self.source is Claim else true()  # noqa: E711


CLAIMS = Kind(Claim, "text", ClaimVector, "claim_id")
PRIORS = Kind(PriorFactCheck, "claim_text", PriorVector, "prior_id")


@dataclass(frozen=True)
class EmbedResult:
    embedded: int   # vectors stored by this run
    missing: int    # claims without a vector when it started


@dataclass(frozen=True)
class JobState:
    """The background job of this process, as the admin page shows it."""
    running: bool
    done: int = 0
    total: int | None = None  # None until the job has counted what is missing
    error: str | None = None


@dataclass(frozen=True)
class EmbeddingStatus:
    available: bool         # a model is installed and FACTCHECK_EMBEDDINGS does not turn it off
    model: str | None
    embedded: int           # searchable claims with a current vector
    claims: int             # searchable claims
    job: JobState | None    # this process's background job, if one ran
    priors_embedded: int = 0  # other desks' fact-checks with a vector of the current model
    priors: int = 0


def text_hash(text: str) -> str:
    return hashlib.blake2b((text or "").encode("utf-8"), digest_size=16).hexdigest()


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f2").tobytes()


def from_bytes(data: bytes) -> np.ndarray | None:
    vec = np.frombuffer(data or b"", dtype="<f2")
    return vec.astype(np.float32) if len(vec) else None


def current_model() -> str | None:
    """The name stored vectors must carry to count (None while embeddings are off), without
    loading the model."""
    return embeddings.model_name() if embeddings.enabled() else None


def available() -> bool:
    """Whether claims can be embedded here, without loading the model."""
    return current_model() is not None


def query_vector(text: str) -> np.ndarray | None:
    """A search text's vector (the model runs once), or None while embeddings are off."""
    embedder = embeddings.active_embedder()
    if embedder is None or not (text or "").strip():
        return None
    vec = flags.cached_vector(text)
    return vec if vec is not None else np.asarray(embedder.encode([text])[0], dtype=np.float32)


def name_of(embedder) -> str:
    return getattr(embedder, "name", None) or type(embedder).__name__


# -- linking ------------------------------------------------------------------------------------
@dataclass
class EarlyVectors:
    """New claims' vectors: those stored already, and a batch of the others being embedded."""
    found: dict[int, np.ndarray]
    todo: list[Claim]
    texts: list[str]
    future: Future | None
    known: dict[str, np.ndarray]  # texts that other claims' stored vectors already cover (wire copy)


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def embed_ahead(texts: list[str]) -> None:
    """Embed an article's draft claims before its write transaction opens: the model then never runs
    while the database is locked (SQLite has one writer), and linking finds the vectors cached."""
    embedder = embeddings.active_embedder()
    if embedder is not None and texts:
        flags.cache_vectors(embedder, list(texts))


def embed_early(session: Session, claims: list[Claim]) -> EarlyVectors | None:
    """Read these claims' stored vectors and start embedding the others in a worker thread, so that
    the model runs while the caller searches for candidates (the model releases the GIL). Hand the
    result to vectors_for, which stores the new vectors. None while embeddings are off."""
    global _pool
    embedder = embeddings.active_embedder()
    if embedder is None or not claims:
        return None
    found = read_vectors(session, claims, name_of(embedder))
    todo = [c for c in claims if c.id not in found]
    known = vectors_of_texts(session, [c.text or "" for c in todo], name_of(embedder))
    for text in dict.fromkeys(c.text or "" for c in todo):
        vec = flags.cached_vector(text) if text not in known else None
        if vec is not None:  # embedded ahead, before the caller's transaction (embed_ahead)
            known[text] = vec
    texts = [t for t in dict.fromkeys(c.text or "" for c in todo) if t not in known]
    future = None
    if texts:
        with _pool_lock:
            _pool = _pool or ThreadPoolExecutor(max_workers=1, thread_name_prefix="claim-embed")
        future = _pool.submit(embedder.encode, texts)
    return EarlyVectors(found, todo, texts, future, known)


def vectors_for(session: Session, claims: list[Claim], *, index: ClaimIndex | None = None,
                early: EarlyVectors | None = None) -> dict[int, np.ndarray]:
    """Each claim's vector by claim id: from `early`, the index's base files, else the database; the
    rest are embedded in one batch. New vectors are stored in the caller's transaction. Empty while
    embeddings are off."""
    embedder = embeddings.active_embedder()
    by_id = {c.id: c for c in claims}
    if early is not None:
        by_id.update({c.id: c for c in early.todo})
    if embedder is None or not by_id:
        return {}
    name = name_of(embedder)
    found: dict[int, np.ndarray] = {}
    if early is not None:
        found.update(early.found)
        if early.todo:
            vecs = dict(early.known)
            if early.future is not None:
                vecs.update(zip(early.texts, early.future.result()))
            fresh = {c.id: np.asarray(vecs[c.text or ""], dtype=np.float32) for c in early.todo}
            store_vectors(session, [(c.id, c.text or "", fresh[c.id]) for c in early.todo], name)
            found.update(fresh)
    if index is not None and index.source is not None and index_store.vector_model(index.source) == name:
        found.update(index.stored_vectors([cid for cid in by_id if cid not in found]))
    found.update(read_vectors(session, [by_id[cid] for cid in by_id if cid not in found], name))
    missing = [c for cid, c in by_id.items() if cid not in found]
    if missing:
        found.update(embed_and_store(session, missing, embedder))
    return found


def read_vectors(session: Session, claims: list, model: str, kind: Kind = CLAIMS) -> dict[int, np.ndarray]:
    """Stored vectors of these claims (or priors) that were made by `model` from their current text."""
    if not claims:
        return {}
    by_id = {c.id: c for c in claims}
    key = getattr(kind.table, kind.key)
    out = {}
    ids = list(by_id)
    for start in range(0, len(ids), READ_CHUNK):
        rows = session.exec(select(key, kind.table.text_hash, kind.table.vector)
                            .where(key.in_(ids[start:start + READ_CHUNK]), kind.table.model == model)).all()
        for cid, digest, data in rows:
            vec = from_bytes(data)
            if vec is not None and digest == text_hash(kind.text_of(by_id[cid])):
                out[cid] = vec
    return out


def vectors_of_texts(session: Session, texts: list[str], model: str, kind: Kind = CLAIMS) -> dict[str, np.ndarray]:
    """Vectors stored for other claims with exactly these texts (an article imported again, wire copy
    that several outlets print word for word): the same text needs no second model run."""
    by_hash = {text_hash(t): t for t in texts if t}
    if not by_hash:
        return {}
    rows = session.exec(select(kind.table.text_hash, kind.table.vector)
                        .where(kind.table.text_hash.in_(list(by_hash)), kind.table.model == model)).all()
    out = {}
    for digest, data in rows:
        vec = from_bytes(data)
        if vec is not None:
            out[by_hash[digest]] = vec
    return out


def embed_and_store(session: Session, claims: list, embedder, kind: Kind = CLAIMS) -> dict[int, np.ndarray]:
    """Embed these claims' (or priors') texts in one batch (each distinct text once, and none that
    another row's stored vector covers) and store the vectors."""
    if not claims:
        return {}
    model = name_of(embedder)
    vecs = vectors_of_texts(session, [kind.text_of(c) for c in claims], model, kind)
    texts = [t for t in dict.fromkeys(kind.text_of(c) for c in claims) if t not in vecs]
    if texts:
        vecs.update(zip(texts, embedder.encode(texts)))
    out = {c.id: np.asarray(vecs[kind.text_of(c)], dtype=np.float32) for c in claims}
    store_vectors(session, [(c.id, kind.text_of(c), out[c.id]) for c in claims], model, kind)
    return out


def store_vectors(session: Session, rows: list[tuple[int, str, np.ndarray]], model: str,
                  kind: Kind = CLAIMS) -> None:
    """Insert or replace (claim or prior id, text embedded, vector) rows; the caller commits. Two processes
    storing the same claim at once both succeed: the later write wins, and both wrote the same.
    Rows go in claim id order, so that two PostgreSQL transactions lock them in one order."""
    now, unique = utcnow(), {cid: (cid, text, vec) for cid, text, vec in rows}
    values = [{kind.key: cid, "model": model, "text_hash": text_hash(text), "vector": to_bytes(vec),
               "created_at": now} for cid, text, vec in (unique[k] for k in sorted(unique))]
    insert = _insert_for(session)
    for start in range(0, len(values), WRITE_CHUNK):
        stmt = insert(kind.table.__table__).values(values[start:start + WRITE_CHUNK])
        stmt = stmt.on_conflict_do_update(index_elements=[kind.key], set_={
            "model": stmt.excluded.model, "text_hash": stmt.excluded.text_hash,
            "vector": stmt.excluded.vector, "created_at": stmt.excluded.created_at})
        session.exec(stmt)


def _insert_for(session: Session):
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        raise NotImplementedError(f"storing vectors needs INSERT ... ON CONFLICT ({dialect})")
    return insert


def forget_vector(session: Session, claim_id: int) -> None:
    """Drop a claim's vector in the caller's transaction (its text changed)."""
    with session.no_autoflush:  # rows the caller added still go out together at its next flush
        session.exec(sa.delete(ClaimVector).where(ClaimVector.claim_id == claim_id))


# -- the background job -------------------------------------------------------------------------
def _missing(model: str, kind: Kind = CLAIMS):
    """Searchable claims (or priors) with no vector of this model."""
    key = getattr(kind.table, kind.key)
    return (select(kind.source.id, getattr(kind.source, kind.text)).outerjoin(kind.table, key == kind.source.id)
            .where(kind.live(), or_(key == None, kind.table.model != model)))  # noqa: E711


def _check_admin(actor: User | None) -> None:
    if actor is not None and actor.role != Role.ADMIN:
        raise NotAllowed("Only admins embed claims.")


def embed_missing(*, session: Session, actor: User | None, batch: int = BATCH,
                  progress: Callable[[int, int], None] | None = None) -> EmbedResult:
    """Embed every searchable claim, then every other desk's fact-check, that has no vector yet,
    `batch` texts per commit.

    Resumable (a stopped run leaves its committed batches; the next one starts after them) and
    safe to run twice at once (writes are insert-or-replace). The model runs outside any
    transaction, so SQLite's write lock is held only while a batch is written. A claim edited while
    its batch was embedded is left for the next run. progress(done, total) follows each batch."""
    _check_admin(actor)
    embedder = embeddings.active_embedder()
    if embedder is None:
        raise InvalidInput("Embeddings are off: the MiniLM packages are missing or FACTCHECK_EMBEDDINGS=0.")
    model = name_of(embedder)
    total = sum(session.exec(select(func.count()).select_from(_missing(model, kind).subquery())).one()
                for kind in (CLAIMS, PRIORS))
    done = stored = 0
    if progress:
        progress(0, total)
    for kind in (CLAIMS, PRIORS):
        source, after = kind.source, 0
        while True:
            rows = session.exec(_missing(model, kind).where(source.id > after).order_by(source.id).limit(batch)).all()
            texts = [text or "" for _, text in rows]
            known = vectors_of_texts(session, texts, model, kind)  # the same text under another id
            session.rollback()  # end the read before the slow part
            if not rows:
                break
            after = rows[-1][0]
            new = [t for t in dict.fromkeys(texts) if t not in known]
            known.update(zip(new, embedder.encode(new) if new else []))
            ids = [cid for cid, _ in rows]
            current = dict(session.exec(select(source.id, getattr(source, kind.text)).where(source.id.in_(ids))).all())
            keep = [(cid, text, known[text]) for cid, text in zip(ids, texts) if (current.get(cid) or "") == text]
            store_vectors(session, keep, model, kind)
            session.commit()
            done, stored = done + len(rows), stored + len(keep)
            if progress:
                progress(done, max(total, done))
    return EmbedResult(embedded=stored, missing=total)


def embedding_status(session: Session) -> EmbeddingStatus:
    """How many searchable claims (and priors) have a vector of the current model, and this
    process's job."""
    model = current_model()
    live = CLAIMS.live()
    claims = session.exec(select(func.count()).select_from(Claim).where(live)).one()
    priors = session.exec(select(func.count()).select_from(PriorFactCheck)).one()
    embedded = priors_embedded = 0
    if model is not None:
        embedded = session.exec(select(func.count()).select_from(ClaimVector)
                                .join(Claim, Claim.id == ClaimVector.claim_id)
                                .where(live, ClaimVector.model == model)).one()
        priors_embedded = session.exec(select(func.count()).select_from(PriorVector)
                                       .where(PriorVector.model == model)).one()
    with _job_lock:
        job = _job
    return EmbeddingStatus(available=model is not None, model=model, embedded=embedded, claims=claims, job=job,
                           priors_embedded=priors_embedded, priors=priors)


_job_lock = threading.Lock()
_job: JobState | None = None
_thread: threading.Thread | None = None


def start_embedding(*, engine: sa.Engine, actor: User, batch: int = BATCH) -> bool:
    """Run embed_missing in a background thread of this process; False when one is already running
    here (another process may run its own: the job is safe to run twice). `engine` should be a
    writer engine (db.writer), so that a batch's write waits its turn on SQLite."""
    global _job, _thread
    _check_admin(actor)
    if actor is None:
        raise NotAllowed("Only admins embed claims.")
    if not available():
        raise InvalidInput("Embeddings are off: the MiniLM packages are missing or FACTCHECK_EMBEDDINGS=0.")
    with _job_lock:
        if _job is not None and _job.running:
            return False
        _job = JobState(running=True)
        _thread = threading.Thread(target=_run_job, args=(engine, actor.id, batch), daemon=True,
                                   name="claim-embedding")
    _thread.start()
    return True


def _run_job(engine: sa.Engine, actor_id: int, batch: int) -> None:
    global _job

    def progress(done: int, total: int) -> None:
        global _job
        with _job_lock:
            _job = replace(_job, done=done, total=total)

    error = None
    try:
        with Session(engine, expire_on_commit=False) as s:
            embed_missing(session=s, actor=s.get(User, actor_id), batch=batch, progress=progress)
    except Exception as exc:  # noqa: BLE001  (the admin page shows what stopped the job)
        log.exception("embedding claims failed")
        error = str(exc) or type(exc).__name__
    with _job_lock:
        _job = replace(_job, running=False, error=error)


def wait_for_job(timeout: float | None = None) -> JobState | None:
    """Block until this process's background job ends (for the CLI and tests)."""
    thread = _thread
    if thread is not None:
        thread.join(timeout)
    with _job_lock:
        return _job
