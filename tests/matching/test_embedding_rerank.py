"""The optional embedding signal: a stand-in embedder here; the real model only where installed."""
import zlib

import numpy as np
import pytest

from factcheck.matching import ClaimIndex

SYNONYMS = {"automobile": "car", "physicians": "doctors", "kids": "children"}


class FakeEmbedder:
    """Bag-of-words vectors with a few synonyms folded: meaning beyond spelling, deterministically."""
    dim = 64

    def encode(self, texts):
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.lower().split():
                w = SYNONYMS.get(w.strip(".,"), w.strip(".,"))
                out[i, zlib.crc32(w.encode()) % self.dim] += 1.0  # not hash(): it varies by process
        n = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(n, 1e-9)


@pytest.fixture(autouse=True)
def _embeddings_allowed(monkeypatch):
    monkeypatch.delenv("FACTCHECK_EMBEDDINGS")


CLAIMS = {1: "Doctors say children should not ride in a car seat facing forward",
          2: "The mayor opened a new bridge over the river",
          3: "Inflation fell to two percent in May"}


def test_vectors_find_paraphrase_and_survive_save(tmp_path):
    ix = ClaimIndex(embedder=FakeEmbedder())
    ix.add_many(CLAIMS.items())
    assert ix.search("physicians warn kids automobile")[0].claim_id == 1
    ix.save(tmp_path / "v")
    opened = ClaimIndex.open(tmp_path / "v", embedder=FakeEmbedder())
    assert opened._base.vectors is not None and opened._base.vectors.shape == (3, 64)
    opened.add(4, "Physicians hate kids")
    opened.remove(1)
    res = [m.claim_id for m in opened.search("physicians warn kids automobile")]
    assert res[0] == 4 and 1 not in res


def test_env_switch_turns_embeddings_off(monkeypatch):
    monkeypatch.setenv("FACTCHECK_EMBEDDINGS", "0")
    assert ClaimIndex(embedder=FakeEmbedder()).embedder is None
    assert ClaimIndex(embedder="auto").embedder is None
    assert ClaimIndex().embedder is None


def test_default_embeds_when_installed_but_fuzzy_and_none_do_not(monkeypatch):
    from factcheck.matching import embeddings
    fake = FakeEmbedder()
    monkeypatch.setattr(embeddings, "default_embedder", lambda: fake)
    assert ClaimIndex().embedder is fake
    assert ClaimIndex(mode="fuzzy").embedder is None
    assert ClaimIndex(embedder=None).embedder is None
    monkeypatch.setenv("FACTCHECK_EMBEDDINGS", "1")
    assert ClaimIndex(mode="fuzzy").embedder is fake


def test_reposted_duplicate_ranks_after_the_original():
    """Claims with the same normalised text share one score; the first indexed leads."""
    ix = ClaimIndex(embedder=FakeEmbedder())
    ix.add(7, '"Doctors say ""children"" should not ride in a car seat facing forward"')
    ix.add(3, "Doctors say 'children' should not ride in a car seat facing forward.")
    ix.add(5, "The mayor opened a new bridge over the river")
    res = ix.search("physicians say kids should not ride facing forward")
    assert [m.claim_id for m in res[:2]] == [7, 3]
    assert res[0].score == res[1].score


def test_real_minilm_when_installed():
    from factcheck.matching.embeddings import default_embedder, find_model_files
    if find_model_files() is None:
        pytest.skip("MiniLM packages not installed")
    emb = default_embedder()
    if emb is None:
        pytest.skip("onnxruntime or tokenizers missing")
    v = emb.encode(["The president was not involved", "A cat sat on the mat", ""])
    assert v.shape == (3, 384)
    assert np.allclose(np.linalg.norm(v[:2], axis=1), 1.0, atol=1e-4)
    ix = ClaimIndex(embedder=emb)
    ix.add_many(CLAIMS.items())
    assert ix.search("physicians warn kids about automobile seats")[0].claim_id == 1
