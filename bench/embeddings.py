#!/usr/bin/env python3
"""What the embedding model costs a worker: memory of a second worker, load and encode times.

    python bench/embeddings.py [--texts 40] [--runs 9]

A first process loads MiniLM as the app does (`embeddings.default_embedder()`), embeds, and waits;
a second one then does the same and reports what it added of its own (Private_Clean + Private_Dirty
of /proc/self/smaps_rollup, after minus before loading) and what it shares, as a second gunicorn
worker would. Then the time to embed --texts short claims (as linking embeds a new article's) and
40 long sentences, on 1 and 2 intra-op threads. A figure, not a test.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WORKER = r"""
import json, sys, time
sys.path.insert(0, {root!r})
sys.path.insert(0, {root!r} + "/bench")
from memory import own_and_shared_mb
from factcheck.matching import embeddings
before, _ = own_and_shared_mb()
t = time.perf_counter()
emb = embeddings.default_embedder()
load_ms = (time.perf_counter() - t) * 1000
emb.encode(["The harbour bridge repairs will cost the city $2.6 million, the mayor said."] * 40)
after, shared = own_and_shared_mb()
print(json.dumps({{"load_ms": load_ms, "own_mb": after - before, "shared_mb": shared}}), flush=True)
time.sleep(float(sys.argv[1]))
"""


def worker(hold: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WORKER.format(root=str(ROOT)), str(hold)],
                            stdout=subprocess.PIPE, text=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--texts", type=int, default=40)
    ap.add_argument("--runs", type=int, default=9)
    args = ap.parse_args()
    print(f"load: {os.popen('uptime').read().strip()}")
    first = worker(600)
    try:
        one = json.loads(first.stdout.readline())
        second = worker(0)
        two = json.loads(second.stdout.readline())
        second.wait()
        second.stdout.close()
    finally:
        first.kill()
        first.wait()
        first.stdout.close()
    print(f"first worker: loaded in {one['load_ms']:.0f} ms, {one['own_mb']:.0f} MB of its own")
    print(f"second worker: loaded in {two['load_ms']:.0f} ms, {two['own_mb']:.0f} MB of its own, "
          f"{two['shared_mb']:.0f} MB shared with others")

    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import random

    import linking
    from factcheck.matching import embeddings
    rng = random.Random(3)
    short = [linking.claim_text(rng) for _ in range(args.texts)]
    text = (ROOT / "bench" / "articles" / "forty-long-sentences.txt").read_text()
    long_ = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))[:40]
    files = embeddings.find_model_files()
    for threads in (1, 2):
        emb = embeddings.MiniLMEmbedder(*files, threads=threads)
        for label, texts in ((f"{len(short)} short claims", short), (f"{len(long_)} long sentences", long_)):
            emb.encode(texts)
            times = []
            for _ in range(args.runs):
                t = time.perf_counter()
                emb.encode(texts)
                times.append((time.perf_counter() - t) * 1000)
            print(f"{threads} thread(s), {label}: median {statistics.median(times):.0f} ms, best {min(times):.0f} ms")


if __name__ == "__main__":
    main()
