#!/usr/bin/env python3
"""CPU of a command and of every process it starts, by kind, sampled from /proc.

    .venv/bin/python bench/cpu_by_process.py .venv/bin/python -m pytest tests/browser \
        --confcutdir=tests/browser -p no:cacheprovider

`/usr/bin/time` counts only the processes its child waits for; Chromium's renderer, GPU and
utility processes are not among them, so their CPU is missing from `user + sys` (bench/
RESULTS.md, "CI time", fourth step). This samples every process's own user + system time
(fields 14 and 15 of /proc/<pid>/stat) once a second while the command runs, keeps each
process's last reading, and sums them by kind. A process that lives less than a second, or
its last second, may be missed: the figures are a lower bound.
"""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import time

HZ = os.sysconf("SC_CLK_TCK")
KINDS = (
    ("--type=renderer", "chromium renderer"),
    ("--type=gpu-process", "chromium gpu"),
    ("--type=utility", "chromium utility"),
    ("--type=zygote", "chromium zygote"),
    ("chromium", "chromium browser"),
    ("playwright", "playwright driver"),
    ("marketplace.cli serve", "service"),
    ("marketplace.cli", "cli commands"),
    ("postgres", "postgresql"),
    ("pytest", "pytest"),
)


def kind(cmdline: str) -> str | None:
    for marker, name in KINDS:
        if marker in cmdline:
            return name
    return None


def readings(command: int | None = None) -> dict[str, tuple[str, float]]:
    """Each process of a kind we count, and the command itself: (kind, CPU seconds so far)."""
    found: dict[str, tuple[str, float]] = {}
    me = str(os.getpid())
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or pid == me:
            continue
        try:
            with open(f"/proc/{pid}/cmdline") as f:
                cmdline = f.read().replace("\0", " ")
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        name = kind(cmdline) or ("the command" if pid == str(command) else None)
        if name is not None:
            found[pid] = (name, (int(fields[11]) + int(fields[12])) / HZ)
    return found


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    # Processes already running (PostgreSQL's server) count only what they spend meanwhile.
    before = {pid: seconds for pid, (_, seconds) in readings().items()}
    child = subprocess.Popen(sys.argv[1:])
    last: dict[str, tuple[str, float]] = {}
    while child.poll() is None:
        last.update(readings(child.pid))
        time.sleep(1.0)
    by_kind: dict[str, float] = collections.defaultdict(float)
    for pid, (name, seconds) in last.items():
        by_kind[name] += seconds - before.get(pid, 0.0)
    for name, seconds in sorted(by_kind.items(), key=lambda item: -item[1]):
        print(f"{seconds:8.1f} s  {name}")
    print(f"{sum(by_kind.values()):8.1f} s  in all (exit {child.returncode})")
    return child.returncode


if __name__ == "__main__":
    sys.exit(main())
