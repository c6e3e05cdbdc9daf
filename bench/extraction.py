#!/usr/bin/env python3
"""Extraction speed: sentences per second and ms per article, model load excluded (it is per process).

    python bench/extraction.py [ARTICLE.txt ...] [--repeat N]
    python bench/extraction.py --fit-worthiness DIR   # refit worthiness weights on CheckThat 2019 TSVs

Without paths it times bench/articles/*.txt (a 40-sentence article of long sentences) and the
fixtures in tests/pipeline/fixtures. Each line gives the best and the median of N warm runs.
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def bench(paths, repeat):
    from factcheck.pipeline import analyse_text
    from factcheck.pipeline.nlp import get_nlp
    from factcheck.pipeline.sentences import split_sentences

    started = time.perf_counter()
    get_nlp()
    print(f"model load: {(time.perf_counter() - started) * 1000:.0f} ms; "
          f"load average before timing {load_average()} on {os.cpu_count()} cores")
    texts = [(p, Path(p).read_text(encoding="utf-8")) for p in paths]
    analyse_text(texts[0][1])  # warm-up
    total_sentences, total_seconds = 0, 0.0
    for path, text in texts:
        n_sentences = len(split_sentences(text))
        runs, cpu = [], []
        for _ in range(repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            extraction = analyse_text(text)
            runs.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        median = statistics.median(runs)
        total_sentences += n_sentences
        total_seconds += median
        print(f"{Path(path).name:40s} {n_sentences:4d} sentences {len(extraction.claims):4d} claims "
              f"best {min(runs) * 1000:7.1f} ms  median {median * 1000:7.1f} ms  "
              f"cpu best {min(cpu) * 1000:6.1f} ms  ({extraction.extractor})")
    print(f"total: {total_sentences / total_seconds:.0f} sentences/s, "
          f"{total_seconds / len(texts) * 1000:.1f} ms per article (median of {repeat}); "
          f"load average after {load_average()} on {os.cpu_count()} cores")


def load_average() -> str:
    """The 1, 5 and 15 minute load averages as uptime prints them (the machine is shared)."""
    if not hasattr(os, "getloadavg"):
        return "n/a"
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def fit_worthiness(directory, epochs=3000, rate=1.0, l2=1e-3):
    """Logistic regression over worthiness features; prints WEIGHTS for worthiness.py and leave-one-out MAP."""
    import numpy as np

    from factcheck.pipeline.worthiness import FEATURES, feature_vector

    names = list(FEATURES)
    debates = []
    for path in sorted(Path(directory).glob("*.tsv")):
        rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
        rows = [r for r in rows if len(r) >= 4]
        x = np.array([[feature_vector(r[2]).get(k, 0.0) for k in names] for r in rows])
        y = np.array([int(r[-1]) for r in rows], dtype=float)
        debates.append((path.name, x, y))

    def train(parts):
        x = np.vstack([p[1] for p in parts])
        y = np.concatenate([p[2] for p in parts])
        pos_weight = (len(y) - y.sum()) / max(1.0, y.sum())
        sample = np.where(y == 1, pos_weight, 1.0)
        w, b = np.zeros(x.shape[1]), 0.0
        for _ in range(epochs):
            p = 1 / (1 + np.exp(-(x @ w + b)))
            g = (p - y) * sample / sample.sum()
            w -= rate * (x.T @ g + l2 * w)
            b -= rate * g.sum()
        return w, b

    def average_precision(scores, y):
        order = np.argsort(-scores, kind="stable")
        hits, ap = 0, 0.0
        for rank, i in enumerate(order, 1):
            if y[i]:
                hits += 1
                ap += hits / rank
        return ap / max(1, y.sum())

    aps = []
    for i, (name, x, y) in enumerate(debates):
        w, b = train(debates[:i] + debates[i + 1:])
        aps.append(average_precision(x @ w + b, y))
    print(f"leave-one-debate-out MAP: {statistics.mean(aps):.4f}")
    w, b = train(debates)
    # the worthiness threshold is 0.5: shift the bias so about the top 10% of sentences pass it
    x_all = np.vstack([d[1] for d in debates])
    z = x_all @ w + b
    b -= np.quantile(z, 0.9)
    print("WEIGHTS = {")
    print(f'    "bias": {b:.3f},')
    for k, v in zip(names, w):
        print(f'    "{k}": {v:.3f},')
    print("}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--fit-worthiness", metavar="DIR")
    args = parser.parse_args()
    if args.fit_worthiness:
        fit_worthiness(args.fit_worthiness)
        return
    paths = args.paths or sorted(str(p) for p in (ROOT / "bench/articles").glob("*.txt")) \
        + sorted(str(p) for p in (ROOT / "tests/pipeline/fixtures").glob("*.txt"))
    bench(paths, args.repeat)


if __name__ == "__main__":
    main()
