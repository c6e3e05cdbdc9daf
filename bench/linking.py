#!/usr/bin/env python3
"""How long linking a new article's claims takes against a desk with many past claims.

    python bench/linking.py [--past 100000] [--claims 40] [--runs 5]

Seeds a fresh SQLite database with --past synthetic claims (rows and index), then times
links.suggest_links for a --claims article (half of its claims paraphrase past ones) and the whole
import_article (extraction + linking) of a real-looking article. Prints milliseconds; a figure,
not a test.
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

os.environ.setdefault("FACTCHECK_EMBEDDINGS", "0")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlmodel import Session  # noqa: E402

from factcheck import articles, claim_index, db, links, users  # noqa: E402
from factcheck.models import Article, Claim, ClaimChange, Role  # noqa: E402

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


def seed(session: Session, past: int, rng: random.Random) -> list[str]:
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
    return texts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--past", type=int, default=100_000)
    ap.add_argument("--claims", type=int, default=40)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        engine = db.make_engine(f"sqlite:///{tmp}/bench.sqlite")
        db.create_all(engine)
        with Session(db.writer(engine), expire_on_commit=False) as s:
            texts = seed(s, args.past, rng)
            t0 = time.perf_counter()
            index = claim_index.current_index(s)
            print(f"past claims {args.past:,}: index built in {time.perf_counter() - t0:.1f} s")
            actor = users.get_user(session=s, username="bench")
            timings = []
            for run in range(args.runs):
                article = Article(title=f"new {run}", text="x", imported_by_id=actor.id)
                s.add(article)
                s.flush()
                new = [Claim(article_id=article.id, start=0, end=1,
                             text=paraphrase(rng.choice(texts), rng) if i % 2 else claim_text(rng))
                       for i in range(args.claims)]
                s.add_all(new)
                s.flush()
                t0 = time.perf_counter()
                made = links.suggest_links(session=s, actor=actor, claims=new, index=index)
                timings.append((time.perf_counter() - t0) * 1000)
                s.rollback()
            print(f"link a {args.claims}-claim article: median {statistics.median(timings):.0f} ms, "
                  f"best {min(timings):.0f} ms over {args.runs} runs ({len(made)} links in the last run)")
            story = (ROOT / "factcheck" / "demo" / "harbour-bridge-herald.txt").read_bytes()
            t0 = time.perf_counter()
            articles.import_article(session=s, actor=actor, source=articles.ArticleSource(filename="a.txt", data=story))
            print(f"import the demo article (extraction, model warm-up included, and linking): "
                  f"{(time.perf_counter() - t0) * 1000:.0f} ms")
            t0 = time.perf_counter()
            articles.import_article(session=s, actor=actor, source=articles.ArticleSource(filename="a.txt", data=story))
            print(f"import it again (warm): {(time.perf_counter() - t0) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
