#!/usr/bin/env python3
"""Benchmarks for factcheck.matching (figures, not timed tests). Run from the project root.

  python bench/matching.py speed [--sizes 100000,1000000] [--queries 200]
      synthetic claims with near-duplicates; typo, reordered and partial queries. Prints build
      time, search p50/p95, recall@10 against RapidFuzz token_set_ratio brute force (tie-aware),
      the brute force's own time, and the private memory of a second process opening the index.
      With --database-url postgresql://... also PostgreSQL's full-text and pg_trgm indexes as the
      candidate stage (top 200, RapidFuzz re-rank) on --pg-queries of the same queries.
      --corpus news: sentences walked from a word trigram chain over real claims and debate
      sentences (--source, default ../shared/eval: CheckThat verified claims and titles, the
      check-worthiness transcripts) instead of the five templates: real vocabulary and lengths, few
      shared templates, and short rows of common words that token_set_ratio ranks high.
  python bench/matching.py tune [--embeddings]
      fits HybridWeights on CheckThat! 2020 train (../shared/eval/checkthat) and prints dev MAP@5.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from factcheck.matching import ClaimIndex, HybridWeights, normalise  # noqa: E402
from factcheck.matching import candidates as cand  # noqa: E402
from factcheck.matching.index import same_text_score  # noqa: E402

CHECKTHAT = ROOT.parent / "shared" / "eval" / "checkthat"

# -- synthetic claims ---------------------------------------------------------------------------
FIRST = ("John Maria Ahmed Olga Li Carlos Aisha Peter Fatima Ivan Chen Sofia Omar Elena Tom Priya "
         "Lucas Yuki Hassan Anna Diego Mei Kofi Ingrid Raj Zara Mateo Leila Sven Amara").split()
LAST = ("Smith Garcia Khan Petrova Wang Silva Okafor Muller Rossi Novak Haddad Kim Jensen Costa "
        "Moreau Ivanova Tanaka Mensah Lopez Schmidt Nguyen Ali Kowalski Sato Brown Dubois Rahman "
        "Fischer Moreno Popescu").split()
PLACES = ("Damascus Moscow Kyiv Berlin Lagos Lima Jakarta Toronto Nairobi Manila Cairo Madrid "
          "Warsaw Dhaka Bogota Chicago Istanbul Tehran Seoul Ankara Paris London Mumbai Accra "
          "Santiago Hanoi Quito Oslo Riga Doha").split()
ROLES = ("mayor senator minister governor president spokesperson councillor candidate ceo chief "
         "judge general ambassador director official").split()
VERBS = ("said claimed announced denied confirmed reported promised warned admitted insisted "
         "suggested revealed stated argued").split()
TOPICS = ("taxes crime unemployment inflation vaccines immigration housing schools pensions "
          "wages emissions hospitals police budget elections refugees tariffs rents fuel water "
          "electricity broadband farming fishing tourism bridges railways airports prisons courts "
          "corruption").split()
CHANGES = ("rose fell doubled halved increased decreased tripled dropped climbed shrank grew "
           "collapsed surged stalled").split()
UNITS = "percent million billion thousand people jobs dollars euros cases homes".split()
FILLER = ("the a in of on by for with since last year this month over under about nearly almost "
          "more than less every new local national federal according to").split()
MONTHS = "January February March April May June July August September October November December".split()


SYLLABLES = ("ka ri mo ta le su na vi po de lo ba ne ru si go fa ma te ki zu ho pe la no mi da "
             "ve ro sa tu bo li ge ny an el or is um ar en ol ur ic").split()
FUNCTION = ("the of and to in a that is was for on with by as at from has have had were are be "
            "been will would not no it its their his her this these than more most over about "
            "after before since during under nearly almost only also every each new last").split()


def _word(r: random.Random, lo=2, hi=4) -> str:
    return "".join(r.choice(SYLLABLES) for _ in range(r.randint(lo, hi)))


class Vocab:
    """Zipf-distributed synthetic content words, names and places (tens of thousands of each)."""

    def __init__(self, seed=2, content=40_000, names=8_000, places=4_000):
        r = random.Random(seed)
        self.content = list(dict.fromkeys(_word(r) for _ in range(content))) + TOPICS + CHANGES
        self.names = list(dict.fromkeys(_word(r, 2, 3).title() for _ in range(names))) + LAST + FIRST
        self.places = list(dict.fromkeys(_word(r, 2, 3).title() for _ in range(places))) + PLACES
        self._cum = {k: np.cumsum(1.0 / np.arange(1, len(getattr(self, k)) + 1) ** 1.05)
                     for k in ("content", "names", "places")}

    def pick(self, r: random.Random, kind: str) -> str:
        cum = self._cum[kind]
        i = int(np.searchsorted(cum, r.random() * cum[-1]))
        return getattr(self, kind)[min(i, len(cum) - 1)]


def make_claim(r: random.Random, v: Vocab) -> str:
    t = r.randrange(5)
    n = r.choice([r.randint(2, 99), r.randint(100, 9999), round(r.uniform(1, 50), 1)])
    name = f"{v.pick(r, 'names')} {v.pick(r, 'names')}"
    place = v.pick(r, "places")
    c = lambda: v.pick(r, "content")  # noqa: E731
    f = lambda: r.choice(FUNCTION)  # noqa: E731
    if t == 0:
        return (f"{r.choice(ROLES).title()} {name} {r.choice(VERBS)} that {c()} {f()} {c()} in "
                f"{place} {r.choice(CHANGES)} by {n} {r.choice(UNITS)} "
                f"{r.choice(['last year', 'since ' + str(r.randint(1990, 2024)), 'in ' + r.choice(MONTHS)])}")
    if t == 1:
        return (f"{place} spends {n} {r.choice(UNITS)} on {c()} {f()} {c()} {c()}, {name} "
                f"{r.choice(VERBS)}")
    if t == 2:
        return (f"{name} was {r.choice(['not ', ''])}involved in the {c()} {c()} in {place} in "
                f"{r.choice(MONTHS)} {r.randint(1990, 2024)}")
    if t == 3:
        return (f"More than {n} {r.choice(UNITS)} {r.choice(['fled', 'left', 'arrived in', 'moved to'])} "
                f"{place} {f()} {c()} {c()} {r.choice(CHANGES)}")
    words = []
    for _ in range(r.randint(5, 14)):
        words += [f(), c()] if r.random() < 0.6 else [c()]
    return " ".join(words).capitalize()


def corpus(n: int, seed: int = 1) -> list[str]:
    r = random.Random(seed)
    v = Vocab()
    out = []
    for i in range(n):
        if out and r.random() < 0.15:        # near-duplicate of an earlier claim
            base = out[r.randrange(len(out))].split()
            j = r.randrange(len(base))
            base[j] = v.pick(r, "content")
            out.append(" ".join(base))
        else:
            out.append(make_claim(r, v))
    return out


def _source_sentences(source: Path) -> list[str]:
    out = []
    with open(source / "checkthat" / "verified_claims.tsv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            out += [row["vclaim"], row["title"]]
    for path in sorted((source / "checkworthiness").glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            cells = line.split("\t")
            if len(cells) >= 3:
                out.append(cells[2])
    return [s for s in out if len(s.split()) >= 5]


def news_corpus(n: int, source: Path, seed: int = 1) -> list[str]:
    """Sentences of real words and lengths, mostly new ones: a walk over word trigrams that falls
    back to bigrams where a pair of words has one follower only (else it would copy its source),
    with as many near-duplicates as corpus() makes."""
    sents = _source_sentences(source)
    tri: dict[tuple, list] = {}
    bi: dict[str, list] = {}
    starts = []
    for s in sents:
        w = s.split() + [None]
        starts.append((w[0], w[1]))
        for i in range(len(w) - 1):
            bi.setdefault(w[i], []).append(w[i + 1])
            if i + 2 < len(w):
                tri.setdefault((w[i], w[i + 1]), []).append(w[i + 2])
    words_seen = [w for s in sents for w in s.split()]
    r = random.Random(seed)
    out: list[str] = []
    while len(out) < n:
        if out and r.random() < 0.15:        # near-duplicate of an earlier claim
            base = out[r.randrange(len(out))].split()
            base[r.randrange(len(base))] = r.choice(words_seen)
            out.append(" ".join(base))
            continue
        a, b = r.choice(starts)
        words = [a] if b is None else [a, b]
        while b is not None and len(words) < 40:
            follow = tri.get((a, b))
            if not follow or len(set(follow)) < 2:
                follow = bi.get(b) or [None]
            a, b = b, r.choice(follow)
            if b is not None:
                words.append(b)
        if 6 <= len(words) <= 40:
            out.append(" ".join(words))
    return out


def typo(word: str, r: random.Random) -> str:
    if len(word) < 4:
        return word
    i = r.randrange(1, len(word) - 1)
    op = r.randrange(3)
    if op == 0:
        return word[:i] + word[i + 1:]
    if op == 1:
        return word[:i] + word[i] + word[i:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def make_queries(claims: list[str], k: int, seed: int = 7) -> list[str]:
    r = random.Random(seed)
    out = []
    for i in range(k):
        words = claims[r.randrange(len(claims))].split()
        kind = i % 4
        if kind == 0:      # typos
            words = [typo(w, r) if r.random() < 0.3 else w for w in words]
        elif kind == 1:    # reordered
            r.shuffle(words)
        elif kind == 2:    # a part of it, with a typo
            s = r.randrange(max(1, len(words) - 4))
            words = words[s:s + r.randint(3, 6)]
            j = r.randrange(len(words))
            words[j] = typo(words[j], r)
        else:              # paraphrase-ish: drop and add words
            words = [w for w in words if r.random() > 0.25] + [r.choice(FUNCTION)]
        out.append(" ".join(words))
    return out


# -- speed ----------------------------------------------------------------------------------------
def brute_force(qn: str, norm_texts: list[str]) -> np.ndarray:
    from rapidfuzz import fuzz, process
    return process.cdist([qn], norm_texts, scorer=fuzz.token_set_ratio, processor=None,
                         workers=1, dtype=np.float32)[0]


def private_mb_of_opener(directory: Path, queries: list[str]) -> dict:
    code = f"""
import json, sys, time
sys.path.insert(0, {str(ROOT)!r})
sys.path.insert(0, {str(ROOT / "bench")!r})
from factcheck.matching import ClaimIndex
from memory import smaps
t = time.perf_counter(); ix = ClaimIndex.open({str(directory)!r}, mode="fuzzy"); open_ms = (time.perf_counter() - t) * 1000
qs = json.loads(sys.stdin.read()); ts = []
for q in qs:
    t = time.perf_counter(); ix.search(q, limit=10); ts.append((time.perf_counter() - t) * 1000)
ts.sort()
kb = smaps()
# Private_Clean counts file pages only this process maps (the index files, until a second worker
# maps them too: then they are shared page cache); Private_Dirty is memory of this process alone
rss = [int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmRSS')][0]
print(json.dumps({{"open_ms": open_ms, "private_mb": (kb['Private_Clean'] + kb['Private_Dirty']) / 1024,
                  "private_dirty_mb": kb['Private_Dirty'] / 1024, "anon_mb": kb.get('Anonymous', 0) / 1024,
                  "rss_mb": rss / 1024,
                  "p50": ts[len(ts) // 2], "p95": ts[int(0.95 * (len(ts) - 1))]}}))
"""
    # a first worker maps the same files and searches the same queries, so that what the measured
    # (second) worker reads of them is shared page cache, as with several gunicorn workers
    holder = subprocess.Popen([sys.executable, "-c", code + "\nsys.stdout.flush()\ntime.sleep(3600)"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        holder.stdin.write(json.dumps(queries))
        holder.stdin.flush()
        holder.stdin.close()
        holder.stdin = None
        holder.stdout.readline()    # its figures: it has searched and still maps the files
        out = subprocess.run([sys.executable, "-c", code], input=json.dumps(queries), text=True,
                             capture_output=True, check=True)
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    return json.loads(out.stdout)


def bench_speed(size: int, n_queries: int, brute_queries: int, database_url: str | None = None,
                pg_queries: int = 30, source: Path | None = None) -> dict:
    claims = corpus(size) if source is None else news_corpus(size, source)
    queries = make_queries(claims, n_queries)
    t, c = time.perf_counter(), time.process_time()
    index = ClaimIndex(mode="fuzzy")
    index.add_many(enumerate(claims))
    index.compact()
    build_s, build_cpu_s = time.perf_counter() - t, time.process_time() - c
    for q in queries[:20]:
        index.search(q)                      # warm up
    times, cpu, results = [], [], []
    for q in queries:
        t, c = time.perf_counter(), time.process_time()
        res = index.search(q, limit=10)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        results.append(res)
    cpu.sort()
    times_sorted = sorted(times)
    norm = [normalise(c) for c in claims]
    hits = total = hits70 = total70 = 0
    bf_times, brute = [], []
    for q, res in list(zip(queries, results))[:brute_queries]:
        t = time.perf_counter()
        scores = brute_force(normalise(q), norm)
        bf_times.append((time.perf_counter() - t) * 1000)
        brute.append(scores)
        h, k = _tie_aware_hits(scores, [m.claim_id for m in res])
        hits, total = hits + h, total + k
        h, k = _tie_aware_hits(scores, [m.claim_id for m in res], floor=70.0)
        hits70, total70 = hits70 + h, total70 + k
    with tempfile.TemporaryDirectory(dir="/tmp") as d:
        t = time.perf_counter()
        index.save(Path(d) / "ix")
        save_s = time.perf_counter() - t
        opener = private_mb_of_opener(Path(d) / "ix", queries[:100])
    bf_times.sort()
    p95 = times_sorted[int(0.95 * (len(times) - 1))]
    bf_p95 = bf_times[int(0.95 * (len(bf_times) - 1))]
    pg = {}
    if database_url:
        pg = bench_postgres(database_url, norm, queries[:pg_queries], brute[:pg_queries],
                            times_sorted[len(times) // 2], p95)
    return pg | {
        "load_avg": os.getloadavg()[0], "size": size, "queries": len(queries),
        "build_s": round(build_s, 2), "build_cpu_s": round(build_cpu_s, 2),
        "p50_ms": round(times_sorted[len(times) // 2], 2), "p95_ms": round(p95, 2),
        "cpu_p50_ms": round(cpu[len(cpu) // 2], 2), "cpu_p95_ms": round(cpu[int(0.95 * (len(cpu) - 1))], 2),
        "recall@10": round(hits / max(1, total), 4), "recall_queries": len(bf_times),
        # the same over brute-force hits scoring 70 or more (the desk's suggest threshold)
        "recall@10_from_70": round(hits70 / max(1, total70), 4),
        "brute_p50_ms": round(bf_times[len(bf_times) // 2], 1), "brute_p95_ms": round(bf_p95, 1),
        "brute_over_index_p50": round(bf_times[len(bf_times) // 2] / times_sorted[len(times) // 2], 1),
        "brute_over_index_p95": round(bf_p95 / p95, 1), "save_s": round(save_s, 2),
        "opener": {k: round(v, 1) for k, v in opener.items()},
        "by_words": by_words(queries, times),
    }


def by_words(queries: list[str], times: list[float]) -> dict:
    """Wall time by query length (normalised words): short queries walk rows by length, long ones
    read the prefix postings first, so the two groups are slow for different reasons."""
    groups: dict[str, list[float]] = {}
    for q, ms in zip(queries, times):
        n = len(normalise(q).split())
        groups.setdefault("1-6" if n <= 6 else "7-12" if n <= 12 else "13+", []).append(ms)
    out = {}
    for name in ("1-6", "7-12", "13+"):
        ms = sorted(groups.get(name, []))
        if ms:
            out[name] = {"queries": len(ms), "p50_ms": round(ms[len(ms) // 2], 1),
                         "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 1)}
    return out


def bench_postgres(url: str, norm: list[str], queries: list[str], brute: list[np.ndarray],
                   index_p50: float, index_p95: float, top: int = 200) -> dict:
    """PostgreSQL's own text indexes as the candidate stage (full-text OR query ranked by ts_rank,
    and pg_trgm similarity), each re-ranked by RapidFuzz: the same claims, the same queries."""
    import psycopg
    from rapidfuzz import fuzz, process
    out = {}
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        conn.execute("DROP TABLE IF EXISTS bench_claims")
        conn.execute("CREATE UNLOGGED TABLE bench_claims (id integer PRIMARY KEY, body text NOT NULL, "
                     "tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED)")
        t = time.perf_counter()
        with conn.cursor().copy("COPY bench_claims (id, body) FROM STDIN") as cp:
            for i, text in enumerate(norm):
                cp.write_row((i, text))
        out["pg_load_s"] = round(time.perf_counter() - t, 1)
        for name, ddl in (("fts", "CREATE INDEX bench_claims_tsv ON bench_claims USING gin (tsv)"),
                          ("trgm", "CREATE INDEX bench_claims_trgm ON bench_claims "
                                   "USING gin (body gin_trgm_ops)")):
            t = time.perf_counter()
            conn.execute(ddl)
            out[f"pg_{name}_build_s"] = round(time.perf_counter() - t, 1)
        conn.execute("ANALYZE bench_claims")
        sql = {
            "fts": "SELECT id, body FROM bench_claims WHERE tsv @@ to_tsquery('simple', %s) "
                   "ORDER BY ts_rank(tsv, to_tsquery('simple', %s)) DESC LIMIT %s",
            "trgm": "SELECT id, body FROM bench_claims WHERE body %% %s "
                    "ORDER BY similarity(body, %s) DESC LIMIT %s",
        }
        for name, stmt in sql.items():
            times, hits, total = [], 0, 0
            for q, scores in zip(queries, brute):
                qn = normalise(q)
                arg = " | ".join(dict.fromkeys(qn.split())) if name == "fts" else qn
                t = time.perf_counter()
                rows = conn.execute(stmt, (arg, arg, top)).fetchall() if qn else []
                got = []
                if rows:
                    sc = process.cdist([qn], [r[1] for r in rows], scorer=fuzz.token_set_ratio,
                                       processor=None, workers=1)[0]
                    got = [rows[i][0] for i in np.argsort(-sc, kind="stable")[:10]]
                times.append((time.perf_counter() - t) * 1000)
                h, k = _tie_aware_hits(scores, got)
                hits, total = hits + h, total + k
            times.sort()
            p50, p95 = times[len(times) // 2], times[int(0.95 * (len(times) - 1))]
            out[f"pg_{name}"] = {"p50_ms": round(p50, 1), "p95_ms": round(p95, 1),
                                 "recall@10": round(hits / max(1, total), 4),
                                 "over_index_p50": round(p50 / index_p50, 1),
                                 "over_index_p95": round(p95 / index_p95, 1)}
        conn.execute("DROP TABLE bench_claims")
    return out


def _tie_aware_hits(scores: np.ndarray, got: list[int], floor: float = 0.0) -> tuple[int, int]:
    """(hits, k): how many of `got` reach the brute force's k-th best score (k <= 10 rows that
    score above `floor`)."""
    k = min(10, int((scores > floor).sum()) if floor == 0 else int((scores >= floor).sum()))
    if k == 0:
        return 0, 0
    kth = np.partition(scores, len(scores) - k)[len(scores) - k]
    return sum(scores[i] >= kth - 0.01 for i in got[:k]), k


# -- CheckThat! tuning ----------------------------------------------------------------------------
def read_tsv(path):
    csv.field_size_limit(10**8)
    with open(path, newline="", encoding="utf-8") as f:
        return [r for r in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE) if len(r) >= 2]


def load_split(split):
    queries = {r[0].strip(): r[1] for r in read_tsv(CHECKTHAT / split / "queries.tsv")[1:]}
    gold = {}
    for r in read_tsv(CHECKTHAT / split / "qrels.tsv"):
        gold.setdefault(r[0].strip(), set()).add(r[2].strip())
    return [(queries[q], g) for q, g in gold.items() if q in queries]


def ap5(ranked, relevant):
    hits, total = 0, 0.0
    for i, c in enumerate(ranked[:5], 1):
        if c in relevant:
            hits += 1
            total += hits / i
    return total / min(len(relevant), 5)


def pools(index: ClaimIndex, data):
    """Per query: the candidate features, claim ids, gold ids, texts and (segment, row) order."""
    out = []
    saved = index.weights   # every feature is computed for tuning, zero-weighted ones too
    index.weights = replace(saved, set_ratio=saved.set_ratio or 1e-9,
                            sort_ratio=saved.sort_ratio or 1e-9, partial=saved.partial or 1e-9)
    for text, gold in data:
        q = cand.Query.from_norm(normalise(text))
        segs = index._segments()
        pool = index._hybrid_pool(text, q, segs)
        if pool is None:
            out.append((np.zeros((5, 0)), [], gold, [], np.zeros(0)))
            continue
        segi, rows, feats, texts = pool
        ids = [str(segs[s][0].claim_id(int(r))) for s, r in zip(segi, rows)]
        out.append((feats, ids, gold, texts, segi * (1 << 40) + rows))
    index.weights = saved
    return out


def map5(pool_list, weights: HybridWeights) -> float:
    """MAP@5 of the pools ranked exactly as ClaimIndex.search ranks them."""
    aps = []
    for feats, ids, gold, texts, pos in pool_list:
        if not ids:
            aps.append(0.0)
            continue
        s = same_text_score(weights.combine(feats), texts)
        order = np.lexsort((pos, -s))[:5]
        aps.append(ap5([ids[i] for i in order], gold))
    return float(np.mean(aps))


FIELDS = ("bm25", "set_ratio", "sort_ratio", "partial", "cosine_share")


def fit_weights(train, start: HybridWeights, fields, steps=(0.2, 0.1, 0.05, 0.02)) -> tuple:
    """Coordinate ascent on train MAP@5 over the given weight fields (weights stay >= 0)."""
    best_w, best = start, map5(train, start)
    for step in steps:
        improved = True
        while improved:
            improved = False
            for f in fields:
                for d in (step, -step):
                    v = round(getattr(best_w, f) + d, 4)
                    if v < 0 or (f == "cosine_share" and v > 1):
                        continue
                    w = replace(best_w, **{f: v})
                    if w.bm25 + w.set_ratio + w.sort_ratio + w.partial == 0:
                        continue
                    m = map5(train, w)
                    if m > best + 1e-9:
                        best_w, best, improved = w, m, True
    return best_w, best


class CachedEmbedder:
    """Wraps the embedder with an on-disk cache so that repeated tuning runs skip re-encoding."""

    def __init__(self, inner, path=Path(tempfile.gettempdir()) / "factcheck-bench-vectors.npz"):
        self.inner, self.path = inner, path
        self.cache = {}
        if path.exists():
            data = np.load(path, allow_pickle=False)
            self.cache = dict(zip(data["texts"].tolist(), data["vectors"]))

    def encode(self, texts):
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if missing:
            for t, v in zip(missing, self.inner.encode(missing)):
                self.cache[t] = v
            if len(missing) > 100:
                keys = list(self.cache)
                np.savez(self.path, texts=np.array(keys), vectors=np.stack([self.cache[k] for k in keys]))
        return np.stack([self.cache[t] for t in texts]) if texts else np.zeros((0, 384), np.float32)


def tune(embeddings: bool) -> None:
    claims = [r for r in read_tsv(CHECKTHAT / "verified_claims.tsv")[1:]]
    embedder = None
    if embeddings:
        from factcheck.matching.embeddings import default_embedder
        embedder = default_embedder()
        assert embedder is not None, "embedding packages missing"
        embedder = CachedEmbedder(embedder)
    t = time.perf_counter()
    index = ClaimIndex(embedder=embedder)   # None: lexical
    index.add_many((r[0].strip(), r[1]) for r in claims)
    index.search("warm up")
    print(f"index {len(index)} claims in {time.perf_counter() - t:.1f}s", flush=True)
    train, dev = pools(index, load_split("train")), pools(index, load_split("dev"))
    base = index.weights
    print(f"current defaults: train {map5(train, base):.4f} dev {map5(dev, base):.4f}")
    fields = FIELDS if embeddings else FIELDS[:4]
    w, best = fit_weights(train, base, fields)
    print(f"best on train {best:.4f}: " + " ".join(f"{f}={getattr(w, f)}" for f in fields))
    print(f"dev map@5 with these weights: {map5(dev, w):.4f}")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    sp = sub.add_parser("speed")
    sp.add_argument("--sizes", default="100000,1000000")
    sp.add_argument("--queries", type=int, default=200)
    sp.add_argument("--brute-queries", type=int, default=100)
    sp.add_argument("--database-url", help="also time PostgreSQL's full-text and pg_trgm indexes "
                    "as the candidate stage (a scratch table in this database)")
    sp.add_argument("--pg-queries", type=int, default=30)
    sp.add_argument("--corpus", choices=("templates", "news"), default="templates")
    sp.add_argument("--source", type=Path, default=ROOT.parent / "shared" / "eval",
                    help="for --corpus news: the folder holding checkthat/ and checkworthiness/")
    tp = sub.add_parser("tune")
    tp.add_argument("--embeddings", action="store_true")
    args = ap.parse_args()
    if args.cmd == "speed":
        for size in (int(s) for s in args.sizes.split(",")):
            source = args.source if args.corpus == "news" else None
            if source is not None and not (source / "checkthat" / "verified_claims.tsv").is_file():
                ap.error(f"--corpus news needs {source}/checkthat/verified_claims.tsv")
            print(json.dumps({"corpus": args.corpus} | bench_speed(
                size, args.queries, args.brute_queries, args.database_url, args.pg_queries,
                source)), flush=True)
    else:
        tune(args.embeddings)


if __name__ == "__main__":
    main()
