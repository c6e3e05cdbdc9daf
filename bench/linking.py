#!/usr/bin/env python3
"""How long linking a new article's claims takes against a desk with many past claims.

    python bench/linking.py [--past 100000] [--claims 40] [--runs 5] [--threads N] [--lexical]
                            [--quiet-cpu SECONDS] [--embed-past] [--real DIR]

Seeds a fresh SQLite database with --past synthetic claims (rows, index and stored vectors), then
times links.suggest_links for a --claims article (half of its claims paraphrase past ones):
"first sight" (the article's claims are new: they are embedded in one batch and stored) and
"cached" (the same claims linked again: every vector is read back), with past vectors read from
the database and then from a `claims reindex` base (memory-mapped); then for real articles: the
last article of each story in ../shared/eval/linking, its claims as the extractor finds them,
linked on top of the story's other articles (--real DIR; skipped where it is missing). The past
claims' vectors are random unit vectors unless --embed-past (embedding 100k claims takes about
20 minutes): reading them costs the same, but the cosine then says nothing. The synthetic claims
share templates, so each new one links to about nine past ones (real articles: about one). Ends
with the whole import_article of a real-looking article. Prints milliseconds, wall and CPU, and
where the time went; on a shared machine pass --quiet-cpu 60. A figure, not a test.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--past", type=int, default=100_000)
    ap.add_argument("--claims", type=int, default=40)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--threads", type=int, help="MiniLM intra-op threads (FACTCHECK_EMBEDDING_THREADS)")
    ap.add_argument("--lexical", action="store_true", help="embeddings off (FACTCHECK_EMBEDDINGS=0)")
    ap.add_argument("--embed-past", action="store_true", help="real vectors for the past claims (slow)")
    ap.add_argument("--real", type=Path, default=ROOT.parent / "shared" / "eval" / "linking",
                    help="stories.json and article texts for the real-article timings")
    ap.add_argument("--quiet-cpu", type=float, default=0.0, metavar="SECONDS",
                    help="before each timed call wait (at most this long) for a second with the CPU 90%% idle: "
                         "other people's jobs on a shared machine otherwise decide the figures")
    return ap.parse_args()


ARGS = parse_args() if __name__ == "__main__" else None
if ARGS is not None:
    os.environ["FACTCHECK_EMBEDDINGS"] = "0" if ARGS.lexical else "1"
    if ARGS.threads:
        os.environ["FACTCHECK_EMBEDDING_THREADS"] = str(ARGS.threads)

import numpy as np  # noqa: E402
from sqlmodel import Session  # noqa: E402

from factcheck import articles, claim_index, claim_vectors, db, index_store, links, users  # noqa: E402
from factcheck.matching import embeddings  # noqa: E402
from factcheck.models import Article, Claim, ClaimChange, Role  # noqa: E402
from factcheck.pipeline import analyse_text  # noqa: E402

PEOPLE = "Ruiz Osei Petrova Haddad Tanaka Mensah Novak Moreau Silva Kowalski".split()
PLACES = "Northport Riverton Lakeside Hillcrest Eastbrook Millford Westham Ashby Kingsway Oakdale".split()
THINGS = "bridge school hospital tram line library harbour stadium water plant ring road airport".split()
VERBS = ("will cost", "cost", "was budgeted at", "needs")


def claim_text(rng: random.Random) -> str:
    return (f"The {rng.choice(THINGS)} in {rng.choice(PLACES)} {rng.choice(VERBS)} "
            f"${rng.randint(1, 900) / 10:.1f} million, {rng.choice(PEOPLE)} said in {rng.randint(1990, 2026)}.")


def paraphrase(text: str, rng: random.Random) -> str:
    words = text.rstrip(".").split()
    rng.shuffle(words[:3])
    return "According to officials, " + " ".join(words).replace(" million", "M") + "."


def seed(session: Session, past: int, rng: random.Random, embed_past: bool) -> list[str]:
    admin = users.create_user(session=session, actor=None, username="bench", password="quiet-lantern-river-42",
                              role=Role.ADMIN)
    article = Article(title="past", text="x", imported_by_id=admin.id)
    session.add(article)
    session.flush()
    texts = [claim_text(rng) for _ in range(past)]
    session.bulk_insert_mappings(Claim, [{"article_id": article.id, "text": t, "start": 0, "end": 1}
                                         for t in texts])
    session.add(ClaimChange(claim_id=1, op="upsert"))
    session.commit()
    embedder = embeddings.active_embedder()
    if embedder is not None and not embed_past:
        vecs = np.random.default_rng(7).standard_normal((past, embedder.dim)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        for start in range(0, past, 10_000):
            rows = [(i + 1, texts[i], vecs[i]) for i in range(start, min(past, start + 10_000))]
            claim_vectors.store_vectors(session, rows, claim_vectors.name_of(embedder))
        session.commit()
    elif embedder is not None:
        claim_vectors.embed_missing(session=session, actor=None, batch=256)
    return texts


class Stages:
    """Milliseconds spent in each stage of suggest_links (wrapped from outside: links.py is unchanged)."""

    def __init__(self):
        self.ms: dict[str, float] = {}

    def wrap(self, owner, attr: str, label: str) -> None:
        inner = getattr(owner, attr)

        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.ms[label] = self.ms.get(label, 0.0) + (time.perf_counter() - t0) * 1000

        setattr(owner, attr, timed)


STAGES = Stages()


def cpu_idle(seconds: float = 1.0) -> float:
    """Share of CPU time idle over the next `seconds` (Linux /proc/stat)."""
    def snap():
        with open("/proc/stat") as fh:
            v = [int(x) for x in fh.readline().split()[1:]]
        return v[3] + v[4], sum(v)
    i0, t0 = snap()
    time.sleep(seconds)
    i1, t1 = snap()
    return (i1 - i0) / max(1, t1 - t0)


QUIET = {"waited": 0, "noisy": 0}


def wait_for_quiet(limit: float) -> None:
    if limit <= 0:
        return
    start = time.monotonic()
    while cpu_idle() < 0.9:
        if time.monotonic() - start > limit:
            QUIET["noisy"] += 1
            return
    QUIET["waited"] += 1


class Timed:
    """Wraps the embedder to count the time and texts the model takes."""

    def __init__(self, inner):
        self.inner, self.ms, self.texts = inner, 0.0, 0
        self.name, self.dim = inner.name, inner.dim

    def encode(self, texts):
        t0 = time.perf_counter()
        try:
            return self.inner.encode(texts)
        finally:
            self.ms += (time.perf_counter() - t0) * 1000
            self.texts += len(texts)


def time_linking(s, actor, index, texts, rng, runs, n_claims, timed, quiet):
    first, again, model_ms, model_texts, made = [], [], [], [], []
    stages = {"first": [], "again": []}
    STAGES.wrap(index, "search", "candidate search")
    for run in range(runs):
        article = Article(title=f"new {run}", text="x", imported_by_id=actor.id)
        s.add(article)
        s.flush()
        new = [Claim(article_id=article.id, start=0, end=1,
                     text=paraphrase(rng.choice(texts), rng) if i % 2 else claim_text(rng)) for i in range(n_claims)]
        s.add_all(new)
        s.flush()
        for key, series in (("first", first), ("again", again)):
            if timed is not None:
                timed.ms, timed.texts = 0.0, 0
            STAGES.ms = {}
            wait_for_quiet(quiet)
            w0, c0 = time.perf_counter(), time.process_time()
            made = links.suggest_links(session=s, actor=actor, claims=new, index=index)
            series.append(((time.perf_counter() - w0) * 1000, (time.process_time() - c0) * 1000))
            spent = dict(STAGES.ms, model=timed.ms if timed is not None else 0.0)
            spent["writes and the rest"] = series[-1][0] - sum(spent.get(k, 0.0) for k in
                                                                ("candidate search", "vectors", "pair scoring"))
            stages[key].append(spent)
            if key == "first" and timed is not None:
                model_ms.append(timed.ms)
                model_texts.append(timed.texts)
        s.rollback()
    del index.search  # back to the class's method
    return first, again, model_ms, model_texts, len(made), stages


def time_real_articles(s, actor, directory: Path, timed, quiet) -> None:
    """Each story's earlier articles imported, then its last article's claims linked (first sight, cached)."""
    import json
    print("real articles (earlier articles of the story imported first, on top of the synthetic desk):")
    for story, keys in json.loads((directory / "stories.json").read_text()).items():
        for key in keys[:-1]:
            articles.import_article(session=s, actor=actor, source=articles.ArticleSource(
                filename=f"{key}.txt", data=(directory / f"{key}.txt").read_bytes()), outlet=key)
        text = (directory / f"{keys[-1]}.txt").read_text()
        article = Article(title=story, text=text, imported_by_id=actor.id, outlet=keys[-1])
        s.add(article)
        s.flush()
        new = [Claim(article_id=article.id, text=d.text, start=d.start, end=d.end) for d in analyse_text(text).claims]
        s.add_all(new)
        s.flush()
        index = claim_index.current_index(s)
        STAGES.wrap(index, "search", "candidate search")
        figures = []
        for _ in ("first sight", "cached"):
            STAGES.ms = {}
            if timed is not None:
                timed.ms = 0.0
            wait_for_quiet(quiet)
            w0, c0 = time.perf_counter(), time.process_time()
            made = links.suggest_links(session=s, actor=actor, claims=new, index=index)
            figures.append(f"{(time.perf_counter() - w0) * 1000:.0f} ms wall ({(time.process_time() - c0) * 1000:.0f} CPU; "
                           f"search {STAGES.ms.get('candidate search', 0):.0f}, model {timed.ms if timed else 0:.0f})")
        del index.search
        s.commit()
        print(f"  {story}: {len(new)} claims, {len(made)} links: first sight {figures[0]}, cached {figures[1]}")


def describe_stages(runs: list[dict]) -> str:
    keys = ("candidate search", "vectors", "pair scoring", "writes and the rest", "model")
    text = ", ".join(f"{k} {statistics.median(r.get(k, 0.0) for r in runs):.0f}" for k in keys)
    return text.replace(", model", "; the model (in a thread, alongside the search)")


def describe(label, series):
    wall = [w for w, _ in series]
    cpu = [c for _, c in series]
    return (f"{label}: median {statistics.median(wall):.0f} ms wall ({statistics.median(cpu):.0f} ms CPU), "
            f"best {min(wall):.0f} ms")


def main() -> None:
    args = ARGS
    rng = random.Random(7)
    print(f"load: {os.popen('uptime').read().strip()}")
    embedder = embeddings.active_embedder()
    timed = None
    if embedder is not None:
        timed = Timed(embedder)
        embeddings._cached["default"] = timed  # every caller gets the timed wrapper
        print(f"embeddings on: {embedder.name}, {embedder.threads} intra-op thread(s), batch {embeddings.BATCH}")
    else:
        print("embeddings off: lexical scoring only")
    STAGES.wrap(links.claim_vectors, "vectors_for", "vectors")  # waiting for the model, lookups, storing
    STAGES.wrap(links, "score_pairs", "pair scoring")
    with tempfile.TemporaryDirectory() as tmp:
        engine = db.make_engine(f"sqlite:///{tmp}/bench.sqlite")
        db.create_all(engine)
        with Session(db.writer(engine), expire_on_commit=False) as s:
            t0 = time.perf_counter()
            texts = seed(s, args.past, rng, args.embed_past)
            print(f"past claims {args.past:,} seeded with {'real' if args.embed_past else 'random'} vectors "
                  f"in {time.perf_counter() - t0:.1f} s")
            actor = users.get_user(session=s, username="bench")
            t0 = time.perf_counter()
            index = claim_index.current_index(s)
            print(f"index built in {time.perf_counter() - t0:.1f} s (no base: past vectors come from the database)")
            for where in ("database", "index base"):
                if where == "index base":
                    directory = Path(tmp) / "index"
                    claim_index.configure(str(engine.url), directory)
                    claim_index.forget(str(engine.url))
                    t0 = time.perf_counter()
                    base = claim_index.reindex(s)
                    index = claim_index.current_index(s)
                    print(f"claims reindex: {base.claims:,} claims, vectors {index_store.vector_model(base.path)}, "
                          f"{time.perf_counter() - t0:.1f} s")
                first, again, model_ms, model_texts, made, stages = time_linking(s, actor, index, texts, rng, args.runs,
                                                                                  args.claims, timed, args.quiet_cpu)
                print(f"link a {args.claims}-claim article, past vectors from the {where}, {args.runs} runs "
                      f"({made} links in the last):")
                print("  " + describe("first sight", first))
                if model_ms:
                    print(f"    the model embedded a median {statistics.median(model_texts):.0f} texts")
                print(f"    stages (median ms): {describe_stages(stages['first'])}")
                print("  " + describe("cached", again))
                print(f"    stages (median ms): {describe_stages(stages['again'])}")
            if (args.real / "stories.json").is_file():
                time_real_articles(s, actor, args.real, timed, args.quiet_cpu)
            story = (ROOT / "factcheck" / "demo" / "harbour-bridge-herald.txt").read_bytes()
            t0 = time.perf_counter()
            articles.import_article(session=s, actor=actor, source=articles.ArticleSource(filename="a.txt", data=story))
            print(f"import the demo article (extraction, model warm-up included, and linking): "
                  f"{(time.perf_counter() - t0) * 1000:.0f} ms")
            t0 = time.perf_counter()
            articles.import_article(session=s, actor=actor, source=articles.ArticleSource(filename="a.txt", data=story))
            print(f"import it again (warm): {(time.perf_counter() - t0) * 1000:.0f} ms")
    if args.quiet_cpu:
        print(f"timed calls after a quiet second: {QUIET['waited']}; without one (waited {args.quiet_cpu:.0f} s): "
              f"{QUIET['noisy']}")
    print(f"load: {os.popen('uptime').read().strip()}")


if __name__ == "__main__":
    main()
