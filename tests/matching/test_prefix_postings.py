"""The prefix postings: each row's rarest words, enough that a long query reads a fraction of its
postings and still finds every row its shared words place above PREFIX_FLOOR."""
import random

import numpy as np
import pytest
from rapidfuzz import fuzz, process

from factcheck.matching import ClaimIndex, normalise
from factcheck.matching import candidates as cand
from factcheck.matching import segment as segment_mod
from factcheck.matching.segment import Segment, placing_weight

COMMON = "the a of in to and is was that for on with said by at from has".split()


def _claims(n, seed):
    """News-like rows: a few common words among words of a 4,000-word vocabulary, many rows near
    copies of others (a story told again: a long query's 10th best then scores well above the
    floor), some short runs of common words."""
    r = random.Random(seed)
    syl = "ka ri mo ta le su na vi po de lo ba ne ru si go fa ma te ki zu ho".split()
    vocab = ["".join(r.choice(syl) for _ in range(r.randint(2, 4))) for _ in range(4000)]
    out = []
    for _ in range(n):
        if out and r.random() < 0.6:
            words = out[r.randrange(max(0, len(out) - 40), len(out))].split()
            words[r.randrange(len(words))] = r.choice(vocab)
        elif r.random() < 0.05:
            words = r.sample(COMMON, r.randint(2, 5))
        else:
            words = [r.choice(COMMON) if r.random() < 0.35 else r.choice(vocab)
                     for _ in range(r.randint(5, 24))]
        out.append(" ".join(words))
    return out, vocab, r


@pytest.fixture()
def with_prefix(monkeypatch):
    """Prefix postings for small segments too, used whatever they cost to read (at a few
    thousand rows they save little: what is tested here is that they lose nothing)."""
    monkeypatch.setattr(segment_mod, "LARGE_ROWS", 0)
    monkeypatch.setattr(cand, "PREFIX_MAX_COST", 100.0)


def test_each_rows_prefix_holds_its_rarest_words_and_enough_of_them(with_prefix):
    claims, _, _ = _claims(3000, seed=2)
    texts = [normalise(c) for c in claims]
    seg = Segment.build(list(range(len(texts))), texts)
    assert seg.pre_ptr is not None
    words = [w.decode() for w in seg.vocab.tolist()]
    in_prefix = [set() for _ in range(seg.n)]
    for t in range(len(words)):
        for row in seg.pre_rows[seg.pre_ptr[t]:seg.pre_ptr[t + 1]].tolist():
            in_prefix[row].add(t)
    ids = {w: i for i, w in enumerate(words)}
    for row, text in enumerate(texts):
        toks = {ids[w] for w in set(text.split())}
        assert in_prefix[row] <= toks
        rest = toks - in_prefix[row]
        # what a query can share with the row outside its prefix cannot place it at the floor
        assert sum(len(words[t]) + 1 for t in rest) < placing_weight(seg.row_len[row])
        if in_prefix[row] and rest:
            assert max(seg.df[t] for t in in_prefix[row]) <= min(seg.df[t] for t in rest)
    # common words are seldom in a prefix: that is what makes them cheap to read
    the = ids["the"]
    assert seg.pre_ptr[the + 1] - seg.pre_ptr[the] < 0.2 * seg.df[the]
    assert len(seg.pre_rows) < 0.7 * len(seg.post_rows)


def test_long_queries_answered_from_the_prefix_postings_match_brute_force(with_prefix, monkeypatch):
    claims, vocab, r = _claims(5000, seed=7)
    ix = ClaimIndex(mode="fuzzy")
    ix.add_many(enumerate(claims))
    ix.compact()
    seg = ix._base
    norm = [normalise(c) for c in claims]
    answered = []       # whether the prefix postings alone answered
    real = cand._prefix_search

    def spy(seg, q, *args, **kwargs):
        found = real(seg, q, *args, **kwargs)
        floor = cand.LETTERS_FLOOR_LONG if len(q.words) >= cand.LETTERS_MIN_WORDS else cand.LETTERS_FLOOR
        answered.append(found is not None and found[-1][0] >= floor)
        return found

    monkeypatch.setattr(cand, "_prefix_search", spy)
    words_of = {w.decode(): i for i, w in enumerate(seg.vocab.tolist())}
    prefix_of = [set() for _ in range(seg.n)]
    for t in range(len(words_of)):
        for row in seg.pre_rows[seg.pre_ptr[t]:seg.pre_ptr[t + 1]].tolist():
            prefix_of[row].add(t)
    outside = 0
    for i in range(80):
        words = claims[r.randrange(len(claims))].split()
        if len(words) < 8:
            continue
        if i % 3 == 0:
            words = [w[:-1] if len(w) > 4 and r.random() < 0.3 else w for w in words]
        elif i % 3 == 1:
            r.shuffle(words)
        else:
            words += r.sample(vocab, 3)
        q = normalise(" ".join(words))
        scores = process.cdist([q], norm, scorer=fuzz.token_set_ratio, processor=None)[0]
        kth = np.sort(scores)[::-1][9]
        got = ix.search(q, limit=10)
        assert len(got) == 10
        if not answered[-1]:
            continue            # the rest was read too (tested below)
        assert all(scores[m.claim_id] >= kth - 0.01 for m in got), q
        # the scores are RapidFuzz's own, also for rows holding query words outside their prefix
        assert all(abs(m.score - scores[m.claim_id]) < 0.01 for m in got), q
        qset = set(q.split())
        for m in got:
            row = seg.find_row(m.claim_id)
            shared = {words_of[w] for w in qset & set(norm[m.claim_id].split())}
            outside += bool(shared - prefix_of[row])
    assert sum(answered) >= 0.6 * len(answered) > 20
    assert outside > 50         # the completion of shared words was needed, and held


def test_a_weak_best_reads_the_rest_as_the_full_search_does(with_prefix, monkeypatch):
    """When the 10th best scores under the floor, rows the prefix postings skip could place by
    the letters of their words or by words outside their prefix: the search then reads the
    other words' postings too, and answers as the full search does."""
    claims, vocab, r = _claims(3000, seed=4)
    ix = ClaimIndex(mode="fuzzy")
    ix.add_many(enumerate(claims))
    ix.compact()
    seg = ix._base
    weak = 0
    for _ in range(25):
        words = r.sample(vocab, r.randint(5, 10)) + r.sample(COMMON, r.randint(2, 5))
        q = cand.Query.from_norm(normalise(" ".join(words)))
        got = cand._prefix_search(seg, q, None, 10)
        assert got is not None
        monkeypatch.setattr(cand, "PREFIX_MIN_WORDS", 10**6)
        full = cand.fuzzy_search(seg, q, None, 10)
        monkeypatch.undo()
        monkeypatch.setattr(segment_mod, "LARGE_ROWS", 0)
        monkeypatch.setattr(cand, "PREFIX_MAX_COST", 100.0)
        assert [round(s, 3) for s, _ in got] == [round(s, 3) for s, _ in full], q.norm
        weak += got[-1][0] < cand.LETTERS_FLOOR
    assert weak > 15


def test_large_segment_arrays_change_no_answer_and_survive_a_save(monkeypatch, tmp_path):
    """Large segments also keep histograms and masks in row-length order (the length walk reads
    them in runs) and the prefix postings: searches give the same answers with them as without,
    after deletions, and from a saved copy."""
    claims, vocab, r = _claims(4000, seed=9)
    queries = [" ".join(r.sample(vocab, r.randint(1, 4)) + r.sample(COMMON, r.randint(0, 2)))
               for _ in range(30)]
    queries += [" ".join(w[::-1] for w in r.sample(vocab, 3)) for _ in range(10)]   # no known word
    queries += [c for c in r.sample(claims, 30) if len(c.split()) >= 7]
    answers = {}
    for large in (False, True):
        monkeypatch.setattr(segment_mod, "LARGE_ROWS", 0 if large else 10**9)
        ix = ClaimIndex(mode="fuzzy")
        ix.add_many(enumerate(claims))
        ix.compact()
        assert (ix._base.hist_len is not None) == large
        for cid in range(0, 4000, 7):
            ix.remove(cid)
        answers[large] = [[(m.claim_id, round(m.score, 3)) for m in ix.search(q)] for q in queries]
    assert answers[True] == answers[False]
    assert sum(len(a) == 10 for a in answers[True]) > 60
    ix.compact()
    ix.save(tmp_path / "ix")
    opened = ClaimIndex.open(tmp_path / "ix", mode="fuzzy")
    assert opened._base.pre_rest is not None and opened._base.hist_len is not None
    assert [[(m.claim_id, round(m.score, 3)) for m in opened.search(q)] for q in queries] == \
        [[(m.claim_id, round(m.score, 3)) for m in ix.search(q)] for q in queries]


def test_deleted_claims_stay_out_of_the_prefix_read(with_prefix):
    claims, vocab, r = _claims(3000, seed=12)
    ix = ClaimIndex(mode="fuzzy")
    ix.add_many(enumerate(claims))
    ix.compact()
    gone = set(range(0, 3000, 3))
    for cid in gone:
        ix.remove(cid)
    live = sorted(set(range(3000)) - gone)
    norm = [normalise(claims[i]) for i in live]
    checked = 0
    for _ in range(60):
        words = claims[r.choice(sorted(gone))].split()     # queries like the deleted claims
        if len(words) < 8:
            continue
        q = normalise(" ".join(words))
        scores = process.cdist([q], norm, scorer=fuzz.token_set_ratio, processor=None)[0]
        kth = np.sort(scores)[::-1][2]
        by_id = dict(zip(live, scores))
        got = ix.search(q, limit=3)
        assert len(got) == 3 and not {m.claim_id for m in got} & gone
        if got[-1].score >= cand.LETTERS_FLOOR:    # the prefix read alone answered
            assert all(by_id[m.claim_id] >= kth - 0.01 for m in got), q
            checked += 1
    assert checked > 15


def test_segments_with_nothing_to_index_still_build_and_search(with_prefix):
    long_word = "x" * 80                    # longer than any indexed word
    for texts in ([], ["", ""], [long_word, f"{long_word} {long_word}y"]):
        seg = Segment.build(list(range(len(texts))), texts)
        assert seg.pre_rest is not None and len(seg.pre_rest) == len(texts)
        q = cand.Query.from_norm("one two three four five six seven eight")
        assert cand.fuzzy_search(seg, q, None, 10) == []
