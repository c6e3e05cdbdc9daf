"""ClaimIndex: a database-free claim search index (base segment + in-memory delta + tombstones).

Two rankings share one index:
- "fuzzy": RapidFuzz token_set_ratio over normalised text, found through score bounds
  (candidates.py); tolerant of typos and word order, and close to a brute-force scan (recall@10
  0.998 at 100k claims, 0.99 at 1M on bench/matching.py's hard query mix).
- "hybrid" (default): a BM25-style lexical score, RapidFuzz similarities and MiniLM cosine (on by
  default when installed; FACTCHECK_EMBEDDINGS=0 or embedder=None turn it off), combined with
  weights fitted on CheckThat! 2020 train. Finds claims that say the same thing in other words.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Iterable

import numpy as np
from rapidfuzz import fuzz, process

from . import candidates as cand
from . import embeddings
from .normalise import normalise, normalise_many
from .segment import Segment

__all__ = ["ClaimIndex", "Match", "HybridWeights"]

MODES = ("hybrid", "fuzzy")
# hybrid ranking: rows that share only words in over 5 % of claims never reach the BM25 top, so
# those postings are not read (CheckThat MAP@5 unchanged; linking searches 2.2x faster)
HYBRID_READ_FREQUENT = 0.0
DEFAULT = "default"   # embedder argument: follow FACTCHECK_EMBEDDINGS and what is installed


@dataclass(frozen=True, slots=True)
class Match:
    """One search hit: the claim's id and a 0-100 similarity (higher is closer)."""
    claim_id: int | str
    score: float
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class HybridWeights:
    """Weights of the hybrid score (fitted on CheckThat! 2020 train; see bench/matching.py)."""
    bm25: float = 0.75
    set_ratio: float = 0.0
    sort_ratio: float = 0.10
    partial: float = 0.10
    # with embeddings: score = (1 - cosine_share) * lexical + cosine_share * cosine
    cosine_share: float = 0.70
    bm25_candidates: int = 100
    fuzzy_candidates: int = 30
    vector_candidates: int = 100

    def combine(self, feats: np.ndarray) -> np.ndarray:
        """0-100 scores from features [bm25, set, sort, partial, cosine (nan where absent)]."""
        lex = (self.bm25 * feats[0] + self.set_ratio * feats[1] + self.sort_ratio * feats[2]
               + self.partial * feats[3])
        lex = lex / (self.bm25 + self.set_ratio + self.sort_ratio + self.partial)
        cos = feats[4]
        has = ~np.isnan(cos)        # claims without a vector are ranked by their words alone
        if has.any():
            mixed = (1 - self.cosine_share) * lex + self.cosine_share * np.clip(np.nan_to_num(cos), 0, 1)
            lex = np.where(has, mixed, lex)
        return np.clip(lex * 100.0, 0.0, 100.0)


# Fitted on CheckThat! 2020 train with MiniLM on (bench/matching.py tune --embeddings): with
# same_text_score ranking, train MAP@5 0.900, dev 0.862.
VECTOR_WEIGHTS = HybridWeights(bm25=0.25, set_ratio=0.10, sort_ratio=0.0, partial=0.0,
                               cosine_share=0.50)


class ClaimIndex:
    """Claims by id, searchable by text; see the module docstring for the two rankings."""

    def __init__(self, *, mode: str = "hybrid", embedder=DEFAULT,
                 weights: HybridWeights | None = None, keep_vectors: bool = False):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.mode = mode
        self.embedder = _resolve_embedder(embedder, mode)
        self._given_weights = weights
        # a lexical index drops the vectors it was handed when it compacts (they may be a base's
        # memory-mapped ones), unless it is told to keep them (an index of its own, e.g. priors)
        self.keep_vectors = keep_vectors
        self.weights = weights or (VECTOR_WEIGHTS if self.embedder is not None else HybridWeights())
        self._base: Segment | None = None
        self._base_built_here = False                # by compact(), not opened from disk
        self._dead: np.ndarray | None = None        # tombstones over base rows
        self._n_dead = 0
        self._delta: dict = {}                       # claim_id -> (normalised, raw text)
        self._delta_seg: Segment | None = None
        self._delta_vectors: dict = {}               # claim_id -> vector, filled lazily
        self._lock = threading.RLock()
        self.source: Path | None = None

    # -- changes ------------------------------------------------------------------------------
    def add(self, claim_id, text: str, vector: np.ndarray | None = None) -> None:
        """Index a claim; adding an id again replaces its text (an edit). A `vector` already
        computed for this text (stored in the database) is kept instead of embedding it again."""
        _check_id(claim_id)
        with self._lock:
            self._kill_base(claim_id)
            self._delta[claim_id] = (normalise(text or ""), text or "")
            self._set_vector(claim_id, vector)
            self._delta_seg = None

    def add_many(self, pairs: Iterable[tuple[object, str]], vectors=None) -> None:
        """add() for many claims, normalised in bulk (several times faster for a large load);
        `vectors`, when given, holds one vector or None per pair (or an (n, dim) array)."""
        pairs = pairs if isinstance(pairs, list) else list(pairs)
        # (map and itemgetter rather than loops in Python: a rebuild hands over a million pairs)
        ids = list(map(itemgetter(0), pairs))
        texts = list(map(itemgetter(1), pairs))
        if None in texts:
            texts = [text or "" for text in texts]
        if not set(map(type, ids)) <= {int, str}:   # else every id is fine
            for claim_id in ids:
                _check_id(claim_id)
        if vectors is not None and len(vectors) != len(pairs):
            raise ValueError("add_many needs one vector (or None) per claim")
        norms = normalise_many(texts)
        with self._lock:
            if self._base is None and vectors is None and not self._delta_vectors:
                # a first load (a rebuild): nothing to tombstone, no vectors to keep in step
                self._delta.update(zip(ids, zip(norms, texts)))
            else:
                for i, (claim_id, text, norm) in enumerate(zip(ids, texts, norms)):
                    self._kill_base(claim_id)
                    self._delta[claim_id] = (norm, text)
                    self._set_vector(claim_id, vectors[i] if vectors is not None else None)
            self._delta_seg = None

    def _set_vector(self, claim_id, vector) -> None:
        if vector is None:
            self._delta_vectors.pop(claim_id, None)
        else:
            self._delta_vectors[claim_id] = np.asarray(vector, dtype=np.float16)

    def remove(self, claim_id) -> bool:
        """Drop a claim; False when it was not indexed."""
        with self._lock:
            found = self._kill_base(claim_id)
            if claim_id in self._delta:
                del self._delta[claim_id]
                self._delta_vectors.pop(claim_id, None)
                self._delta_seg = None
                found = True
            return found

    def _kill_base(self, claim_id) -> bool:
        if self._base is None:
            return False
        row = self._base.find_row(claim_id)
        if row < 0 or self._dead[row]:
            return False
        self._dead[row] = True
        self._n_dead += 1
        return True

    def __len__(self) -> int:
        base = self._base.n - self._n_dead if self._base is not None else 0
        return base + len(self._delta)

    def __contains__(self, claim_id) -> bool:
        if claim_id in self._delta:
            return True
        if self._base is None:
            return False
        row = self._base.find_row(claim_id)
        return row >= 0 and not self._dead[row]

    def text(self, claim_id) -> str | None:
        """The normalised text indexed for a claim."""
        if claim_id in self._delta:
            return self._delta[claim_id][0]
        if self._base is not None:
            row = self._base.find_row(claim_id)
            if row >= 0 and not self._dead[row]:
                return self._base.text(row)
        return None

    # -- segments -----------------------------------------------------------------------------
    def _segments(self) -> list[tuple[Segment, np.ndarray | None]]:
        with self._lock:
            base_n = self._base.n if self._base is not None else 0
            if len(self._delta) > max(20_000, base_n // 10):
                self.compact()
            if self._delta and self._delta_seg is None:
                ids = list(self._delta)
                texts = [self._delta[i][0] for i in ids]
                self._delta_seg = Segment.build(ids, texts)
            segs = []
            if self._base is not None and self._base.n:
                segs.append((self._base, self._dead if self._n_dead else None))
            if self._delta_seg is not None:
                segs.append((self._delta_seg, None))
            return segs

    def compact(self) -> None:
        """Fold the delta and tombstones into a new in-memory base."""
        with self._lock:
            ids, texts, vecs = self._live_rows(keep_given=self.keep_vectors)
            self._base = Segment.build(ids, texts, vectors=vecs)
            self._base_built_here = True
            self._dead = np.zeros(self._base.n, dtype=bool)
            self._n_dead = 0
            self._delta, self._delta_seg, self._delta_vectors = {}, None, {}

    def _live_rows(self, keep_given: bool = True):
        """Live ids, normalised texts and vectors. keep_given=False drops the vectors a lexical index
        was only handed (compaction would copy memory-mapped vectors into each worker's memory)."""
        ids, texts, vec_parts = [], [], []
        if self._base is not None and self._base.n:
            live = np.flatnonzero(~self._dead)
            ids.extend(self._base.claim_id(int(r)) for r in live)
            texts.extend(self._base.texts(live))
            if self._base.vectors is not None and (self.embedder is not None or keep_given):
                vec_parts.append(np.asarray(self._base.vectors[live]))
        if self.embedder is not None:
            self._embed_pending()
        ids.extend(self._delta)
        texts.extend(map(itemgetter(0), self._delta.values()))
        vecs = None
        if self.embedder is not None and (vec_parts or self._delta):
            if self._base is not None and self._base.n and self._base.vectors is None:
                vecs = None  # a base saved without vectors stays without them
            else:
                dv = [self._delta_vectors[c] for c in self._delta]
                parts = vec_parts + ([np.stack(dv)] if dv else [])
                vecs = np.concatenate(parts).astype(np.float16) if parts else None
        elif self.embedder is None and keep_given and (vec_parts or self._delta_vectors):
            # a lexical index keeps the vectors it was given; a zero row marks a claim without one
            dim = vec_parts[0].shape[1] if vec_parts else len(next(iter(self._delta_vectors.values())))
            if not vec_parts and self._base is not None and self._base.n:
                vec_parts.append(np.zeros((len(ids) - len(self._delta), dim), np.float16))
            none = np.zeros(dim, np.float16)
            dv = [self._delta_vectors.get(c, none) for c in self._delta]
            parts = vec_parts + ([np.stack(dv)] if dv else [])
            vecs = np.concatenate(parts).astype(np.float16)
        return ids, texts, vecs

    def stored_vectors(self, claim_ids) -> dict:
        """The vectors this index holds for these claims (saved in the base, or given to add), as
        float32; claims without one are left out. Lets a lexical index hand out the memory-mapped
        vectors of `claims reindex` without loading a model."""
        out = {}
        with self._lock:
            base = self._base
            bvec = base.vectors if base is not None else None
            for cid in claim_ids:
                vec = self._delta_vectors.get(cid)
                if vec is None and bvec is not None and cid not in self._delta:
                    row = base.find_row(cid)
                    if row >= 0 and not self._dead[row]:
                        vec = bvec[row]
                if vec is not None and np.any(vec):
                    out[cid] = np.asarray(vec, dtype=np.float32)
        return out

    # -- search -------------------------------------------------------------------------------
    def search(self, text: str, limit: int = 10, *, mode: str | None = None,
               vector: np.ndarray | None = None) -> list[Match]:
        """Closest claims to `text`, best first (at most `limit`).

        `vector`: the text's unit embedding, when the caller has it (stored, or embedded with a
        batch). The hybrid ranking then also takes the claims nearest in meaning as candidates and
        weighs the cosine in, as an index with an embedder does, from the vectors this index was
        given (claims given none are ranked by their words alone)."""
        mode = mode or self.mode
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        if limit <= 0 or not text:
            return []
        norm = normalise(text)
        if not norm:
            return []
        q = cand.Query.from_norm(norm)
        segs = self._segments()
        if not segs:
            return []
        if mode == "fuzzy":
            hits = []
            for si, (seg, dead) in enumerate(segs):
                hits += [(s, si, r) for s, r in cand.fuzzy_search(seg, q, dead, limit)]
            hits.sort(key=lambda h: (-h[0], h[1], h[2]))
            return [Match(segs[si][0].claim_id(r), round(s, 4)) for s, si, r in hits[:limit]]
        return self._hybrid(text, q, segs, limit, vector)

    def _hybrid(self, raw: str, q: cand.Query, segs, limit: int, vector=None) -> list[Match]:
        qvec = self._query_vector(raw, vector)
        pool = self._hybrid_pool(raw, q, segs, qvec)
        if pool is None:
            return []
        segi, rows, feats, texts = pool
        score = same_text_score(self._weights_for(qvec).combine(feats), texts)
        order = np.lexsort((rows, segi, -score))[:limit]
        return [Match(segs[segi[i]][0].claim_id(int(rows[i])), round(float(score[i]), 4))
                for i in order if score[i] > 0]

    def _query_vector(self, raw: str, vector) -> np.ndarray | None:
        if vector is not None:
            return np.asarray(vector, dtype=np.float32)
        if self.embedder is None:
            return None
        self._embed_pending()
        return self.embedder.encode([raw])[0].astype(np.float32)

    def _weights_for(self, qvec) -> HybridWeights:
        """A lexical index searched with a query vector ranks as an index with an embedder does."""
        if self._given_weights is not None or self.embedder is not None or qvec is None:
            return self.weights
        return VECTOR_WEIGHTS

    def _hybrid_pool(self, raw: str, q: cand.Query, segs, qvec=None):
        """Candidate rows of every segment and their features (see HybridWeights.combine)."""
        w = self._weights_for(qvec)
        n_total = sum(seg.n for seg, _ in segs)
        df = np.zeros(len(q.words), dtype=np.float64)
        for seg, _ in segs:
            tids = seg.token_ids(q.words)
            if len(seg.df):
                df += np.where(tids >= 0, seg.df[np.maximum(tids, 0)], 0)
        q.idf = cand.idf_of(df, n_total)
        idf_mass = float(q.idf.sum()) or 1.0
        avg = self._avg_ntok(segs)
        # every segment's reached rows, then the best of them all together: a delta of recent
        # claims adds rows only where they beat the base's (each segment's own best doubled the
        # re-rank, the larger part of a search)
        seg_of, row_of, bm_of, key_of = [], [], [], []
        for si, (seg, dead) in enumerate(segs):
            # near spellings of unknown words only when no word reaches a claim ("Asad fleed
            # Damscus"): beside words that do, they cost ranking quality (CheckThat MAP@5 lexical
            # train 0.770 -> 0.774, dev 0.692 -> 0.704) and linking a lookup per rare word
            g = cand.gather(seg, q, dead, read_frequent=HYBRID_READ_FREQUENT, typos=False)
            if not len(g.rows):
                g = cand.gather(seg, q, dead, read_frequent=HYBRID_READ_FREQUENT)
            if len(g.rows):
                seg_of.append(np.full(len(g.rows), si))
                row_of.append(g.rows)
                bm_of.append(cand.bm25_norm(seg, g.rows, g.idf, avg) / idf_mass)
                key_of.append(cand.lower_bound(g.x, q.Lq, seg.row_len[g.rows].astype(np.float64)) + g.typo)
        segi, rows, bm = np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
        if row_of:
            all_seg, all_rows, all_bm = np.concatenate(seg_of), np.concatenate(row_of), np.concatenate(bm_of)
            picked = np.union1d(cand.top_k(all_bm, w.bm25_candidates),
                                cand.top_k(np.concatenate(key_of), w.fuzzy_candidates))
            segi, rows, bm = all_seg[picked], all_rows[picked], all_bm[picked]
        if qvec is not None:
            near = [(si, *self._vector_top(seg, dead, qvec, w.vector_candidates)) for si, (seg, dead) in enumerate(segs)]
            v_seg = np.concatenate([np.full(len(r), si) for si, r, _ in near])
            v_rows = np.concatenate([r for _, r, _ in near])
            top = cand.top_k(np.concatenate([sims for _, _, sims in near]), w.vector_candidates)
            have = set(zip(segi.tolist(), rows.tolist()))
            extra = [(s, r) for s, r in zip(v_seg[top].tolist(), v_rows[top].tolist()) if (s, r) not in have]
            if extra:
                # rows found by meaning alone keep the BM25 of whatever words they share
                reached = dict(zip(zip(all_seg.tolist(), all_rows.tolist()), all_bm.tolist())) if row_of else {}
                segi = np.concatenate([segi, [s for s, _ in extra]]).astype(np.int64)
                rows = np.concatenate([rows, [r for _, r in extra]]).astype(np.int64)
                bm = np.concatenate([bm, [reached.get(e, 0.0) for e in extra]])
        if not len(rows):
            return None
        bm = np.minimum(bm, 1.5)
        texts = [""] * len(rows)
        for si, (seg, _) in enumerate(segs):
            at = np.flatnonzero(segi == si)
            for i, text in zip(at.tolist(), seg.texts(rows[at])):
                texts[i] = text
        fz = _fuzzy_features(q.norm, texts, (w.set_ratio, w.sort_ratio, w.partial))
        cos = np.full(len(rows), np.nan)
        if qvec is not None:
            cos = np.array([self._cosine(segs[s][0], int(r), qvec) for s, r in zip(segi, rows)])
        feats = np.vstack([bm, fz, cos[None, :]])
        return segi, rows, feats, texts

    def _avg_ntok(self, segs) -> float:
        tot = sum(seg.avg_ntok * seg.n for seg, _ in segs)
        return tot / max(1, sum(seg.n for seg, _ in segs))

    # -- embeddings ---------------------------------------------------------------------------
    def _embed_pending(self) -> None:
        missing = [c for c in self._delta if c not in self._delta_vectors]
        if not missing:
            return
        vecs = self.embedder.encode([self._delta[c][1] for c in missing])
        for c, v in zip(missing, vecs):
            self._delta_vectors[c] = v.astype(np.float16)

    def _vector_top(self, seg: Segment, dead, qvec: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The k rows nearest to qvec and their cosines, leaving out dead rows and rows without
        a vector."""
        mat = self._seg_vectors(seg)
        if mat is None or not len(mat):
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        sims = _chunked_dot(mat, qvec)
        sims[sims == 0.0] = -2.0        # a zero row: a claim given no vector
        if dead is not None:
            sims[dead] = -2.0
        top = cand.top_k(sims, k)
        top = np.sort(top[sims[top] > -1.5]).astype(np.int64)
        return top, sims[top]

    def _seg_vectors(self, seg: Segment):
        """A segment's vectors, or None; a zero row marks a claim without one."""
        if seg is not self._delta_seg:
            return seg.vectors
        if not hasattr(seg, "_vec_cache"):
            vecs = [self._delta_vectors.get(seg.claim_id(r)) for r in range(seg.n)]
            dims = {len(v) for v in vecs if v is not None}
            none = np.zeros(dims.pop(), np.float16) if dims else None
            seg._vec_cache = None if none is None else \
                np.stack([none if v is None else v for v in vecs]).astype(np.float32)
        return seg._vec_cache

    def _cosine(self, seg: Segment, row: int, qvec: np.ndarray) -> float:
        """NaN for a claim without a vector: the ranking then reads its words alone."""
        mat = self._seg_vectors(seg)
        if mat is None:
            return float("nan")
        vec = np.asarray(mat[row], dtype=np.float32)
        return float(np.dot(vec, qvec)) if vec.any() else float("nan")

    # -- persistence --------------------------------------------------------------------------
    def save(self, directory) -> Path:
        """Write every live claim as a new base into `directory` (atomic rename)."""
        from .store import save_segment
        with self._lock:
            if self._base_built_here and not self._delta and not self._n_dead:
                seg = self._base        # compacted and unchanged since: what a rebuild would make
            else:
                ids, texts, vecs = self._live_rows()
                seg = Segment.build(ids, texts, vectors=vecs)
            return save_segment(seg, Path(directory))

    @classmethod
    def open(cls, directory, *, mode: str = "hybrid", embedder=DEFAULT,
             weights: HybridWeights | None = None) -> "ClaimIndex":
        """Memory-map a saved base; later changes go to an in-memory delta and tombstones."""
        from .store import load_segment
        index = cls(mode=mode, embedder=embedder, weights=weights)
        index._base = load_segment(Path(directory))
        index._dead = np.zeros(index._base.n, dtype=bool)
        index.source = Path(directory)
        if index.embedder is not None and index._base.vectors is None and index._base.n:
            index.embedder = None  # saved without vectors: stay lexical rather than re-embed
        return index


def same_text_score(score: np.ndarray, texts: list[str]) -> np.ndarray:
    """Claims whose normalised texts are equal get the best score among them, so that they rank
    side by side and the one indexed first (the original fact-check, not its re-post) leads."""
    best: dict[str, float] = {}
    for t, s in zip(texts, score.tolist()):
        if s > best.get(t, -np.inf):
            best[t] = s
    if len(best) == len(texts):
        return score
    return np.array([best[t] for t in texts], dtype=score.dtype)


def _fuzzy_features(qn: str, texts: list[str], weights=(1.0, 1.0, 1.0)) -> np.ndarray:
    """RapidFuzz similarities (0..1) of the query to each text: set, sort, partial token set
    (left at 0 where the weight is 0: they cost most of a lexical re-rank)."""
    out = np.zeros((3, len(texts)))
    if not texts:
        return out
    for k, scorer in enumerate((fuzz.token_set_ratio, fuzz.token_sort_ratio,
                                fuzz.partial_token_sort_ratio)):
        if not weights[k]:
            continue
        out[k] = process.cdist([qn], texts, scorer=scorer, processor=None, workers=1,
                               dtype=np.float32)[0] / 100.0
    return out


def _chunked_dot(mat, qvec: np.ndarray, step: int = 65_536) -> np.ndarray:
    out = np.empty(len(mat), dtype=np.float32)
    for s in range(0, len(mat), step):
        out[s:s + step] = np.asarray(mat[s:s + step], dtype=np.float32) @ qvec
    return out


def _check_id(claim_id) -> None:
    if isinstance(claim_id, bool) or not isinstance(claim_id, (int, str, np.integer)):
        raise TypeError("claim_id must be an int or a str")


def _resolve_embedder(embedder, mode: str):
    """FACTCHECK_EMBEDDINGS=0 turns vectors off everywhere. DEFAULT: MiniLM when it is installed,
    for a hybrid index (a fuzzy index never reads vectors, so it embeds nothing unless the variable
    is 1); None: off; "auto": MiniLM if installed; anything else is used as the embedder."""
    if not embeddings.enabled():
        return None
    if isinstance(embedder, str) and embedder == DEFAULT:
        env = os.environ.get("FACTCHECK_EMBEDDINGS", "").strip().lower()
        if mode == "fuzzy" and env not in ("1", "true", "yes", "on"):
            return None
        embedder = "auto"
    if isinstance(embedder, str) and embedder == "auto":
        return embeddings.default_embedder()
    return embedder or None
