import pytest

from factcheck.matching import difference_flags, score_pair


@pytest.mark.parametrize("a, b, flag", [
    ("The minister was involved in the deal", "The minister was not involved in the deal", "negation"),
    ("He has never met Putin", "He has met Putin", "negation"),
    ("She didn't sign the bill", "She signed the bill", "negation"),
    ("He was charged with 2 counts of fraud", "He was charged with 3 counts of fraud", "number"),
    ("Two people died", "Three people died", "number"),
    ("The project cost $2.6 million", "The project cost $3.1 million", "number"),
    ("The vote is on Monday", "The vote is on Tuesday", "date"),
    ("He was born in 1961", "He was born in 1962", "date"),
    ("Assad fled on 8 December", "Assad fled on December 9", "date"),
    ("The summit was held in March", "The summit was held in April", "date"),
    ("Assad fled to Moscow", "Assad fled to Tehran", "entity"),
    ("John Smith won the race in Berlin", "Peter Jones won the race in Berlin", "entity"),
])
def test_flag_raised(a, b, flag):
    assert flag in difference_flags(a, b)
    assert flag in difference_flags(b, a)


@pytest.mark.parametrize("a, b", [
    ("It cost the city roughly $2.6 million", "The city spends $2.6M"),
    ("He was charged with two counts", "He was charged with 2 counts"),
    ("Assad fled to Moscow on 8 December 2024", "On December 8, Assad fled to Moscow"),
    ("Russian President Vladimir Putin met Erdogan", "Putin met Turkish President Recep Tayyip Erdogan"),
    ("The vote was held on Monday", "The vote was held on Monday in Berlin, officials said"),
    ("Unemployment fell to 3.5%", "Unemployment fell to 3.5 per cent"),
    ("Nobody was hurt", "Nobody was hurt, police said"),
])
def test_no_flag_for_same_facts(a, b):
    assert difference_flags(a, b) == ()


def test_score_pair():
    same = score_pair("It cost the city roughly $2.6 million", "it cost the city roughly 2.6 million dollars")
    assert same.score > 80 and same.flags == ()
    diff = score_pair("He was charged with 2 counts", "He was charged with 3 counts")
    assert diff.flags == ("number",) and 0 <= diff.score <= 100
    assert score_pair("", "x").score == 0.0


@pytest.mark.parametrize("a, b", [
    ("That's almost enough to fill an Olympic pool", "That is enough to fill an Olympic pool"),
    ("More than 30 people were arrested", "30 people were arrested"),
])
def test_bounds_on_an_amount_are_flagged(a, b):
    assert "qualifier" in difference_flags(a, b)
    assert difference_flags(a, a) == ()


class _SynonymEmbedder:
    """Vectors that know 'vapour' / 'vapor' and 'researchers' / 'scientists' mean the same."""
    dim = 32
    SAME = {"vapour": "vapor", "researchers": "scientists", "detected": "found", "above": "on"}

    def __init__(self):
        self.calls = 0

    def encode(self, texts):
        import numpy as np
        self.calls += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.lower().replace(",", " ").split():
                out[i, hash(self.SAME.get(w, w)) % self.dim] += 1
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def test_paraphrase_scores_higher_with_vectors_and_texts_are_embedded_once(monkeypatch):
    from factcheck.matching import flags, score_pairs
    a = "Scientists found water vapor on Europa for the first time"
    b = "For the first time, researchers detected water vapour above Europa"
    lexical = score_pair(a, b).score
    emb = _SynonymEmbedder()
    monkeypatch.setattr(flags, "_pair_embedder", lambda: emb)
    monkeypatch.setattr(flags, "_vectors", flags._VectorCache(size=3))
    first = score_pairs([(a, b), (a, "The mayor opened a new bridge")])
    assert first[0].score > max(lexical, 70) and first[1].score < 70
    assert emb.calls == 3
    assert score_pair(a, b) == first[0] and emb.calls == 3   # from the cache
    assert len(flags._vectors.items) == 3
