import os

import numpy as np
import pytest

from factcheck.matching import ClaimIndex


def ids(matches):
    return [m.claim_id for m in matches]


@pytest.mark.parametrize("mode", ["hybrid", "fuzzy"])
def test_round_trip_with_delta_and_tombstones(tmp_path, mode, make_claims):
    claims = make_claims(500)
    ix = ClaimIndex(mode=mode)
    ix.add_many(enumerate(claims))
    ix.remove(7)
    path = ix.save(tmp_path / "index")
    assert sorted(os.listdir(tmp_path)) == ["index"]

    opened = ClaimIndex.open(tmp_path / "index", mode=mode)
    assert len(opened) == 499 and 7 not in opened and 8 in opened
    assert isinstance(opened._base.post_rows.base, np.memmap)  # a view of the mapped file
    for q in (claims[3], claims[100], claims[499]):
        assert ids(opened.search(q)) == ids(ix.search(q))

    # changes after open: delta (add, edit) and tombstones (remove, the old text of an edit)
    opened.add(1000, "zebra crossing quarrel in damascus")
    opened.add(3, "wombat holes shelter butterflies")
    opened.remove(100)
    assert len(opened) == 499
    assert ids(opened.search("zebra crossing quarrel"))[0] == 1000
    assert ids(opened.search("wombat butterflies"))[0] == 3
    assert 3 not in ids(opened.search(claims[3]))[:1] or claims[3] == "wombat holes shelter butterflies"
    assert 100 not in ids(opened.search(claims[100], limit=50))
    opened.remove(1000)
    assert 1000 not in opened and 1000 not in ids(opened.search("zebra crossing quarrel"))

    # saving again folds delta and tombstones into a new base, replacing the directory
    opened.save(path)
    again = ClaimIndex.open(path, mode=mode)
    assert len(again) == 498
    assert ids(again.search("wombat butterflies"))[0] == 3
    assert 100 not in again and 1000 not in again and 7 not in again
    assert sorted(os.listdir(tmp_path)) == ["index"]


@pytest.mark.parametrize("with_vectors", [False, True])
def test_a_compacted_index_saves_its_base_as_a_rebuild_would(tmp_path, with_vectors, make_claims):
    """save() writes the base compact() built when nothing changed since (no second build: half
    of a large save), byte for byte what a rebuild writes; after any change it builds again."""
    claims = make_claims(300)
    vectors = np.random.default_rng(1).standard_normal((300, 8)).astype(np.float16) if with_vectors else None

    def index():
        ix = ClaimIndex(mode="fuzzy", keep_vectors=True)
        ix.add_many(enumerate(claims), vectors=vectors)
        return ix
    index().save(tmp_path / "rebuilt")
    compacted = index()
    compacted.compact()
    compacted.save(tmp_path / "compacted")
    files = sorted(os.listdir(tmp_path / "rebuilt"))
    assert files == sorted(os.listdir(tmp_path / "compacted"))
    assert ("vectors.npy" in files) == with_vectors
    for name in files:
        assert (tmp_path / "rebuilt" / name).read_bytes() == (tmp_path / "compacted" / name).read_bytes(), name

    compacted.add(1000, "wombat holes shelter butterflies")     # a delta, no tombstone
    compacted.save(tmp_path / "added")
    opened = ClaimIndex.open(tmp_path / "added", mode="fuzzy")
    assert 1000 in opened and len(opened) == 301
    assert ids(opened.search("wombat holes shelter butterflies"))[0] == 1000
    compacted.compact()
    compacted.remove(5)                                         # a tombstone, no delta
    compacted.save(tmp_path / "removed")
    opened = ClaimIndex.open(tmp_path / "removed", mode="fuzzy")
    assert 5 not in opened and 1000 in opened and len(opened) == 300


def test_string_ids_survive(tmp_path):
    ix = ClaimIndex()
    ix.add_many([("a", "first claim text"), ("b", "second claim words")])
    ix.save(tmp_path / "s")
    opened = ClaimIndex.open(tmp_path / "s")
    assert "a" in opened and 1 not in opened
    assert ids(opened.search("second claim"))[0] == "b"


def test_empty_index_round_trip(tmp_path):
    ClaimIndex().save(tmp_path / "e")
    opened = ClaimIndex.open(tmp_path / "e")
    assert len(opened) == 0 and opened.search("anything") == []
    opened.add(1, "now something")
    assert ids(opened.search("something")) == [1]


def test_failed_save_leaves_old_index(tmp_path, monkeypatch):
    ix = ClaimIndex()
    ix.add(1, "kept claim")
    ix.save(tmp_path / "i")
    ix.add(2, "new claim")
    import factcheck.matching.store as store

    def boom(*a, **k):
        raise OSError("disk full")
    monkeypatch.setattr(store.np, "save", boom)
    with pytest.raises(OSError):
        ix.save(tmp_path / "i")
    assert sorted(os.listdir(tmp_path)) == ["i"]
    assert len(ClaimIndex.open(tmp_path / "i")) == 1


def test_base_saved_before_token_set_texts_still_searches_the_same(tmp_path, make_claims):
    import json

    claims = make_claims(600)
    ix = ClaimIndex(mode="fuzzy")
    ix.add_many(enumerate(claims))
    path = ix.save(tmp_path / "index")
    # the layout of an older release: no sorted word strings, no rows-by-length order
    meta = json.loads((path / "meta.json").read_text())
    for name in ("set_off", "set_blob", "len_order"):
        meta["arrays"].remove(name)
        (path / f"{name}.npy").unlink()
    (path / "meta.json").write_text(json.dumps(meta))

    old = ClaimIndex.open(path, mode="fuzzy")
    assert old._base.set_off is None
    # the last two share no word with any claim: their scores come from the LCS bound alone
    for q in (claims[5], "more than", claims[300][:25], "damscus budgett tarriff", "mosow polise"):
        got, want = old.search(q), ix.search(q)
        assert ids(got) == ids(want)
        assert [m.score for m in got] == [m.score for m in want]
