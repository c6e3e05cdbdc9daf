"""A process's memory as Linux counts it (/proc/PID/smaps_rollup), for the benchmarks."""
from __future__ import annotations

from pathlib import Path


def smaps(pid: int | str = "self") -> dict[str, int]:
    """The kB counters of /proc/PID/smaps_rollup (Rss, Private_Clean, Shared_Dirty, ...)."""
    kb = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == "kB":
            kb[parts[0].rstrip(":")] = int(parts[1])
    return kb


def own_and_shared_mb(pid: int | str = "self") -> tuple[float, float]:
    """MB this process alone maps (Private_*: its own memory, and file pages no other process
    maps yet) and MB it shares with others (Shared_*: counted once however many map them)."""
    kb = smaps(pid)
    return ((kb["Private_Clean"] + kb["Private_Dirty"]) / 1024, (kb["Shared_Clean"] + kb["Shared_Dirty"]) / 1024)
