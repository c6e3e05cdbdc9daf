"""Candidate generation over one segment: postings gather, token_set_ratio bounds, typo expansion.

token_set_ratio(q, r) is the best of three ratios. Two of them depend only on token lengths: with
X the summed (len + 1) of the words q and r share and Lq, Lr the same sums over each side's word
set, they equal 200(X-1)/(X+min(Lq,Lr)-2), an exact lower bound (LB). The third compares the two
sides' unshared words d1, d2 (each sorted): 200(X + LCS(d1, d2))/(Lq+Lr-2). Bounds on it, from
cheap to tight: the length ratio, the character histograms (vectorised over many rows), LCS of
the two whole sorted word strings (bit-parallel in RapidFuzz, exact when nothing is shared), and
LCS of d1 with the row's string. The postings give X; rows are then bounded in that order and
only those that can still place are scored by RapidFuzz. Rows the postings cannot reach (they
share no read word) are walked by length (see _scan_by_length): every length for short queries,
and for long ones the short rows that only the query's most common words could place.
A long query reads the prefix postings first (each row's rarest words; see _prefix_search):
a fifth of its usual postings or less on news-like text, and enough whenever its 10th best is
strong.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq

from .segment import MAX_TOKEN, Segment, char_hist, frequent_cap, placing_weight

KEEP_BY_LB = 20_000      # rows whose histogram bound is computed at most (best summed bounds)
KEEP_TIED = 40_000       # ... unless rows tie at the cut: then up to this many
MAX_SCORED = 1_200       # rows scored by token_set_ratio at most per segment, query and stage
MAX_BOUNDED = 4_000     # rows whose LCS bound is computed at most (the same)
FREQ_READ_MAX = 0.15     # frequent postings longer than this share of rows are never read
# the length scan (rows the postings never reached) runs for queries of at most SCAN_MAX_WORDS
# words: their 10th best is often such a row (at 1M claims it lifts recall@10 of 3-6 word queries
# from 0.982 to 0.996), while for longer queries it found little (0.982 to 0.984) at twice the time
SCAN_MAX_WORDS = 6
# ... and adds no row under this score: one that shares no word with the query and scores below
# it is alike in letters only (a search page asking for 500 matches would fill up with them)
SCAN_FLOOR = 40.0
SCAN_MAX_ROWS = 60_000   # rows of feasible length whose bounds the length scan checks at most
SCAN_BAND = 4_096
SCAN_MAX_BOUNDED = 20_000  # rows of the scan bounded by LCS at most (exact for most of them)
TYPO_MIN_LEN = 3
EPS = 0.01               # RapidFuzz scores are floats: keep rows within this of a threshold
SPARSE_FACTOR = 2        # postings under n / SPARSE_FACTOR are summed by sorting (see gather)
PREFIX_MIN_WORDS = 7     # shorter queries read few postings and walk the rows they miss
RARE_SHARE = 0.005       # words in at most this share of rows: the prefix search reads them in full
# its answer stands when the limit-th best reaches LETTERS_FLOOR (LETTERS_FLOOR_LONG for queries
# of LETTERS_MIN_WORDS words or more); below, rows may place by their letters (see _prefix_search)
LETTERS_FLOOR = 75.0
LETTERS_FLOOR_LONG = 70.0
LETTERS_MIN_WORDS = 13
PREFIX_KEEP_BY_LB = 5_000    # it bounds by histogram this many rows at most (as KEEP_BY_LB)
PREFIX_MAX_BOUNDED = 1_000   # ... and by LCS this many (as MAX_BOUNDED)
PREFIX_MAX_COST = 0.25   # and gives way when it would read more than this share of the postings
SHARED_BITS = 53         # query words a row's `shared` bits track (summed in float64: exact to 2**53)


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
    sorted_bytes: bytes = b""   # the distinct words, sorted and joined (as rows' set_texts)
    # near spellings of unknown words, by segment (a prefix read that goes on reads them again)
    typo_cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def hist8(self) -> np.ndarray:
        """The histogram as uint8 (rows' counts saturate at 255 and are flagged in seg.sat)."""
        return np.minimum(self.hist, 255).astype(np.uint8)

    @classmethod
    def from_norm(cls, norm: str) -> "Query":
        words = list(dict.fromkeys(norm.split()))
        wlen = np.array([len(w) + 1 for w in words], dtype=np.float64)
        joined = " ".join(words)
        slack = float(sum(len(w) + 1 for w in words if len(w) > MAX_TOKEN))
        return cls(norm, words, wlen, float(wlen.sum()), char_hist(joined), slack,
                   sorted_bytes=" ".join(sorted(words)).encode("ascii", "replace"))


@dataclass
class Gathered:
    rows: np.ndarray            # unique candidate rows
    x: np.ndarray               # exact shared length weight X
    idf: np.ndarray             # summed idf of shared tokens (typo matches scaled by similarity)
    typo: np.ndarray            # summed similarity-weighted length of typo-matched tokens
    typo_words: dict = field(default_factory=dict)
    shared: np.ndarray | None = None   # bit i set: the row has query word i (i < SHARED_BITS)
    unread: list = field(default_factory=list)   # (i, mask bit) of frequent words not read


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


def upper_bound(seg: Segment, q: Query, rows: np.ndarray, x: np.ndarray, *,
                hist: np.ndarray | None = None, lr: np.ndarray | None = None) -> np.ndarray:
    """`hist`, `lr`: the rows' histograms and lengths, when the caller has them at hand."""
    lr = (seg.row_len[rows] if lr is None else lr).astype(np.float64)
    # uint8 throughout: the histograms are the widest read of a query (38 bytes a row). Only the
    # bins the query has count (a short query has a third of them); take() gathers rows faster
    # than fancy indexing: 60k rows 2-3 ms, against 6-10 ms over every bin
    qh = q.hist8
    bins = np.flatnonzero(qh)
    h = (seg.hist.take(rows, axis=0) if hist is None else hist)[:, bins]
    common = np.minimum(h, qh[bins], out=h).sum(axis=1, dtype=np.int32)
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


def _typo_terms(seg: Segment, q: Query, tids: np.ndarray, cap: int):
    """(query word i, token, similarity) of near spellings of the query's unknown words, and
    those spellings by word."""
    cached = q.typo_cache.get(id(seg))
    if cached is not None and cached[0] is seg and cached[1] == cap:
        return cached[2]
    typo_terms: list[tuple[int, int, float]] = []
    typo_words: dict[str, list[tuple[str, float]]] = {}
    for i, t in enumerate(tids):
        if t >= 0:
            continue
        for tok, sim in typo_expansions(seg, q.words[i]):
            if seg.df[tok] <= cap:
                typo_terms.append((i, tok, sim))
                typo_words.setdefault(q.words[i], []).append((seg.vocab[tok].decode("ascii"), sim))
    q.typo_cache[id(seg)] = (seg, cap, (typo_terms, typo_words))
    return typo_terms, typo_words


def gather(seg: Segment, q: Query, dead: np.ndarray | None, *, typos: bool = True,
           with_idf: bool = True, read_frequent: float | None = None,
           with_shared: bool = False) -> Gathered:
    """Read the postings of the query's tokens into per-row sums (X, idf, typo weight) and, with
    `with_shared`, which of the query's words each row has."""
    n = seg.n
    if read_frequent is None:
        read_frequent = FREQ_READ_MAX
    empty = np.zeros(0, np.float64)
    if n == 0 or not q.words:
        return Gathered(np.zeros(0, np.int64), empty, empty, empty, {}, np.zeros(0, np.int64), [])
    tids = seg.token_ids(q.words)
    idf = q.idf if q.idf is not None else np.ones(len(q.words))
    cap = frequent_cap(n)
    rare, freq = [], []
    for i, t in enumerate(tids):
        if t < 0:
            continue
        bit = seg.freq_bit.get(int(t))
        (rare if bit is None else freq).append((i, int(t), bit))
    typo_terms, typo_words = _typo_terms(seg, q, tids, cap) if typos else ([], {})

    ptr, post = seg.tok_ptr, seg.post_rows

    def run(terms_exact, terms_typo):
        """Per-row sums over the terms' postings, all terms at once (a shared-words mask is a sum
        of distinct powers of two)."""
        terms = [(i, t, 1.0, True) for i, t, _ in terms_exact] + \
            [(i, t, sim, False) for i, t, sim in terms_typo]
        parts = [post[ptr[t]:ptr[t + 1]] for _, t, _, _ in terms]
        columns = [[q.wlen[i] if ex else 0.0 for i, _, _, ex in terms]]
        columns.append([idf[i] * sim for i, _, sim, _ in terms] if with_idf else None)
        typo_w = [0.0 if ex else q.wlen[i] * sim for i, _, sim, ex in terms]
        columns.append(typo_w if any(typo_w) else None)
        columns.append([float(1 << i) if ex and i < SHARED_BITS else 0.0 for i, _, _, ex in terms]
                       if with_shared else None)
        uniq, sums = sum_postings(n, parts, columns)
        vals = [sums[0].astype(np.float32),
                sums[1] if with_idf else np.zeros(len(uniq), np.float32),
                sums[2].astype(np.float32) if sums[2] is not None else np.zeros(len(uniq), np.float32),
                sums[3].astype(np.int64) if with_shared else np.zeros(len(uniq), np.int64)]
        return uniq, vals

    # frequent words' postings are read too (rows that share only them with the query are a
    # large share of the misses otherwise), except the very common ones ("in", "the"), which are
    # most rows: those stay in the per-row mask and only count for rows found another way
    cheap = [f for f in freq if seg.df[f[1]] <= read_frequent * n]
    rows, vals = run(rare + cheap, typo_terms)
    freq = [f for f in freq if f not in cheap]
    unread = [(i, bit) for i, _, bit in freq]
    if freq and not len(rows):
        rows, vals = run(freq, typo_terms)
        freq = []
    if dead is not None and len(rows):
        keep = ~dead[rows]
        rows, vals = rows[keep], [v[keep] for v in vals]
    x = vals[0]
    idf_sum = vals[1].astype(np.float64)
    shared = vals[3]
    if freq and len(rows):
        _add_mask_words(seg, q, rows, [(i, bit) for i, _, bit in freq], x,
                        shared if with_shared else None, idf_sum, idf)
    return Gathered(rows, x, idf_sum, vals[2], typo_words,
                    shared if with_shared else None, unread)


def sum_postings(n: int, parts: list[np.ndarray], columns: list) -> tuple[np.ndarray, list]:
    """The rows in any of `parts` (postings: ascending rows) and, per column (one weight per part,
    or None for a column not wanted), each row's summed weight. Rows come back in ascending order,
    which every later per-row read repays (scattering into reused buffers read the postings
    faster, but 47 / 97 ms against 42 / 74, p50 / p95 at 1M)."""
    if not parts:
        return np.zeros(0, np.int64), [None if c is None else np.zeros(0) for c in columns]
    sizes = np.array([len(p) for p in parts])
    cat = np.concatenate(parts) if len(parts) > 1 else parts[0]
    if 0 < len(cat) * SPARSE_FACTOR < n:
        # fewer postings than rows: sort them (a merge of sorted runs) rather than sum into
        # n-long arrays, whose allocation and scan alone cost more (1M claims, 100k
        # postings: 2.3 ms against 6.4; hybrid search at 100k claims 6.4 -> 2.4 ms)
        order = np.argsort(cat, kind="stable")
        ordered = cat[order]
        first = np.empty(len(ordered), bool)
        first[0] = True
        np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
        uniq = ordered[first].astype(np.int64)
        target = np.empty(len(ordered), np.intp)      # each posting's place in uniq
        target[order] = np.cumsum(first) - 1
        length, pick = len(uniq), None
    else:
        uniq = np.flatnonzero(np.bincount(cat, minlength=n))
        target, length, pick = cat, n, uniq

    def summed(weights) -> np.ndarray:
        w = np.repeat(np.asarray(weights, dtype=np.float64), sizes)
        sums = np.bincount(target, weights=w, minlength=length)
        return sums if pick is None else sums[pick]

    return uniq, [None if c is None else summed(c) for c in columns]


def _add_mask_words(seg: Segment, q: Query, rows: np.ndarray, words: list[tuple[int, int]],
                    x: np.ndarray, shared: np.ndarray | None, idf_sum: np.ndarray | None = None,
                    idf: np.ndarray | None = None, mask: np.ndarray | None = None) -> None:
    """Count the frequent query words `words` ((query word i, mask bit) each) that `rows` hold,
    read from the per-row mask (or `mask`, the rows' masks already read), into their shared
    weight `x`, their `shared` bits and, given `idf`, their summed idf (all in place)."""
    m = seg.mask[rows] if mask is None else mask
    for i, bit in words:
        has = ((m >> np.uint64(bit)) & np.uint64(1)).astype(bool)
        x += has * x.dtype.type(q.wlen[i])
        if idf_sum is not None:
            idf_sum += has * idf[i]
        if shared is not None and i < SHARED_BITS:
            shared |= has.astype(np.int64) << np.int64(i)


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

    The limit-th best lower bound is a threshold every returned row must reach.
    Of the rows the postings reach, those whose length bound, then histogram bound, falls short
    are dropped unscored (the histogram only for the KEEP_BY_LB best by bounds); the rest are
    bounded by LCS and scored best bounds first, the threshold rising to the limit-th best true
    score as they go, until no row left can reach it or the budgets (MAX_BOUNDED, MAX_SCORED)
    are spent. Then the rows the postings missed (_scan_by_length): for short queries all of them,
    for long ones those short enough for the common words alone to place them ("and that the").
    Long queries first try the prefix postings (_prefix_search), which read far fewer rows."""
    found = _prefix_search(seg, q, dead, limit, typos=typos)
    if found is not None:
        return found
    return _full_search(seg, q, dead, limit, typos=typos)


def _full_search(seg: Segment, q: Query, dead: np.ndarray | None, limit: int, *, typos: bool,
                 done: tuple[np.ndarray, np.ndarray] | None = None,
                 thr: float = 0.0) -> list[tuple[float, int]]:
    """fuzzy_search from the usual postings; `done`: (rows, scores) scored already, which the
    limit-th best `thr` comes from."""
    g = gather(seg, q, dead, typos=typos, with_idf=False, with_shared=True)
    rows, x, shared, typo = g.rows, g.x, g.shared, g.typo
    if done is not None and len(done[0]):
        new = np.ones(len(rows), bool)      # rows ascending: look the few done rows up in them
        at = np.searchsorted(rows, done[0])
        inside = at < len(rows)
        at = at[inside]
        new[at[rows[at] == done[0][inside]]] = False
        rows, x, shared, typo = rows[new], x[new], shared[new], typo[new]
    rows, scores, thr = _rank_and_score(seg, q, rows, x, shared, typo, limit, thr_floor=thr)
    if done is not None:
        rows, scores = np.concatenate([done[0], rows]), np.concatenate([done[1], scores])
    if len(q.words) <= SCAN_MAX_WORDS or g.unread:
        more, more_scores = _scan_by_length(seg, q, dead, g.unread, rows, scores,
                                            max(thr, SCAN_FLOOR), limit,
                                            contained_only=len(q.words) > SCAN_MAX_WORDS)
        rows, scores = np.concatenate([rows, more]), np.concatenate([scores, more_scores])
    return _best(rows, scores, limit)


def _best(rows: np.ndarray, scores: np.ndarray, limit: int) -> list[tuple[float, int]]:
    top = np.lexsort((rows, -scores))[:limit]
    return [(float(scores[i]), int(rows[i])) for i in top if scores[i] > 0]


def _rank_and_score(seg: Segment, q: Query, rows: np.ndarray, x: np.ndarray, shared: np.ndarray,
                    typo: np.ndarray, limit: int, *, x_hi: np.ndarray | None = None,
                    x_base: np.ndarray | None = None, complete=None, thr_floor: float = 0.0,
                    keep_by_lb: int | None = None, max_bounded: int | None = None):
    """Bound the gathered `rows` (`x` their shared words' weight, or a lower bound of it with
    `x_hi` an upper one) and score the best of them (see fuzzy_search). `x_base` and `complete`
    are handed to _score_best_first; `thr_floor` is a score the limit-th best is known to reach
    already. Returns _score_best_first's (rows, scores, threshold)."""
    x_hi = x if x_hi is None else x_hi
    row_len = seg.row_len[rows]
    lr = row_len.astype(np.float32)
    lb = lower_bound(x, q.Lq, lr)
    thr = max(_kth(lb, limit), thr_floor)
    if q.slack:
        live = np.flatnonzero(length_bound(q, x_hi, lr) >= thr - EPS)
    else:   # the length bound is the larger of a bound of shared words and one of length alone
        by_len = length_bound(q, np.zeros(1), np.arange(int(row_len.max(initial=0)) + 1.0))
        by_words = lb if x_hi is x else lower_bound(x_hi, q.Lq, lr)
        live = np.flatnonzero((by_len[row_len] >= thr - EPS) | (by_words >= thr - EPS))
    # rows are ranked by a lower bound that counts typo-matched words as shared
    reach = lower_bound(x[live] + typo[live], q.Lq, lr[live]) if typo.any() else lb[live]
    keep_by_lb = KEEP_BY_LB if keep_by_lb is None else keep_by_lb
    if len(live) > keep_by_lb:
        # rows tied at the cut all stay (up to KEEP_TIED): rows that share the same words with
        # the query tie by the thousand, and a cut inside the tie dropped some arbitrarily
        key = reach + lb[live]
        top = np.flatnonzero(key >= _kth(key, keep_by_lb))
        if len(top) > KEEP_TIED:
            top = top_k(key, keep_by_lb)
        live, reach = live[top], reach[top]
    ub = upper_bound(seg, q, rows[live], x_hi[live])
    keep = ub >= thr - EPS
    live, ub, reach = live[keep], ub[keep], reach[keep]
    order = np.argsort(-(reach + ub), kind="stable")
    live = live[order]
    x_exact = x if x_base is None else x_base
    budget = [MAX_BOUNDED if max_bounded is None else max_bounded, MAX_SCORED]
    return _score_best_first(seg, q, rows[live], ub[order], x_exact[live], shared[live], thr,
                             limit, budget, complete)


def _prefix_search(seg: Segment, q: Query, dead: np.ndarray | None, limit: int,
                   *, typos: bool = True) -> list[tuple[float, int]] | None:
    """fuzzy_search for a long query, reading the prefix postings first; None where they do not
    pay: the segment has none, the query is short or holds an unindexable word, or they would
    read more than PREFIX_MAX_COST of the usual postings.

    A row that reaches PREFIX_FLOOR by the two ratios of shared words shares with the query one
    of the row's own rarest words (seg.pre_rows holds those) or one of the query's rarest words,
    which are read in full (see segment.prefix_postings). Words in at most RARE_SHARE of rows are
    read in full too: rows that place by the letters of the words they do not share (typos,
    plurals) mostly hold one of them. The other words' prefix postings find rows, but a row may
    hold such a word outside its prefix: those count in an upper bound of the shared weight until
    the rows to score are looked up in the words' full postings.
    That answer stands when its limit-th best reaches LETTERS_FLOOR (LETTERS_FLOOR_LONG for
    LETTERS_MIN_WORDS words and more): below it, rows sharing only words read through their
    prefix placed by their letters (news-like text, 1M claims: 10-word query, 10th best 73.2, a
    row sharing "to", "with" and "it" scored 73.7). Then the rest of the postings the full search
    reads are read, for the rows not looked at yet."""
    if seg.pre_rest is None or q.slack or len(q.words) < PREFIX_MIN_WORDS:
        return None
    n, df = seg.n, seg.df
    tids = seg.token_ids(q.words)
    known = [i for i, t in enumerate(tids) if t >= 0]
    if not known:
        return None
    # the query's own rarest words, until those left cannot place a row as long as the query
    full: set[int] = set()
    left, need = q.Lq, float(placing_weight(q.Lq))
    for i in sorted(range(len(tids)), key=lambda i: (df[tids[i]] if tids[i] >= 0 else -1, i)):
        if left < need - 1e-9:
            break
        left -= q.wlen[i]
        if tids[i] >= 0:
            full.add(i)
    full.update(i for i in known if df[tids[i]] <= RARE_SHARE * n)
    part = [i for i in known if i not in full]
    pre_df = [int(seg.pre_ptr[tids[i] + 1] - seg.pre_ptr[tids[i]]) for i in part]
    cost = sum(int(df[tids[i]]) for i in full) + sum(pre_df)
    usual = sum(int(df[tids[i]]) for i in known if df[tids[i]] <= FREQ_READ_MAX * n)
    if cost > PREFIX_MAX_COST * usual:
        return None
    typo_terms, _ = _typo_terms(seg, q, tids, frequent_cap(n)) if typos else ([], {})
    ptr, post, pptr, ppost = seg.tok_ptr, seg.post_rows, seg.pre_ptr, seg.pre_rows
    masked = [(i, seg.freq_bit[int(tids[i])]) for i in part if int(tids[i]) in seg.freq_bit]
    in_mask = {i for i, _ in masked}
    unsure = [(i, int(tids[i])) for i in part if i not in in_mask]
    parts, x_w, bits, typo_w, found_w = [], [], [], [], []
    for i in sorted(full):
        t = int(tids[i])
        parts.append(post[ptr[t]:ptr[t + 1]])
        x_w.append(q.wlen[i]), bits.append(float(1 << i) if i < SHARED_BITS else 0.0)
        typo_w.append(0.0), found_w.append(0.0)
    for i, t, sim in typo_terms:
        parts.append(post[ptr[t]:ptr[t + 1]])
        x_w.append(0.0), bits.append(0.0), typo_w.append(q.wlen[i] * sim), found_w.append(0.0)
    for i in part:
        t = int(tids[i])
        parts.append(ppost[pptr[t]:pptr[t + 1]])
        x_w.append(0.0), bits.append(0.0), typo_w.append(0.0)
        found_w.append(0.0 if i in in_mask else q.wlen[i])
    rows, (x_base, shared, typo, found) = sum_postings(
        n, parts, [x_w, bits, typo_w if any(typo_w) else None, found_w])
    if dead is not None and len(rows):
        keep = ~dead[rows]
        rows, x_base, shared, found = rows[keep], x_base[keep], shared[keep], found[keep]
        typo = typo[keep] if typo is not None else None
    if not len(rows):
        return None
    shared = shared.astype(np.int64)
    typo = np.zeros(len(rows)) if typo is None else typo
    if masked:
        _add_mask_words(seg, q, rows, masked, x_base, shared)
    # an unsure word the prefix postings did not show is past the row's prefix, if it is there
    x_hi = x_base + found + np.minimum(float(sum(q.wlen[i] for i, _ in unsure)) - found,
                                       seg.pre_rest[rows])

    def complete(batch: np.ndarray, bx: np.ndarray, bs: np.ndarray):
        """The batch's exact shared weight and words: the unsure words looked up."""
        bx, bs = bx.copy(), bs.copy()
        keys = batch.astype(post.dtype)
        for i, t in unsure:
            has = _contains(post[ptr[t]:ptr[t + 1]], keys)
            bx += has * q.wlen[i]
            if i < SHARED_BITS:
                bs |= has.astype(np.int64) << np.int64(i)
        return bx, bs

    scored, scores, thr = _rank_and_score(seg, q, rows, x_base + found, shared, typo, limit,
                                          x_hi=x_hi, x_base=x_base, complete=complete,
                                          keep_by_lb=PREFIX_KEEP_BY_LB,
                                          max_bounded=PREFIX_MAX_BOUNDED)
    best = _best(scored, scores, limit)
    floor = LETTERS_FLOOR_LONG if len(q.words) >= LETTERS_MIN_WORDS else LETTERS_FLOOR
    if len(best) == limit and best[-1][0] >= floor:
        return best
    # a weak best: search as the full search does, from the threshold reached, for the rows not
    # scored yet (rows this read reached but did not score are ranked again by their exact bounds)
    return _full_search(seg, q, dead, limit, typos=typos, done=(scored, scores), thr=thr)


def _contains(sorted_rows: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Whether each of `rows` is in `sorted_rows` (ascending)."""
    if not len(sorted_rows):
        return np.zeros(len(rows), bool)
    at = np.minimum(np.searchsorted(sorted_rows, rows), len(sorted_rows) - 1)
    return sorted_rows[at] == rows


def _score_best_first(seg: Segment, q: Query, rows: np.ndarray, ub: np.ndarray, x: np.ndarray,
                      shared: np.ndarray, thr: float, limit: int,
                      budget: list[int], complete=None) -> tuple[np.ndarray, np.ndarray, float]:
    """Score `rows` (ordered best bound first; `x`, `shared` their shared word weight and words)
    in growing batches. Each batch is first bounded by lcs_bound, which is exact for rows sharing
    no word; RapidFuzz scores those of the rest that can still place. The threshold rises to the
    limit-th best true score, and rows whose bound `ub` falls below it are dropped. `budget` holds
    the rows left to bound and to score ([bounded, scored], spent in place). `complete`, given,
    makes a batch's `x` and `shared` exact (see _prefix_search). Returns (rows,
    scores, threshold) of the rows looked at (those that could not place read 0)."""
    scored_rows: list[np.ndarray] = [np.zeros(0, np.int64)]
    scored: list[np.ndarray] = [np.zeros(0, np.float64)]
    step = max(64, 4 * limit)
    while len(rows) and budget[0] > 0 and budget[1] > 0:
        n = min(step, budget[0])
        batch, bx, bs = rows[:n].astype(np.int64), x[:n], shared[:n]
        rows, ub, x, shared = rows[n:], ub[n:], x[n:], shared[n:]
        if complete is not None:
            bx, bs = complete(batch, bx, bs)
        budget[0] -= len(batch)
        texts = seg.set_texts(batch)
        bound, exact = lcs_bound(seg, q, batch, bx, bs, texts, thr)
        scores = np.where(exact, bound, 0.0)
        todo = np.flatnonzero(~exact & (bound >= thr - EPS))
        unscored = todo[budget[1]:]         # out of budget: these are not returned as looked at
        todo = todo[:budget[1]]
        if len(todo):
            budget[1] -= len(todo)
            # rows below the threshold cannot place: RapidFuzz may stop early on them (they read 0)
            scores[todo] = process.cdist(
                [q.sorted_bytes], [texts[i] for i in todo.tolist()], scorer=fuzz.token_set_ratio,
                processor=None, workers=1, dtype=np.float32,
                score_cutoff=max(0.0, thr - EPS))[0]
        if len(unscored):
            batch, scores = np.delete(batch, unscored), np.delete(scores, unscored)
        scored_rows.append(batch)
        scored.append(scores)
        new_thr = _kth(np.concatenate(scored), limit)
        if new_thr > thr:
            thr = new_thr
            keep = ub >= thr - EPS
            rows, ub, x, shared = rows[keep], ub[keep], x[keep], shared[keep]
        step *= 2
    return np.concatenate(scored_rows), np.concatenate(scored), thr


def lcs_bound(seg: Segment, q: Query, rows: np.ndarray, x: np.ndarray, shared: np.ndarray,
              texts: list[bytes], thr: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """(bound, exact) of token_set_ratio per row, from longest common subsequences.

    With X the shared words' weight, the ratio of the two strings of unshared words d1, d2
    (each sorted) is 200 (X + LCS(d1, d2)) / (Lq + Lr - 2). d1 is a subsequence of the query's
    sorted words Q, and d2 of the row's R, so LCS(Q, R) bounds LCS(d1, d2); RapidFuzz computes it
    for many rows against one Q at a time (bit-parallel, no tokenising). For a row that shares no
    word, d1 = Q and d2 = R: the bound is the score. Rows that share words and still reach `thr`
    get the much tighter LCS(d1, R), d1 built from `shared` (bit i: query word i is shared)."""
    lr = seg.row_len[rows].astype(np.float64)
    den = q.Lq + lr - 2.0
    lcs = process.cdist([q.sorted_bytes], texts, scorer=LCSseq.similarity, processor=None,
                        workers=1, dtype=np.int32)[0].astype(np.float64)
    exact = (x == 0) & (q.slack == 0) & (lr > 0)
    refine = np.flatnonzero(~exact & (x > 0))
    if len(refine):
        third = 200.0 * (x[refine] + lcs[refine]) / np.maximum(den[refine], 1e-9)
        refine = refine[third >= thr - EPS]
    if len(refine):
        d1 = _unshared_words(q, shared[refine])
        lcs[refine] = np.minimum(lcs[refine], process.cpdist(
            d1, [texts[i] for i in refine.tolist()], scorer=LCSseq.similarity, processor=None,
            workers=1, dtype=np.int32))
    with np.errstate(divide="ignore", invalid="ignore"):
        third = np.where(den > 0, 200.0 * (x + lcs) / den, 0.0)
    bound = np.minimum(np.maximum(third, lower_bound(x + q.slack, q.Lq, lr)), 100.0)
    return bound, exact


def _unshared_words(q: Query, shared: np.ndarray) -> list[bytes]:
    """Per row, the query's words the row lacks (by the bits of `shared`), sorted and joined.
    Words past SHARED_BITS always count as lacking: a longer d1 still bounds from above."""
    masks, inverse = np.unique(shared, return_inverse=True)
    words = q.words
    strings = [" ".join(sorted(w for i, w in enumerate(words) if i >= SHARED_BITS or not (m >> i) & 1))
               .encode("ascii", "replace") for m in masks.tolist()]
    return [strings[j] for j in inverse.tolist()]


def _scan_by_length(seg: Segment, q: Query, dead, unread: list[tuple[int, int]],
                    done: np.ndarray, done_scores: np.ndarray, thr: float,
                    limit: int, contained_only: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Rows the postings never reached (they share no read word with the query) can still place
    by the character-level ratio of the two sorted token strings, or by sharing only very frequent
    words. Both are bounded by the row's length alone: 200 min(a, b) / (a + b) for the first (a, b
    the two strings' lengths), the shared frequent words' weight for the second. Rows are visited
    in length bands, the band with the best bound first; each band's histogram bounds pick the
    rows worth scoring, and the rising threshold ends the walk (or SCAN_MAX_ROWS rows).
    `unread`: the frequent query words whose postings were not read, all an unreached row can
    share. `contained_only` walks only the lengths where those words can place a row and the
    letters cannot (for a long query: short rows that its common words nearly cover, which
    token_set_ratio scores high; at 100k news-like claims they were 22 of 34 rows missed from the
    brute-force top 10 of 200 queries).
    Returns the rows scored at `thr` (the floor) or above, and their scores."""
    empty = (np.zeros(0, np.int64), np.zeros(0, np.float64))
    floor = thr
    a = q.Lq - 1.0
    if seg.n == 0 or a <= 0:
        return empty
    x_f = float(sum(q.wlen[i] for i, _ in unread) + q.slack)
    ptr = seg.length_ptr()
    lens = np.arange(len(ptr) - 1, dtype=np.float64)
    b = np.maximum(lens - 1.0, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        bound = np.where(a + b > 0, 200.0 * np.minimum(a, b) / (a + b), 0.0)
    by_words = (lower_bound(np.minimum(x_f, np.minimum(lens, q.Lq)), q.Lq, lens) if x_f > 1
                else np.zeros(len(lens)))
    if contained_only:
        # only the lengths where the letters cannot place a row but the frequent words can
        bound = np.where(bound < thr - EPS, by_words, 0.0)
    else:
        bound = np.maximum(bound, by_words)
    counts = np.diff(ptr)
    by_bound = [int(L) for L in np.argsort(-bound, kind="stable") if counts[L]]
    out_rows, out_scores = [np.zeros(0, np.int64)], [np.zeros(0, np.float64)]
    seen = k = 0
    at = ptr[by_bound[0]] if by_bound else 0     # next row of length by_bound[k]
    budget = [SCAN_MAX_BOUNDED, MAX_SCORED]
    done_sorted = np.sort(done)
    while k < len(by_bound) and seen < SCAN_MAX_ROWS and min(budget) > 0:
        spans, size = [], 0          # (first, end, length) runs of len_order
        while k < len(by_bound) and bound[by_bound[k]] >= thr - EPS and size < SCAN_BAND:
            L = by_bound[k]
            end = min(ptr[L + 1], at + SCAN_BAND - size)
            spans.append((at, end, L))
            size += end - at
            at = end
            if at >= ptr[L + 1]:
                k += 1
                at = ptr[by_bound[k]] if k < len(by_bound) else 0
        if not spans:
            break
        rows = np.concatenate([seg.len_order[a:e] for a, e, _ in spans]).astype(np.int64)
        lr = np.concatenate([np.full(e - a, L, np.int64) for a, e, L in spans])
        hist = masks = None
        if seg.hist_len is not None:    # read in runs rather than row by row (3-5x faster)
            hist = np.concatenate([seg.hist_len[a:e] for a, e, _ in spans])
            masks = np.concatenate([seg.mask_len[a:e] for a, e, _ in spans])
        seen += len(rows)
        if dead is not None:
            live = ~dead[rows]
            rows, lr = rows[live], lr[live]
            hist, masks = (None, None) if hist is None else (hist[live], masks[live])
        x = np.zeros(len(rows), np.float64)
        shared = np.zeros(len(rows), np.int64)
        if unread and len(rows):
            _add_mask_words(seg, q, rows, unread, x, shared, mask=masks)
        ub = upper_bound(seg, q, rows, x, hist=hist, lr=lr)
        keep = ub >= thr - EPS
        if len(done):
            keep[keep] = ~_contains(done_sorted, rows[keep])
        if not keep.any():
            continue
        rows, ub, x, shared = rows[keep], ub[keep], x[keep], shared[keep]
        order = np.argsort(-ub, kind="stable")
        r, sc, _ = _score_best_first(seg, q, rows[order], ub[order], x[order], shared[order], thr,
                                     limit, budget)
        out_rows.append(r)
        out_scores.append(sc)
        thr = max(thr, _kth(np.concatenate([done_scores, *out_scores]), limit))
    rows, scores = np.concatenate(out_rows), np.concatenate(out_scores)
    keep = scores >= floor - EPS        # exact LCS scores come back even under the threshold
    return rows[keep], scores[keep]


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
