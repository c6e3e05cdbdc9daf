#!/usr/bin/env python3
"""Other desks' fact-checks found by meaning: the prior index as the app runs it, on CheckThat.

    python bench/priors.py [--eval ../shared/eval] [--split dev]

The app's prior index is lexical (claim_index.PriorFollower: no model in the index) and is handed
the vectors that the embedding job stored; a search passes the query's vector when it has one.
This builds that index over CheckThat! 2020's 10,389 fact-checked claims and scores the split's
tweets three ways: words only (embeddings off), with the stored vectors but a query without one
(what a search gets before anything is embedded on its side), and with both (as an imported
article's claims, whose vectors linking stores, and the API's search). Prints MAP@5 (the task's
measure, scored by the eval's own function) and search times. Embedding the claims takes about a
minute here. A figure, not a test.
"""
from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from factcheck.matching import ClaimIndex, embeddings  # noqa: E402


def eval_module(directory: Path):
    spec = importlib.util.spec_from_file_location("eval_matching", directory / "eval_matching.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    ap.add_argument("--split", default="dev")
    args = ap.parse_args()
    ev = eval_module(args.eval)
    d = args.eval / "checkthat"
    claims, queries, gold = ev.load(d / "verified_claims.tsv", d / args.split / "queries.tsv",
                                    d / args.split / "qrels.tsv")
    embedder = embeddings.default_embedder()
    if embedder is None:
        sys.exit("MiniLM is not installed: nothing to compare")
    t0 = time.perf_counter()
    vectors = embedder.encode([text for _, text in claims])
    print(f"{len(claims):,} fact-checks embedded in {time.perf_counter() - t0:.0f} s ({embedder.name})")
    asked = [(qid, rel) for qid, rel in gold.items() if qid in queries]
    qvecs = embedder.encode([queries[qid] for qid, _ in asked])

    lexical = ClaimIndex(embedder=None)
    lexical.add_many(claims)
    stored = ClaimIndex(embedder=None, keep_vectors=True)
    stored.add_many(claims, vectors=list(vectors))
    for label, index, with_query in (("words only", lexical, False),
                                     ("stored vectors, query without one", stored, False),
                                     ("stored vectors and the query's", stored, True)):
        aps, times = [], []
        for (qid, relevant), qvec in zip(asked, qvecs):
            t = time.perf_counter()
            found = index.search(queries[qid], limit=10, vector=qvec if with_query else None)
            times.append((time.perf_counter() - t) * 1000)
            aps.append(ev.average_precision_at([str(m.claim_id) for m in found], relevant, 5))
        times.sort()
        print(f"{label}: MAP@5 {np.mean(aps):.4f} over {len(aps)} queries, search p50 "
              f"{statistics.median(times):.1f} ms, p95 {times[int(0.95 * (len(times) - 1))]:.1f} ms")


if __name__ == "__main__":
    main()
