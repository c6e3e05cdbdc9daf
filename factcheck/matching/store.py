"""Segments on disk: one plain .npy file per array plus meta.json, written beside and renamed in.

A reader memory-maps the arrays (np.load mmap_mode="r"), so several worker processes share one
copy of the index in the page cache and each holds little private memory.
"""
from __future__ import annotations

import json
import mmap as _mmap
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from .segment import ARRAYS, MappedBytes, Segment

OPTIONAL = ("len_order", "set_off", "set_blob", "vectors", "pre_ptr", "pre_rows", "pre_rest",
            "hist_len", "mask_len")   # newer or optional arrays

FORMAT = 1


def save_segment(seg: Segment, directory: Path) -> Path:
    """Write `seg` into a fresh sibling directory, then swap it into place at `directory`."""
    directory = Path(directory).resolve()
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        names = list(ARRAYS) + [name for name in OPTIONAL if getattr(seg, name, None) is not None]
        for name in names:
            np.save(tmp / f"{name}.npy", np.asarray(getattr(seg, name)), allow_pickle=False)
        meta = dict(seg.meta, format=FORMAT, arrays=names)
        (tmp / "meta.json").write_text(json.dumps(meta))
        for f in tmp.iterdir():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
        old = None
        if directory.exists():
            old = directory.parent / f".{directory.name}.old.{os.getpid()}"
            os.rename(directory, old)
        os.rename(tmp, directory)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return directory


def load_segment(directory: Path, *, mmap: bool = True) -> Segment:
    """Open a saved segment, memory-mapped unless mmap=False."""
    directory = Path(directory)
    meta = json.loads((directory / "meta.json").read_text())
    if meta.get("format") != FORMAT:
        raise ValueError(f"{directory}: unknown index format {meta.get('format')!r}")
    arrays = {}
    if mmap:   # the byte blobs are sliced straight from their mappings (see Segment)
        for name in ("text_blob", "set_blob"):
            if name in meta["arrays"]:
                arrays["_" + name] = _mmap_npy_bytes(directory / f"{name}.npy")
    for name in meta["arrays"]:
        arr = np.load(directory / f"{name}.npy", mmap_mode="r" if mmap else None,
                      allow_pickle=False)
        # a plain ndarray over the same mapping: np.memmap's indexing hooks cost more than the
        # gathers they wrap on a query's hundred thousand rows
        arrays[name] = arr.view(np.ndarray) if isinstance(arr, np.memmap) else arr
    return Segment(arrays, meta)


def _mmap_npy_bytes(path: Path):
    arr = np.load(path, mmap_mode="r", allow_pickle=False)
    if not isinstance(arr, np.memmap) or not arr.size:
        return b""
    with open(path, "rb") as f:
        mm = _mmap.mmap(f.fileno(), 0, access=_mmap.ACCESS_READ)
    return MappedBytes(mm, int(arr.offset))
