import pytest

from factcheck.matching import ClaimIndex, Match

CLAIMS = {
    1: "Bashar al-Assad fled Damascus for Moscow on Sunday",
    2: "The city spends $2.6M a year on its police helicopters",
    3: "Vaccines cause autism, a viral post claims",
    4: "Unemployment fell to 3.5 percent in March, the lowest in fifty years",
    5: "The mayor was not involved in the housing contract",
}


@pytest.fixture(params=["hybrid", "fuzzy"])
def index(request):
    ix = ClaimIndex(mode=request.param)
    ix.add_many(CLAIMS.items())
    return ix


def ids(matches):
    return [m.claim_id for m in matches]


def test_finds_claim_by_its_own_words(index):
    res = index.search("Assad fled Damascus")
    assert res and res[0].claim_id == 1
    assert isinstance(res[0], Match) and 0 < res[0].score <= 100


def test_typo_query_finds_claim(index):
    assert ids(index.search("Asad fleed Damscus"))[0] == 1
    assert ids(index.search("vacines cuase autsm"))[0] == 3


def test_reordered_and_number_words(index):
    assert ids(index.search("police helicopters cost 2.6 million dollars city"))[0] == 2
    assert ids(index.search("unemployment three point five percent march"))[0] == 4


def test_scores_sorted_and_limited(index):
    res = index.search("the city", limit=2)
    assert len(res) <= 2
    scores = [m.score for m in res]
    assert scores == sorted(scores, reverse=True)


def test_len_contains_remove(index):
    assert len(index) == 5 and 3 in index and 99 not in index
    assert index.remove(3) is True
    assert index.remove(3) is False
    assert 3 not in index and len(index) == 4
    assert 3 not in ids(index.search("vaccines autism"))


def test_edit_replaces_text(index):
    index.add(3, "Wombat holes shelter butterflies during bushfires")
    assert len(index) == 5
    assert 3 not in ids(index.search("vaccines cause autism"))
    assert ids(index.search("butterflies wombat holes"))[0] == 3
    assert index.text(3) == "wombat holes shelter butterflies during bushfires"


def test_str_and_int_ids_kept_apart():
    ix = ClaimIndex()
    ix.add(1, "alpha beta gamma")
    ix.add("1", "alpha beta delta")
    assert len(ix) == 2 and 1 in ix and "1" in ix
    ix.remove(1)
    assert ids(ix.search("alpha beta")) == ["1"]


@pytest.mark.parametrize("query", ["", "   ", "?!...", "—“”‘’", "\x00\n\t"])
def test_empty_and_punctuation_queries(index, query):
    assert index.search(query) == []


def test_huge_query(index):
    res = index.search("Assad fled Damascus " + "lorem ipsum dolor sit amet " * 400)
    assert isinstance(res, list)
    assert all(0 <= m.score <= 100 for m in res)


def test_empty_index_and_bad_limit():
    ix = ClaimIndex()
    assert ix.search("anything") == [] and len(ix) == 0
    ix.add(1, "something here")
    assert ix.search("something", limit=0) == []


def test_bad_ids_and_modes():
    ix = ClaimIndex()
    with pytest.raises(TypeError):
        ix.add(1.5, "x")
    with pytest.raises(ValueError):
        ClaimIndex(mode="nope")
    with pytest.raises(ValueError):
        ix.search("x", mode="nope")


def test_fuzzy_score_is_token_set_ratio():
    from rapidfuzz import fuzz
    from factcheck.matching import normalise
    ix = ClaimIndex(mode="fuzzy")
    ix.add_many(CLAIMS.items())
    q = "mayor involved housing contract"
    top = ix.search(q)[0]
    assert top.claim_id == 5
    assert top.score == pytest.approx(fuzz.token_set_ratio(normalise(q), normalise(CLAIMS[5])))


def test_empty_text_claim_is_counted_but_not_found():
    ix = ClaimIndex()
    ix.add(1, "")
    ix.add(2, "real words here")
    assert len(ix) == 2 and ids(ix.search("real words")) == [2]


def test_compact_keeps_everything(index):
    index.remove(2)
    index.add(6, "Ukraine's grain exports doubled in 2023")
    index.compact()
    assert len(index) == 5 and 2 not in index and 6 in index
    assert ids(index.search("grain exports ukraine"))[0] == 6


def test_segment_stats_count_each_word_of_a_claim_once():
    """Row length and character histogram are those of the claim's unique words, long ones too."""
    import numpy as np

    from factcheck.matching.segment import MAX_TOKEN, Segment, char_hist
    long_word = "x" * (MAX_TOKEN + 5)
    seg = Segment.build([1, 2, 3, 4], ["the cat saw the other cat", "the cat saw other",
                                       f"{long_word} b {long_word}", ""])
    assert np.array_equal(seg.hist[0], seg.hist[1]) and seg.row_len[0] == seg.row_len[1] == len("the cat saw other") + 1
    assert np.array_equal(seg.hist[2], char_hist(f"{long_word} b"))
    assert seg.row_len[2] == len(long_word) + 3 and seg.row_len[3] == 0
    assert list(seg.row_ntok) == [6, 4, 3, 0]
    assert seg.token_ids([long_word, "b", "cat"]).tolist()[0] == -1
    assert seg.df[seg.token_ids(["cat"])[0]] == 2


def test_recent_claims_in_a_delta_rank_as_in_one_compacted_index(make_claims):
    """Hybrid search picks its candidates from base and delta together, so a base with recent
    claims on top ranks exactly as one index holding them all."""
    claims = make_claims(1200)
    layered = ClaimIndex(embedder=None)
    layered.add_many(enumerate(claims[:1000]))
    layered.compact()
    layered.add_many((i, c) for i, c in enumerate(claims[1000:], 1000))
    assert len(layered._segments()) == 2
    whole = ClaimIndex(embedder=None)
    whole.add_many(enumerate(claims))
    whole.compact()
    for text in claims[990:1010] + ["the city council", "minister said"]:
        a, b = layered.search(text, limit=10), whole.search(text, limit=10)
        assert [m.score for m in a] == [m.score for m in b]
        cut = a[-1].score if len(a) == 10 else -1    # ties at the cut may come in either order
        assert {(m.claim_id, m.score) for m in a if m.score > cut} == {(m.claim_id, m.score) for m in b if m.score > cut}
