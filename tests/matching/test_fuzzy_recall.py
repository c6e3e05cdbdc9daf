"""The fast candidate stage returns the same top 10 as a RapidFuzz brute-force scan."""
import random

import numpy as np
from rapidfuzz import fuzz, process

from factcheck.matching import ClaimIndex, normalise


def test_recall_against_brute_force(make_claims, misspell):
    claims = make_claims(4000)
    ix = ClaimIndex(mode="fuzzy")
    ix.add_many(enumerate(claims))
    ix.compact()
    norm = [normalise(c) for c in claims]
    r = random.Random(5)
    hits = total = 0
    for i in range(120):
        words = claims[r.randrange(len(claims))].split()
        if i % 3 == 0:
            words = [misspell(w, r) if r.random() < 0.3 else w for w in words]
        elif i % 3 == 1:
            r.shuffle(words)
        else:
            s = r.randrange(max(1, len(words) - 3))
            words = words[s:s + 4]
        q = normalise(" ".join(words))
        scores = process.cdist([q], norm, scorer=fuzz.token_set_ratio, processor=None)[0]
        k = min(10, int((scores > 0).sum()))
        kth = np.sort(scores)[::-1][k - 1]
        got = [m.claim_id for m in ix.search(q, limit=10)]
        assert len(got) == k
        hits += sum(scores[g] >= kth - 0.01 for g in got)
        total += k
    assert hits / total >= 0.99


def _syllable_claims(n, seed):
    """Claims of made-up words: most pairs share few or no words, so a short query's 10th best
    is often a row it matches only character by character."""
    r = random.Random(seed)
    syl = "ka ri mo ta le su na vi po de lo ba ne ru si go fa ma te ki zu ho".split()
    vocab = ["".join(r.choice(syl) for _ in range(r.randint(2, 4))) for _ in range(3000)]
    return [" ".join(r.choice(vocab) for _ in range(r.randint(2, 9))) for _ in range(n)], vocab, r


def test_short_queries_find_rows_that_share_no_word():
    claims, vocab, r = _syllable_claims(6000, seed=11)
    ix = ClaimIndex(mode="fuzzy")
    ix.add_many(enumerate(claims))
    ix.compact()
    norm = [normalise(c) for c in claims]
    unreached = 0
    for _ in range(60):
        # two or three words nobody wrote: made of the same syllables, but not in the vocabulary
        q = " ".join(w[::-1] + "ta" for w in r.sample(vocab, r.randint(2, 3)))
        scores = process.cdist([q], norm, scorer=fuzz.token_set_ratio, processor=None)[0]
        kth = np.sort(scores)[::-1][9]
        got = ix.search(q, limit=10)
        assert len(got) == 10
        assert all(scores[m.claim_id] >= kth - 0.01 for m in got), q
        assert [m.score for m in got] == sorted((m.score for m in got), reverse=True)
        qwords = set(q.split())
        unreached += sum(not qwords & set(norm[m.claim_id].split()) for m in got)
    assert unreached > 100    # the case under test: most hits share no word with their query


def test_lcs_bound_holds_and_is_exact_without_shared_words():
    from factcheck.matching import candidates as cand
    from factcheck.matching.segment import Segment

    claims, vocab, r = _syllable_claims(400, seed=5)
    texts = [normalise(c) for c in claims]
    seg = Segment.build(list(range(len(texts))), texts)
    rows = np.arange(seg.n)
    exact_rows = tighter = 0
    for _ in range(40):
        q = cand.Query.from_norm(normalise(" ".join(r.sample(vocab, r.randint(1, 6)))))
        row_words = [set(t.split()) for t in texts]
        x = np.array([sum(len(w) + 1 for w in set(q.words) & ws) for ws in row_words], float)
        shared = np.array([sum(1 << i for i, w in enumerate(q.words) if w in ws)
                           for ws in row_words], np.int64)
        scores = process.cdist([q.norm], texts, scorer=fuzz.token_set_ratio, processor=None)[0]
        bound, exact = cand.lcs_bound(seg, q, rows, x, shared, seg.set_texts(rows))
        assert (bound >= scores - 1e-4).all()
        assert np.allclose(bound[exact], scores[exact], atol=1e-4)
        exact_rows += int(exact.sum())
        # what the unshared query words add: rows that share words get a tighter bound than
        # from the whole sorted query
        loose, _ = cand.lcs_bound(seg, q, rows, x, np.zeros(seg.n, np.int64), seg.set_texts(rows))
        assert (loose >= bound - 1e-9).all()
        tighter += int((loose > bound + 1).sum())
    assert exact_rows > 1000
    assert tighter > 50


def test_sorted_and_summed_gathers_agree(make_claims, misspell, monkeypatch):
    """gather sums postings by sorting them when they are fewer than the rows, else into n-long
    arrays: both ways give the same rows and sums (common words and typos included)."""
    from factcheck.matching import candidates as cand

    claims = make_claims(3000)
    ix = ClaimIndex(mode="fuzzy")
    ix.add_many(enumerate(claims))
    ix.compact()
    seg = ix._base
    r = random.Random(11)
    queries = ["the of in and", "zzqx unknownword"]
    for _ in range(40):
        words = claims[r.randrange(len(claims))].split()
        queries.append(" ".join(misspell(w, r) if r.random() < 0.3 else w for w in words))
    reached = 0
    for text in queries:
        q = cand.Query.from_norm(normalise(text))
        q.idf = np.linspace(0.5, 2.0, len(q.words))
        got = {}
        for factor in (1e-9, 0):   # always sort; never sort
            monkeypatch.setattr(cand, "SPARSE_FACTOR", factor)
            got[factor] = cand.gather(seg, q, None, with_shared=True, read_frequent=1.0)
        a, b = got[1e-9], got[0]
        assert a.rows.tolist() == b.rows.tolist()
        for field in ("x", "idf", "typo", "shared"):
            assert np.allclose(getattr(a, field), getattr(b, field)), (text, field)
        reached += len(a.rows) > 0
    assert reached > 30


def test_rows_tied_at_the_candidate_cut_all_stay(monkeypatch):
    """Hundreds of rows share the same words with the query and are as long, so their cheap
    bounds tie; the cut to KEEP_BY_LB rows must not drop the ones that score best (their extra
    words are too unlike the query's to be typo matches: only the character-level ratio tells).
    Seven words, so that the walk by length (short queries) does not find them another way."""
    from factcheck.matching import candidates as cand

    r = random.Random(3)
    letters = "bcdfghjklmnpqrstvwxz"

    def word():
        return "".join(r.choice(letters) for _ in range(6))

    claims = [f"the old harbour bridge opened in {word()} {word()}" for _ in range(800)]
    claims[517] = "the old harbour bridge opened in quorke lmintz"     # the query's word, split
    claims[433] = "the old harbour bridge opened in quorkz lmintz"
    ix = ClaimIndex(mode="fuzzy")
    ix.add_many(enumerate(claims))
    ix.compact()
    monkeypatch.setattr(cand, "KEEP_BY_LB", 50)
    monkeypatch.setattr(cand, "KEEP_TIED", 2000)
    q = normalise("the old harbour bridge opened in quorkelmintz")
    scores = process.cdist([q], [normalise(c) for c in claims], scorer=fuzz.token_set_ratio, processor=None)[0]
    assert set(np.argsort(-scores)[:2].tolist()) == {517, 433}
    assert {m.claim_id for m in ix.search(q, limit=2)} == {517, 433}


def test_long_queries_find_short_rows_made_of_common_words():
    """A short row whose words are all common ones the query also has ("and that the i") scores
    high by token_set_ratio against a long query, though it shares only words too frequent to read
    from the postings; the length walk finds such rows for long queries too."""
    r = random.Random(3)
    common = "the that and to of in is it".split()
    rare = ["".join(r.choice("bcdfghklmnprstvz") + r.choice("aeiou") for _ in range(3))
            for _ in range(4000)]
    # each common word in about 60 % of the claims: more than the postings read (frequent_cap)
    claims = [" ".join(r.sample(common, 5) + r.sample(rare, r.randint(6, 12))) for _ in range(4000)]
    shorts = [" ".join(r.sample(common, 5)) for _ in range(40)]
    claims += shorts
    ix = ClaimIndex(mode="fuzzy")
    ix.add_many(enumerate(claims))
    ix.compact()
    norm = [normalise(c) for c in claims]
    found_short = 0
    for _ in range(20):
        # a long query: the common words, two rare words a few claims have, and ten no claim has
        q = normalise(" ".join(common + r.sample(rare, 2) + [w[::-1] + "x" for w in r.sample(rare, 10)]))
        scores = process.cdist([q], norm, scorer=fuzz.token_set_ratio, processor=None)[0]
        kth = np.sort(scores)[::-1][9]
        got = ix.search(q, limit=10)
        assert all(scores[m.claim_id] >= kth - 0.01 for m in got), q
        found_short += sum(m.claim_id >= 4000 for m in got)
    assert found_short >= 150      # the top 10 are the short rows, and the search finds them
