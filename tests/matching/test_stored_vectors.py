"""A lexical ClaimIndex carries vectors it is handed (from the database) into its saved base."""
import numpy as np

from factcheck.matching import ClaimIndex


def unit(*values):
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_given_vectors_survive_save_and_open_and_missing_ones_stay_missing(tmp_path):
    ix = ClaimIndex(embedder=None)
    ix.add_many([(1, "The bridge opened in 1962"), (2, "The tram runs at night"), (3, "Rents rose by 4 percent")],
                vectors=[unit(1, 0, 0, 0), None, unit(0, 0, 1, 1)])
    assert set(ix.stored_vectors([1, 2, 3, 4])) == {1, 3}
    ix.save(tmp_path / "base")
    opened = ClaimIndex.open(tmp_path / "base", embedder=None)
    assert opened.embedder is None and opened._base.vectors.shape == (3, 4)
    got = opened.stored_vectors([1, 2, 3])
    assert set(got) == {1, 3} and np.allclose(got[3], unit(0, 0, 1, 1), atol=1e-3)
    assert opened.search("bridge opened 1962")[0].claim_id == 1  # still a lexical index

    opened.add(1, "The bridge opened in 1963")            # an edit without a vector: the old one is gone
    opened.add(2, "The tram runs all night", unit(0, 1, 0, 0))
    opened.remove(3)
    got = opened.stored_vectors([1, 2, 3])
    assert set(got) == {2} and np.allclose(got[2], unit(0, 1, 0, 0), atol=1e-3)


def test_an_index_without_vectors_saves_none_and_compaction_drops_given_ones(tmp_path):
    plain = ClaimIndex(embedder=None)
    plain.add_many([(1, "one claim"), (2, "another claim")])
    plain.save(tmp_path / "plain")
    assert ClaimIndex.open(tmp_path / "plain", embedder=None)._base.vectors is None

    ix = ClaimIndex(embedder=None)
    ix.add(1, "one claim", unit(1, 1))
    ix.compact()
    assert ix._base.vectors is None and ix.stored_vectors([1]) == {}


def _meaning_index(**kw):
    """Three claims with given vectors (one without), none sharing a word with the query."""
    ix = ClaimIndex(embedder=None, **kw)
    ix.add_many([(1, "Council spending on helicopters tripled"), (2, "The tram runs at night"),
                 (3, "Night buses are free for students"), (4, "Students ride the tram for nothing")],
                vectors=[unit(1, 0, 0, 0), unit(0, 1, 0, 0), unit(0, 0, 1, 0), None])
    return ix


def test_a_query_vector_finds_claims_by_meaning_in_a_lexical_index():
    ix = _meaning_index()
    query = "Municipal aviation outlays went up threefold"
    assert ix.search(query) == []                    # not one word in common
    found = ix.search(query, vector=unit(1, 0.1, 0, 0))
    assert [m.claim_id for m in found][:1] == [1] and found[0].score > 50
    # a claim without a vector is still found by its words, ranked by them alone
    words = ix.search("students tram", vector=unit(0, 0, 0, 1))
    assert 4 in [m.claim_id for m in words]
    assert {m.claim_id for m in words} <= {2, 3, 4}


def test_kept_vectors_outlive_compaction_and_meaning_still_ranks():
    ix = _meaning_index(keep_vectors=True)
    ix.compact()
    assert set(ix.stored_vectors([1, 2, 3, 4])) == {1, 2, 3}
    query = "Municipal aviation outlays went up threefold"
    assert [m.claim_id for m in ix.search(query, vector=unit(1, 0, 0, 0.1))][:1] == [1]
    dropped = _meaning_index()
    dropped.compact()
    assert dropped.search(query, vector=unit(1, 0, 0, 0.1)) == []
