from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factcheck.matching import ClaimIndex, difference_flags, normalise, score_pair


def _claims():
    import random
    r = random.Random(11)
    words = ("tax crime jobs vaccine border housing school pension wage police budget election "
             "the a in of on 2019 12 damascus moscow smith garcia said denied rose fell").split()
    return [" ".join(r.choice(words) for _ in range(r.randint(3, 12))) for _ in range(300)]


_CLAIMS = _claims()
_INDEXES = {}


def _index(mode):
    if mode not in _INDEXES:
        ix = ClaimIndex(mode=mode)
        ix.add_many(enumerate(_CLAIMS))
        ix.add("odd", "Ünïcödé ‘quotes’ and — dashes 2.6M $3bn")
        _INDEXES[mode] = ix
    return _INDEXES[mode]


texts = st.one_of(st.text(max_size=200), st.sampled_from(_CLAIMS),
                  st.lists(st.sampled_from(" ".join(_CLAIMS).split()), max_size=12).map(" ".join))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, mode=st.sampled_from(["hybrid", "fuzzy"]), limit=st.integers(0, 25))
def test_search_never_crashes_and_is_sorted(text, mode, limit):
    res = _index(mode).search(text, limit=limit)
    assert len(res) <= limit
    scores = [m.score for m in res]
    assert all(0.0 <= s <= 100.0 for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert len({m.claim_id for m in res}) == len(res)
    if mode == "fuzzy":   # a fuzzy score is the true token_set_ratio, never a bound standing in
        from rapidfuzz import fuzz
        q = normalise(text)
        for m in res:
            assert abs(m.score - fuzz.token_set_ratio(q, _index(mode).text(m.claim_id))) < 0.01


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=300))
def test_normalise_is_idempotent_ascii(text):
    n = normalise(text)
    assert n == normalise(n)
    assert n.isascii() and "  " not in n


@settings(max_examples=150, deadline=None)
@given(a=st.text(max_size=150), b=st.text(max_size=150))
def test_pairs_never_crash(a, b):
    p = score_pair(a, b)
    assert 0.0 <= p.score <= 100.0
    assert set(difference_flags(a, b)) <= {"negation", "number", "date", "entity"}
    assert set(p.flags) == set(difference_flags(a, b))


@settings(max_examples=60, deadline=None)
@given(ops=st.lists(st.tuples(st.sampled_from(["add", "remove"]), st.integers(0, 15),
                              st.sampled_from(_CLAIMS[:20])), max_size=25))
def test_changes_match_a_dict(ops):
    ix = ClaimIndex(mode="fuzzy")
    model = {}
    for op, cid, text in ops:
        if op == "add":
            ix.add(cid, text)
            model[cid] = text
        else:
            assert ix.remove(cid) == (cid in model)
            model.pop(cid, None)
        ix.search("tax")  # builds the delta between changes
    assert len(ix) == len(model)
    for cid, text in model.items():
        assert cid in ix
        assert ix.text(cid) == normalise(text)
