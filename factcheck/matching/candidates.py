"""Candidate generation over one segment: postings gather, exact token_set_ratio bounds, typo expansion.

token_set_ratio(q, r) is the best of three ratios. Two of them depend only on token lengths: with
X the summed (len + 1) of the tokens q and r share and Lq, Lr the same sums over each side's token
set, they equal 200(X-1)/(X+min(Lq,Lr)-2), an exact lower bound (LB). The third is bounded above by
the character histograms of both token sets (UB). Rows are kept by LB, then by LB + UB, rows whose
UB cannot reach the k-th best LB are dropped, and only the rest are scored by RapidFuzz.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from .segment import MAX_TOKEN, Segment, char_hist, frequent_cap

KEEP_BY_LB = 20_000      # rows whose histogram bound is computed at most (best summed bounds)
MAX_SCORED = 1_200       # rows scored by RapidFuzz at most per segment and query
FREQ_READ_MAX = 0.15     # frequent postings longer than this share of rows are never read
TYPO_MIN_LEN = 3
EPS = 0.01               # RapidFuzz scores are floats: keep rows within this of a threshold

_local = threading.local()


@dataclass
class Query:
    """A normalised query, prepared once for every segment."""
    norm: str
    words: list[str]
    wlen: np.ndarray            # len(word) + 1, float64
    Lq: float
    hist: np.ndarray
    slack: float = 0.0          # summed wlen of words too long to be indexed
    idf: np.ndarray | None = None

    @classmethod
    def from_norm(cls, norm: str) -> "Query":
        words = list(dict.fromkeys(norm.split()))
        wlen = np.array([len(w) + 1 for w in words], dtype=np.float64)
        joined = " ".join(words)
        slack = float(sum(len(w) + 1 for w in words if len(w) > MAX_TOKEN))
        return cls(norm, words, wlen, float(wlen.sum()), char_hist(joined), slack)


@dataclass
class Gathered:
    rows: np.ndarray            # unique candidate rows
    x: np.ndarray               # exact shared length weight X
    idf: np.ndarray             # summed idf of shared tokens (typo matches scaled by similarity)
    typo: np.ndarray            # summed similarity-weighted length of typo-matched tokens
    typo_words: dict = field(default_factory=dict)


def _scratch(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-thread zeroed accumulators (X, idf, typo weight: one contiguous array each, so that a
    posting list touches one cache line per row, not three) and a mark array, reused across
    queries: a fresh 1M-row buffer per query costs more than the postings it collects."""
    bufs = getattr(_local, "bufs", None)
    if bufs is None or len(bufs[0]) < n:
        size = max(n, 1024)
        bufs = (np.zeros(size, np.float32), np.zeros(size, np.float32), np.zeros(size, np.float32),
                np.zeros(size, np.int32))
        _local.bufs = bufs
    return bufs


def lower_bound(x: np.ndarray, lq: float, lr: np.ndarray) -> np.ndarray:
    """200(X-1)/(X+min(Lq,Lr)-2), 0 where nothing is shared (in-place arithmetic: this runs over
    every gathered row, a few hundred thousand at a million claims)."""
    num = np.subtract(x, 1.0)
    np.maximum(num, 0.0, out=num)
    den = np.minimum(lr, lq)
    den += num
    den -= 1.0
    np.maximum(den, 1e-9, out=den)
    num *= 200.0
    num /= den
    return np.minimum(num, 100.0, out=num)


def upper_bound(seg: Segment, q: Query, rows: np.ndarray, x: np.ndarray) -> np.ndarray:
    lr = seg.row_len[rows].astype(np.float64)
    common = np.minimum(seg.hist[rows].astype(np.int32), q.hist[None, :]).sum(axis=1)
    den = (q.Lq - 1.0) + (lr - 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ub = np.where(den > 0, 200.0 * common / den, 0.0)
    x_hi = np.minimum(x + q.slack, np.minimum(lr, q.Lq))
    ub = np.maximum(ub, lower_bound(x_hi, q.Lq, lr))
    ub[seg.sat[rows]] = 100.0
    return np.minimum(ub, 100.0)


def typo_expansions(seg: Segment, word: str, *, limit: int = 3) -> list[tuple[int, float]]:
    """Nearest vocabulary tokens of an unknown word: (token id, similarity 0..1)."""
    if len(word) < TYPO_MIN_LEN or len(word) > MAX_TOKEN or not len(seg.vocab):
        return []
    plen = 3 if len(word) >= 7 else 2 if len(word) >= 4 else 1
    found = [seg.words_with_prefix(word[:plen]), seg.words_with_prefix(word[-plen:], reverse=True)]
    ids = np.unique(np.concatenate(found))
    if not len(ids):
        return []
    span = 1 if len(word) <= 4 else 2
    lens = seg.tok_len[ids]
    ids = ids[np.abs(lens.astype(np.int64) - len(word)) <= span]
    if len(ids) > 20_000:
        ids = ids[:20_000]
    if not len(ids):
        return []
    words = [w.decode("ascii") for w in seg.vocab[ids].tolist()]
    cutoff = 70.0 if len(word) >= 5 else 75.0
    best = process.extract(word, words, scorer=fuzz.ratio, processor=None, limit=limit,
                           score_cutoff=cutoff)
    return [(int(ids[i]), s / 100.0) for _, s, i in best if words[i] != word]


def gather(seg: Segment, q: Query, dead: np.ndarray | None, *, typos: bool = True,
           with_idf: bool = True, read_frequent: float = FREQ_READ_MAX) -> Gathered:
    """Read the postings of the query's tokens into per-row sums (X, idf, typo weight)."""
    n = seg.n
    empty = np.zeros(0, np.float64)
    if n == 0 or not q.words:
        return Gathered(np.zeros(0, np.int64), empty, empty, empty)
    tids = seg.token_ids(q.words)
    idf = q.idf if q.idf is not None else np.ones(len(q.words))
    cap = frequent_cap(n)
    rare, freq = [], []
    for i, t in enumerate(tids):
        if t < 0:
            continue
        bit = seg.freq_bit.get(int(t))
        (rare if bit is None else freq).append((i, int(t), bit))
    typo_terms: list[tuple[int, int, float]] = []
    typo_words: dict[str, list[tuple[str, float]]] = {}
    if typos:
        for i, t in enumerate(tids):
            if t >= 0:
                continue
            for tok, sim in typo_expansions(seg, q.words[i]):
                if seg.df[tok] <= cap:
                    typo_terms.append((i, tok, sim))
                    typo_words.setdefault(q.words[i], []).append(
                        (seg.vocab[tok].decode("ascii"), sim))

    bx, bi, bt, mark = _scratch(n)
    ptr, post = seg.tok_ptr, seg.post_rows

    def run(terms_exact, terms_typo):
        parts = []
        for i, t, _ in terms_exact:
            rows = post[ptr[t]:ptr[t + 1]]
            bx[rows] += q.wlen[i]
            if with_idf:
                bi[rows] += idf[i]
            parts.append(rows)
        for i, t, sim in terms_typo:
            rows = post[ptr[t]:ptr[t + 1]]
            if with_idf:
                bi[rows] += idf[i] * sim
            bt[rows] += q.wlen[i] * sim
            parts.append(rows)
        if not parts:
            return np.zeros(0, np.int64), [np.zeros(0, np.float32)] * 3
        cat = np.concatenate(parts) if len(parts) > 1 else parts[0]
        pos = np.arange(len(cat), dtype=np.int32)
        mark[cat] = pos
        uniq = cat[mark[cat] == pos].astype(np.int64)
        vals = [bx[uniq], bi[uniq] if with_idf else np.zeros(len(uniq), np.float32), bt[uniq]]
        bx[uniq] = 0.0
        bt[uniq] = 0.0
        if with_idf:
            bi[uniq] = 0.0
        return uniq, vals

    # frequent words' postings are read too (rows that share only them with the query are a
    # large share of the misses otherwise), except the very common ones ("in", "the"), which are
    # most rows: those stay in the per-row mask and only count for rows found another way
    cheap = [f for f in freq if seg.df[f[1]] <= read_frequent * n]
    rows, vals = run(rare + cheap, typo_terms)
    freq = [f for f in freq if f not in cheap]
    if freq and not len(rows):
        rows, vals = run(freq, typo_terms)
        freq = []
    if dead is not None and len(rows):
        keep = ~dead[rows]
        rows, vals = rows[keep], [v[keep] for v in vals]
    x = vals[0].astype(np.float64)
    idf_sum = vals[1].astype(np.float64)
    if freq and len(rows):
        m = seg.mask[rows]
        for i, _, bit in freq:
            has = ((m >> np.uint64(bit)) & np.uint64(1)).astype(bool)
            x += has * q.wlen[i]
            idf_sum += has * idf[i]
    return Gathered(rows, x, idf_sum, vals[2].astype(np.float64), typo_words)


def top_k(values: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k largest values (unordered)."""
    if len(values) <= k:
        return np.arange(len(values))
    return np.argpartition(-values, k - 1)[:k]


def length_bound(q: Query, x: np.ndarray, lr: np.ndarray) -> np.ndarray:
    """An upper bound from lengths alone: the third ratio cannot beat the two strings' length
    ratio, and the other two cannot beat X with every unindexed query word counted as shared."""
    den = q.Lq + lr - 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        r3 = np.where(den > 0, 200.0 * (np.minimum(q.Lq, lr) - 1.0) / den, 0.0)
    x_hi = np.minimum(x + q.slack, np.minimum(lr, q.Lq))
    return np.minimum(np.maximum(r3, lower_bound(x_hi, q.Lq, lr)), 100.0)


def fuzzy_search(seg: Segment, q: Query, dead: np.ndarray | None, limit: int,
                 *, typos: bool = True) -> list[tuple[float, int]]:
    """Top `limit` rows of a segment by token_set_ratio: [(score, row)], best first.

    Exact over the rows the postings reach, up to a work cap: the limit-th best lower bound is a
    threshold every returned row must reach; rows whose length bound, then histogram bound, falls
    short are dropped unscored (the histogram only for the KEEP_BY_LB best by bounds), and the rest
    are scored best bounds first, the threshold rising to the limit-th best true score as they go,
    until no row left can reach it or MAX_SCORED rows were scored."""
    g = gather(seg, q, dead, typos=typos, with_idf=False)
    if not len(g.rows):
        return []
    lr = seg.row_len[g.rows].astype(np.float64)
    lb = lower_bound(g.x, q.Lq, lr)
    thr = _kth(lb, limit)
    live = np.flatnonzero(length_bound(q, g.x, lr) >= thr - EPS)
    # rows are ranked by a lower bound that counts typo-matched words as shared
    reach = lower_bound(g.x[live] + g.typo[live], q.Lq, lr[live])
    if len(live) > KEEP_BY_LB:
        top = top_k(reach + lb[live], KEEP_BY_LB)
        live, reach = live[top], reach[top]
    ub = upper_bound(seg, q, g.rows[live], g.x[live])
    keep = ub >= thr - EPS
    live, ub, reach = live[keep], ub[keep], reach[keep]
    order = np.argsort(-(reach + ub), kind="stable")
    live, ub = live[order], ub[order]
    scored_rows: list[np.ndarray] = []
    scored: list[np.ndarray] = []
    total = 0
    step = max(64, 4 * limit)
    while len(live) and total < MAX_SCORED:
        rows = g.rows[live[:step]]
        live, ub = live[step:], ub[step:]
        total += len(rows)
        # rows below the threshold cannot place: RapidFuzz may stop early on them (they read 0)
        scores = process.cdist([q.norm], seg.texts(rows), scorer=fuzz.token_set_ratio,
                               processor=None, workers=1, dtype=np.float32,
                               score_cutoff=max(0.0, thr - EPS))[0].astype(np.float64)
        scored_rows.append(rows)
        scored.append(scores)
        new_thr = _kth(np.concatenate(scored), limit)
        if new_thr > thr:
            thr = new_thr
            keep = ub >= thr - EPS
            live, ub = live[keep], ub[keep]
        step *= 2
    rows = np.concatenate(scored_rows)
    scores = np.concatenate(scored)
    top = np.lexsort((rows, -scores))[:limit]
    return [(float(scores[i]), int(rows[i])) for i in top if scores[i] > 0]


def _kth(values: np.ndarray, k: int) -> float:
    """The k-th largest value (0 when there are fewer)."""
    if len(values) < k:
        return 0.0
    return float(np.partition(values, len(values) - k)[len(values) - k])


def bm25_norm(seg: Segment, rows: np.ndarray, idf_sum: np.ndarray, avg_ntok: float,
              k1: float = 1.2, b: float = 0.75) -> np.ndarray:
    """BM25 with binary term frequency, as a share of the query's idf mass (set by caller)."""
    dl = seg.row_ntok[rows].astype(np.float64)
    return idf_sum * (k1 + 1.0) / (1.0 + k1 * (1.0 - b + b * dl / max(avg_ntok, 1e-9)))


def idf_of(df: np.ndarray, n: int) -> np.ndarray:
    return np.log(1.0 + (n - df + 0.5) / (df + 0.5))


def safe_log(x: float) -> float:
    return math.log(x) if x > 0 else 0.0
