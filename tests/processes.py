"""Looking at processes through /proc: which are alive, who their parent is, which carry a tag."""

from __future__ import annotations

import threading
import time
from pathlib import Path


def stat(pid: int) -> tuple[str, str, int] | None:
    """(comm, state, ppid) of a process, or None when it does not exist."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    head, _, rest = raw.rpartition(")")
    fields = rest.split()
    return head.partition("(")[2], fields[0], int(fields[1])


def ppid(pid: int) -> int | None:
    st = stat(pid)
    return st[2] if st else None


def gone(pid: int) -> bool:
    """Not running: no such process, or a zombie waiting for its parent."""
    st = stat(pid)
    return st is None or st[1] in ("Z", "X")


def wait_gone(pids, timeout: float = 10.0) -> list[int]:
    """The pids still running after ``timeout`` seconds (empty when all ended)."""
    deadline = time.monotonic() + timeout
    while True:
        alive = [p for p in pids if not gone(p)]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)


def tagged(tag: str) -> list[int]:
    """Running processes whose environment holds ``tag`` (``NAME=value``)."""
    found = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            if tag.encode() in (d / "environ").read_bytes().split(b"\0") and not gone(int(d.name)):
                found.append(int(d.name))
        except OSError:
            pass
    return found


def tagged_by_name(tag: str) -> dict[str, list[int]]:
    """Running tagged processes grouped by name (``xtk-template``, ``xtk-kernel``, ``python``…)."""
    by: dict[str, list[int]] = {}
    for pid in tagged(tag):
        st = stat(pid)
        if st:
            by.setdefault(st[0], []).append(pid)
    return by


class Watch(threading.Thread):
    """Record, while it runs, the name and parent name of every tagged process it sees."""

    def __init__(self, tag: str, interval: float = 0.05):
        super().__init__(daemon=True)
        self.tag, self.interval = tag, interval
        # pid -> every (name, parent's name) it was seen with: a forked kernel is first seen under its
        # template's name and renames itself a moment later, so the first sighting alone is not enough
        self.seen: dict[int, set[tuple[str, str]]] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            for pid in tagged(self.tag):
                st = stat(pid)
                parent = stat(st[2]) if st else None
                if st and parent:
                    self.seen.setdefault(pid, set()).add((st[0], parent[0]))
            self.done.wait(self.interval)

    def __enter__(self) -> Watch:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.join()

    def names(self) -> list[tuple[str, str]]:
        return sorted(set().union(*self.seen.values()))
