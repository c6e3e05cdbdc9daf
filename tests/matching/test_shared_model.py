"""The embedding model's weights are one file that every worker maps (loaded once per machine, not
per worker): written once, reused, written again when damaged, and computing the same vectors."""
import os
import shutil

import numpy as np
import pytest

from factcheck.matching import embeddings

FILES = embeddings.find_model_files()
pytestmark = pytest.mark.skipif(FILES is None, reason="MiniLM packages not installed")
SENTENCES = ["The president was not involved in the negotiations.",
             "Russian military bases in Syria are on heightened combat readiness.",
             "The Harbour Street bridge repairs will cost the city $2.6 million."]


def mapped_files() -> set[str]:
    with open("/proc/self/maps") as maps:
        return {line.split()[-1] for line in maps if len(line.split()) >= 6}


def test_the_weights_file_is_written_once_and_mapped(tmp_path, monkeypatch):
    monkeypatch.setenv("FACTCHECK_MODEL_CACHE", str(tmp_path))
    path = embeddings.shared_model(FILES[0])
    folder = path.parent
    assert folder.parent == tmp_path and sorted(p.name for p in folder.iterdir()) == ["model.onnx", "weights.bin"]
    assert [p.name for p in tmp_path.iterdir()] == [folder.name]        # no temporary folder left
    assert (folder / "weights.bin").stat().st_size > 50_000_000         # the float32 weights, outside the graph
    assert path.stat().st_size < 1_000_000
    stamp = (folder / "weights.bin").stat().st_mtime_ns
    assert embeddings.shared_model(FILES[0]) == path and (folder / "weights.bin").stat().st_mtime_ns == stamp

    emb = embeddings.MiniLMEmbedder(*FILES, threads=1)
    vecs = emb.encode(SENTENCES)
    assert emb.model_file == path
    assert str(folder / "weights.bin") in mapped_files()              # mapped, not read into this process
    assert emb.name == embeddings.model_name()                          # the same vectors keep the same name

    import onnxruntime as ort
    plain = ort.InferenceSession(str(FILES[0]), providers=["CPUExecutionProvider"])
    emb.session = plain                                                  # the packaged file as onnxruntime loads it
    assert np.abs(emb.encode(SENTENCES) - vecs).max() < 1e-5


def test_a_damaged_copy_is_written_again(tmp_path, monkeypatch):
    monkeypatch.setenv("FACTCHECK_MODEL_CACHE", str(tmp_path))
    path = embeddings.shared_model(FILES[0])
    path.write_bytes(b"not a model")                 # a full disk, say
    emb = embeddings.MiniLMEmbedder(*FILES, threads=1)
    assert emb.model_file == path and path.stat().st_size > 10_000
    assert emb.encode(["A cat sat on the mat."]).shape == (1, 384)


def test_an_unwritable_cache_still_gets_a_working_model(tmp_path, monkeypatch):
    blocked = tmp_path / "a-file"
    blocked.write_text("x")                          # a file where the folder should be (root writes anywhere)
    monkeypatch.setenv("FACTCHECK_MODEL_CACHE", str(blocked / "models"))
    path = embeddings.shared_model(FILES[0])
    try:
        assert path.is_file() and blocked not in path.parents
    finally:
        shutil.rmtree(path.parent.parent)            # this process's own temporary copy


def test_the_prepare_command_prints_where_the_model_is(tmp_path):
    import subprocess
    import sys
    env = dict(os.environ, FACTCHECK_MODEL_CACHE=str(tmp_path))
    out = subprocess.run([sys.executable, "-m", "factcheck.matching"], env=env, capture_output=True, text=True,
                         check=True).stdout
    assert out.startswith("embedding model ready: ") and str(tmp_path) in out
    assert len(list(tmp_path.glob("*/weights.bin"))) == 1
