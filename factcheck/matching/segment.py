"""An immutable block of indexed claims held as flat numpy arrays (CSR postings and per-row stats).

A segment is built once from normalised texts and then only read: the base index on disk is one
segment (memory-mapped), the in-memory delta of recent adds and edits is another. Every array is
plain numpy so that a segment is saved with `np.save` and opened with `mmap_mode="r"`.
"""
from __future__ import annotations

from collections import defaultdict
from itertools import repeat
from typing import NamedTuple

import numpy as np

__all__ = ["Segment", "HIST_BINS", "char_hist"]

MAX_TOKEN = 64          # longer tokens are not indexed (still counted in lengths and histograms)
MASK_BITS = 64          # the most frequent tokens live in a per-row bit mask
HIST_BINS = 38          # a-z, 0-9, space, anything else

_LUT = np.full(256, 37, dtype=np.int64)
_LUT[ord("a"):ord("z") + 1] = np.arange(26)
_LUT[ord("0"):ord("9") + 1] = np.arange(26, 36)
_LUT[ord(" ")] = 36


def char_hist(text: str) -> np.ndarray:
    """Character histogram of a text over HIST_BINS classes."""
    b = np.frombuffer(text.encode("ascii", "replace"), dtype=np.uint8)
    return np.bincount(_LUT[b], minlength=HIST_BINS).astype(np.int32)


# a row's prefix postings promise that any query sharing with it enough words to score at least
# this by shared words alone shares one of the row's rarest words (see prefix_postings)
PREFIX_FLOOR = 60.0
# segments this large get the arrays that pay only at scale: the prefix postings, and the
# histograms and masks in row length order (the length walk reads them in runs, not row by row)
LARGE_ROWS = 50_000

ARRAYS = (
    "vocab", "vocab_rev", "rev_to_tok", "tok_len", "tok_ptr", "post_rows", "freq_tok",
    "mask", "row_len", "row_ntok", "hist", "sat", "text_off", "text_blob", "ids", "id_order",
)


class MappedBytes(NamedTuple):
    """A memory-mapped .npy file's data area: rows are sliced from `mm` at `offset` + position."""
    mm: object
    offset: int


class Segment:
    """Flat arrays for n rows; see ARRAYS. Row ids are positions 0..n-1."""

    def __init__(self, arrays: dict[str, np.ndarray], meta: dict):
        for name in ARRAYS:
            setattr(self, name, arrays[name])
        self.vectors = arrays.get("vectors")
        # rows by length, for the scan of rows the postings cannot reach (made here when a segment
        # is built or was saved before it existed; saved with the segment)
        self.len_order = arrays.get("len_order")
        if self.len_order is None:
            self.len_order = np.argsort(self.row_len, kind="stable").astype(np.int32)
        # texts are sliced from bytes, or from the mapped file (store.load_segment hands it over)
        self.blob = _sliceable(arrays, "text_blob")
        # each row's sorted distinct words (bases saved before they existed fall back to the text)
        self.set_off = arrays.get("set_off")
        self.set_blob = arrays.get("set_blob")
        self.set_bytes = _sliceable(arrays, "set_blob") if self.set_off is not None else None
        self.pre_ptr = arrays.get("pre_ptr")      # optional: see prefix_postings
        self.pre_rows = arrays.get("pre_rows")
        self.pre_rest = arrays.get("pre_rest")
        self.hist_len = arrays.get("hist_len")    # optional: hist[len_order], mask[len_order]
        self.mask_len = arrays.get("mask_len")
        self.meta = meta
        self.n = int(meta["n"])
        self.id_kind = meta["id_kind"]          # "int" or "str"
        self.avg_ntok = float(meta["avg_ntok"])
        self.df = np.diff(self.tok_ptr) if len(self.tok_ptr) else np.zeros(0, np.int64)
        self.freq_bit = {int(t): i for i, t in enumerate(self.freq_tok)}

    # -- building -----------------------------------------------------------------------------
    @classmethod
    def build(cls, ids: list, texts: list[str], vectors: np.ndarray | None = None) -> "Segment":
        """Index normalised `texts` (one per id, same order).

        Whole-corpus numpy passes (one split, one interning map, one sort of (token, row) keys)
        instead of a Python loop per claim: about 3x faster at 1M claims."""
        n = len(texts)
        if not all(map(str.isascii, texts)):
            texts = [t.encode("ascii", "replace").decode("ascii") if not t.isascii() else t for t in texts]
        # each row's distinct words, sorted: what token_set_ratio compares (kept as set texts), and
        # the words the postings are built from (no duplicates left to drop)
        set_strs = [" ".join(sorted(set(t.split()))) for t in texts]
        words = " ".join(set_strs).split()
        # a row's summed (len + 1) of its distinct words: its set text's length and one
        row_len = np.fromiter(map(len, set_strs), dtype=np.int64, count=n) + 1
        ntok_u = np.fromiter(map(str.count, set_strs, repeat(" ", n)), dtype=np.int64, count=n) + 1
        empty = row_len == 1
        ntok_u[empty] = 0
        row_len[empty] = 0
        joined = " ".join(texts)
        if "  " in joined or joined[:1] == " " or joined[-1:] == " " or not joined.isprintable():
            ntok = np.fromiter((len(t.split()) for t in texts), dtype=np.int64, count=n)
        else:                                   # single-spaced (normalised): count the spaces
            ntok = np.fromiter(map(str.count, texts, repeat(" ", n)), dtype=np.int64, count=n) + 1
            ntok[np.fromiter(map(len, texts), dtype=np.int64, count=n) == 0] = 0
        del joined
        vocab: defaultdict[str, int] = defaultdict()
        vocab.default_factory = vocab.__len__   # interning in C: a new word gets the next id
        tok_u = np.fromiter(map(vocab.__getitem__, words), dtype=np.int64, count=len(words))
        del words
        row_u = np.repeat(np.arange(n, dtype=np.int64), ntok_u)
        n_vocab = len(vocab)
        words_list = list(vocab)
        word_len = np.fromiter(map(len, words_list), dtype=np.int64, count=n_vocab)
        ntok_u = ntok_u.astype(np.int32)
        row_len = row_len.astype(np.int32)
        set_off, set_blob = _token_set_texts(set_strs, row_len)
        del set_strs

        # vocabulary of indexable words, sorted so that a query token is found by binary search
        indexed = np.flatnonzero(word_len <= MAX_TOKEN)
        kept = [words_list[i] for i in indexed.tolist()]
        width = max([1, *map(len, kept)])
        vocab_arr = np.array(kept, dtype=f"S{width}") if kept else np.zeros(0, "S1")
        order = np.argsort(vocab_arr, kind="stable")
        remap = np.full(n_vocab, -1, dtype=np.int64)
        remap[indexed[order]] = np.arange(len(order), dtype=np.int64)
        vocab_sorted = vocab_arr[order]
        rev_arr = np.array([w[::-1] for w in vocab_sorted.tolist()], dtype=f"S{width}") \
            if len(vocab_sorted) else np.zeros(0, "S1")
        rev_order = np.argsort(rev_arr, kind="stable").astype(np.int32)
        tok_len = np.char.str_len(vocab_sorted).astype(np.int16) if len(vocab_sorted) \
            else np.zeros(0, np.int16)

        # CSR postings: rows grouped by token, ascending row ids within a token
        tok = remap[tok_u]
        keep = tok >= 0
        every = bool(keep.all())            # (arrays of every posting: copy none needlessly)
        keys = tok if every else tok[keep]
        keys <<= 32
        keys |= row_u if every else row_u[keep]
        keys.sort()
        post_rows = keys.astype(np.int32)   # the low 32 bits: the row
        keys >>= 32
        tok = keys
        del keys
        df = np.bincount(tok, minlength=len(vocab_sorted)).astype(np.int64)
        tok_ptr = np.zeros(len(vocab_sorted) + 1, dtype=np.int64)
        np.cumsum(df, out=tok_ptr[1:])
        del tok_u, row_u, tok

        # the most frequent tokens as a per-row bit mask
        cap = frequent_cap(n)
        freq = np.argsort(-df, kind="stable")[:MASK_BITS]
        freq = freq[df[freq] > cap].astype(np.int32)
        mask = np.zeros(n, dtype=np.uint64)
        for bit, t in enumerate(freq):
            mask[post_rows[tok_ptr[t]:tok_ptr[t + 1]]] |= np.uint64(1 << bit)

        text_off = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=n), out=text_off[1:])
        text_blob = np.frombuffer("".join(texts).encode("ascii"), dtype=np.uint8).copy()

        # character histograms of each claim's distinct words (its token-set string)
        hist = np.zeros((n, HIST_BINS), dtype=np.uint8)
        sat = np.zeros(n, dtype=bool)
        step = 50_000
        for s in range(0, n, step):
            e = min(n, s + step)
            blob = set_blob[set_off[s]:set_off[e]]
            rows = np.repeat(np.arange(e - s, dtype=np.int64), np.diff(set_off[s:e + 1]))
            h = np.bincount(rows * HIST_BINS + _LUT[blob], minlength=(e - s) * HIST_BINS)
            h = h.reshape(e - s, HIST_BINS)
            h[:, _LUT[ord(" ")]] -= row_len[s:e] > 0     # the blob's separator after each row
            sat[s:e] = (h > 255).any(axis=1)
            hist[s:e] = np.minimum(h, 255)
        large = {}
        if n >= LARGE_ROWS:
            large = dict(zip(("pre_ptr", "pre_rows", "pre_rest"),
                             prefix_postings(tok_ptr, post_rows, tok_len, row_len)))
            len_order = np.argsort(row_len, kind="stable").astype(np.int32)
            large.update(len_order=len_order, hist_len=hist[len_order], mask_len=mask[len_order])

        kinds = set(map(type, ids))             # the usual cases need no check per id
        if kinds <= {int}:
            id_kind = "int"
        elif kinds == {str}:
            id_kind = "str"
        else:
            is_int = [isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in ids]
            id_kind = "int" if all(is_int) else "str" if not any(is_int) else "mixed"
        if id_kind == "int":
            ids_arr = np.array(ids, dtype=np.int64) if n else np.zeros(0, np.int64)
        elif id_kind == "str":
            ids_arr = np.array([str(i) for i in ids], dtype=np.str_) if n else np.zeros(0, "U1")
        else:  # ints and strs side by side: tagged strings keep 1 and "1" apart
            ids_arr = np.array([_tag(i) for i in ids], dtype=np.str_)
        id_order = np.argsort(ids_arr, kind="stable").astype(np.int64)

        arrays = dict(
            vocab=vocab_sorted, vocab_rev=rev_arr[rev_order], rev_to_tok=rev_order,
            tok_len=tok_len, tok_ptr=tok_ptr, post_rows=post_rows, freq_tok=freq, mask=mask,
            row_len=row_len, row_ntok=ntok.astype(np.int32),
            hist=hist, sat=sat, text_off=text_off, text_blob=text_blob, ids=ids_arr,
            id_order=id_order, set_off=set_off, set_blob=set_blob, **large,
        )
        if vectors is not None:
            arrays["vectors"] = vectors
        ntok_np = arrays["row_ntok"]
        meta = {"n": n, "id_kind": id_kind, "avg_ntok": float(ntok_np.mean()) if n else 1.0,
                "median_row_len": float(np.median(row_len)) if n else 1.0}
        return cls(arrays, meta)

    # -- lookups ------------------------------------------------------------------------------
    def length_ptr(self) -> np.ndarray:
        """Offsets into len_order per row length L: rows of length L are
        len_order[ptr[L]:ptr[L + 1]] (computed once per process, a few kB)."""
        ptr = getattr(self, "_length_ptr", None)
        if ptr is None:
            top = int(self.row_len[self.len_order[-1]]) if self.n else 0
            ptr = np.searchsorted(self.row_len, np.arange(top + 2), sorter=self.len_order)
            self._length_ptr = ptr
        return ptr

    def text(self, row: int) -> str:
        return bytes(self.text_blob[self.text_off[row]:self.text_off[row + 1]]).decode("ascii")

    def texts(self, rows) -> list[str]:
        rows = np.asarray(rows, dtype=np.int64)
        return [b.decode("ascii") for b in _slices(self.blob, self.text_off[rows],
                                                   self.text_off[rows + 1])]

    def set_texts(self, rows: np.ndarray) -> list[bytes]:
        """The rows' sorted distinct words as bytes (what RapidFuzz compares: no decoding)."""
        if self.set_off is None:    # a base saved before set texts existed
            return [" ".join(sorted(set(t.split()))).encode("ascii") for t in self.texts(rows)]
        rows = np.asarray(rows, dtype=np.int64)
        starts = self.set_off[rows]
        return _slices(self.set_bytes, starts, np.maximum(self.set_off[rows + 1] - 1, starts))

    def claim_id(self, row: int):
        v = self.ids[row]
        if self.id_kind == "int":
            return int(v)
        if self.id_kind == "str":
            return str(v)
        v = str(v)
        return int(v[1:]) if v[0] == "i" else v[1:]

    def find_row(self, claim_id) -> int:
        """Row of `claim_id`, or -1."""
        if self.n == 0:
            return -1
        is_int = isinstance(claim_id, (int, np.integer)) and not isinstance(claim_id, bool)
        if self.id_kind == "int":
            if not is_int or not -2**63 <= claim_id < 2**63:
                return -1
            key = np.int64(claim_id)
        elif self.id_kind == "str":
            if not isinstance(claim_id, str):
                return -1
            key = claim_id
        else:
            if not (is_int or isinstance(claim_id, str)):
                return -1
            key = _tag(claim_id)
        pos = int(np.searchsorted(self.ids, key, sorter=self.id_order))
        if pos < self.n:
            row = int(self.id_order[pos])
            if self.ids[row] == key:
                return row
        return -1

    def token_ids(self, words: list[str]) -> np.ndarray:
        """Token id per word, -1 where the word is not in the vocabulary."""
        out = np.full(len(words), -1, dtype=np.int64)
        if not len(self.vocab) or not words:
            return out
        width = self.vocab.dtype.itemsize
        for i, w in enumerate(words):
            if len(w) > width:
                continue
            key = w.encode("ascii", "replace")
            pos = int(np.searchsorted(self.vocab, key))
            if pos < len(self.vocab) and self.vocab[pos] == key:
                out[i] = pos
        return out

    def words_with_prefix(self, prefix: str, *, reverse: bool = False) -> np.ndarray:
        """Token ids whose text starts (or, reverse=True, ends) with `prefix`."""
        arr = self.vocab_rev if reverse else self.vocab
        if not len(arr):
            return np.zeros(0, np.int64)
        key = (prefix[::-1] if reverse else prefix).encode("ascii", "replace")
        lo = int(np.searchsorted(arr, key, side="left"))
        hi = int(np.searchsorted(arr, key + b"\xff", side="left"))
        ids = np.arange(lo, hi, dtype=np.int64)
        return self.rev_to_tok[ids].astype(np.int64) if reverse else ids


def _sliceable(arrays: dict, name: str):
    """The bytes of array `name`: the mapping store.load_segment put under "_" + name, else a copy."""
    mapped = arrays.get("_" + name)
    return mapped if mapped is not None else arrays[name].tobytes()


def _slices(blob, starts: np.ndarray, ends: np.ndarray) -> list[bytes]:
    """blob[a:b] for each pair; a mapped blob is sliced on its mmap directly (a Python-level
    __getitem__ per row costs more than the slice)."""
    base = 0
    if isinstance(blob, MappedBytes):
        blob, base = blob.mm, blob.offset
    return [blob[a:b] for a, b in zip((starts + base).tolist(), (ends + base).tolist())]


def _token_set_texts(set_strs: list[str], row_len: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows' sorted distinct words (the strings token_set_ratio builds) in one blob: row r is
    set_blob[set_off[r]:set_off[r + 1] - 1]. The query's own sorted words are compared with these
    as plain strings, a far cheaper bound than the full score (see candidates.lcs_bound)."""
    set_off = np.zeros(len(row_len) + 1, dtype=np.int64)
    np.cumsum(row_len, out=set_off[1:])
    words = " ".join(filter(None, set_strs))
    blob = words + " " if words else ""
    return set_off, np.frombuffer(blob.encode("ascii"), dtype=np.uint8).copy()


def _tag(claim_id) -> str:
    return f"s{claim_id}" if isinstance(claim_id, str) else f"i{int(claim_id)}"


def placing_weight(length, floor: float = PREFIX_FLOOR):
    """The shared words' weight X a pair needs for 200(X-1)/(X+L-2) to reach `floor`, L the
    shorter side's length (token_set_ratio's two ratios of shared words; see candidates)."""
    return (floor * (np.asarray(length, dtype=np.float64) - 2.0) + 200.0) / (200.0 - floor)


def prefix_postings(tok_ptr: np.ndarray, post_rows: np.ndarray, tok_len: np.ndarray,
                    row_len: np.ndarray, floor: float = PREFIX_FLOOR
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Postings of each row's rarest words only (the prefix filter of set-similarity joins).

    A row's words are taken rarest first until those left weigh less than placing_weight of the
    row: a query sharing that much with the row must then share one of the taken words. Common
    words are seldom among them ("the" is taken only for rows of common words), so a long query
    reads a fraction of its full postings. Returns (pre_ptr, pre_rows) laid out as tok_ptr and
    post_rows (rows ascending within a token), and pre_rest: per row, the weight of its words
    past the prefix (all a query can share with it that the prefix postings do not show)."""
    n_tok, n = len(tok_ptr) - 1, len(row_len)
    df = np.diff(tok_ptr)
    if not len(post_rows):
        return np.zeros(n_tok + 1, np.int64), np.zeros(0, np.int32), np.zeros(n, np.int32)
    by_rank = np.argsort(df, kind="stable")        # rank -> token, rarest first
    rank = np.empty(n_tok, np.int64)
    rank[by_rank] = np.arange(n_tok)
    keys = post_rows.astype(np.int64)
    keys <<= 32
    keys |= np.repeat(rank, df)
    keys.sort()                                     # row by row, rarest word first
    rank_at = (keys & 0xFFFFFFFF).astype(np.int32)
    rows = (keys >> 32).astype(np.int32)
    del keys
    w = (tok_len[by_rank].astype(np.int32) + 1)[rank_at]
    upto = np.cumsum(w, dtype=np.int64)             # weight through each posting, corpus-wide
    row_end = np.zeros(n, np.int64)                 # ... through each row's last posting
    row_end[rows] = upto                            # (rows ascending: the last write wins)
    # the weight of this word and the row's commoner words: the most a query can share with the
    # row without sharing any of its rarer words; kept while it can still place the row
    upto -= w
    left = row_end[rows] - upto
    need = np.ceil(placing_weight(row_len, floor) - 1e-9).astype(np.int64)
    keep = left >= need[rows]
    # each row's words past its prefix weigh `left` at the first of them (written last)
    rest = np.zeros(n, np.int32)
    skipped = np.flatnonzero(~keep)[::-1]
    rest[rows[skipped]] = left[skipped]
    del upto, left, w, skipped
    kept = by_rank[rank_at[keep]].astype(np.int64)
    kept *= max(n, 1)
    kept += rows[keep]
    kept.sort()                                     # token by token, rows ascending
    pre_rows = (kept % max(n, 1)).astype(np.int32)
    pre_ptr = np.zeros(n_tok + 1, np.int64)
    np.cumsum(np.bincount(kept // max(n, 1), minlength=n_tok), out=pre_ptr[1:])
    return pre_ptr, pre_rows, rest


def frequent_cap(n: int) -> int:
    """Postings longer than this are not read per query; such tokens use the bit mask instead."""
    return max(2_000, int(0.05 * n))
