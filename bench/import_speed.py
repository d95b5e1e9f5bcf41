"""How fast `qualdesk import` reads a large messy lead file, against a floor.

The floor is what any importer of this file has to pay, measured in the same
run on the same file: phonenumbers normalising every phone (parse, validate,
format E.164) plus sqlite3's own `.import` of the file. The target is
qualdesk at most 2x the floor, with peak memory under 150 MB.

    .venv/bin/python bench/import_speed.py [--rows 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.leadgen import write_file  # noqa: E402

PHONE_FLOOR = """
import csv, sys, time
import phonenumbers
from qualdesk.core.phones import region_for_country
with open(sys.argv[1], encoding="utf-8", newline="") as handle:
    rows = [(row[4], row[5]) for row in csv.reader(handle) if len(row) > 5][1:]
start = time.perf_counter()
for raw, country in rows:
    try:
        number = phonenumbers.parse(raw, region_for_country(country) or "US")
    except phonenumbers.NumberParseException:
        continue
    if phonenumbers.is_valid_number(number):
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
print(time.perf_counter() - start)
"""


def phone_floor(path: Path) -> float:
    """Seconds for phonenumbers to normalise every phone in the file, in a fresh process.

    A fresh process pays phonenumbers' metadata loading, as an import does.
    """
    done = subprocess.run(
        [sys.executable, "-c", PHONE_FLOOR, str(path)], check=True, capture_output=True, text=True
    )
    return float(done.stdout)


def sqlite_floor(path: Path, work: Path) -> float:
    """Seconds for the sqlite3 shell to .import the file into a fresh database."""
    target = work / "sqlite-import.db"
    target.unlink(missing_ok=True)
    start = time.perf_counter()
    subprocess.run(
        ["sqlite3", str(target), ".mode csv", f".import {path} leads"],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and its children (the import's phone helper)."""
    total = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            with open(f"/proc/{current}/statm") as statm:
                total += int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            with open(f"/proc/{current}/task/{current}/children") as children:
                pids += [int(child) for child in children.read().split()]
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


class TreeMemory:
    """Samples a process tree's resident memory every 10 ms and keeps the peak."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._done.wait(0.01):
            self.peak = max(self.peak, _tree_rss(self.pid))

    def stop(self) -> float:
        self._done.set()
        self._thread.join()
        return self.peak / 1e6


def qualdesk_import(path: Path, work: Path) -> tuple[float, float, float, dict[str, object]]:
    """Seconds, peak RSS of the import process and of it with its helper (MB)."""
    target = work / "desk.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    subprocess.run([sys.executable, "-m", "qualdesk", "db", "init", str(target)],
                   check=True, capture_output=True)  # fmt: skip
    command = [sys.executable, "-m", "qualdesk", "--db", str(target), "import", str(path),
               "--json", "--rejects", str(work / "rejects.csv")]  # fmt: skip
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    tree = TreeMemory(child.pid)
    assert child.stdout is not None
    out = child.stdout.read()
    tree_peak = tree.stop()
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(
            f"qualdesk import failed: {child.stderr.read().decode() if child.stderr else ''}"
        )
    return elapsed, usage.ru_maxrss / 1024, tree_peak, json.loads(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="qualdesk-bench-") as folder:
        work = Path(folder)
        path = work / "messy.csv"
        write_file(path, args.rows, seed=42)
        size = path.stat().st_size / 1e6
        print(f"file: {args.rows:,} rows, {size:.1f} MB (tools/leadgen.py, seed 42)")
        phones, sqlites, ours, peaks, trees = [], [], [], [], []
        summary: dict[str, object] = {}
        for _ in range(args.runs):
            phones.append(phone_floor(path))
            sqlites.append(sqlite_floor(path, work))
            seconds, peak, tree, summary = qualdesk_import(path, work)
            ours.append(seconds)
            peaks.append(peak)
            trees.append(tree)
        phone, sqlite, mine = (statistics.median(v) for v in (phones, sqlites, ours))
        floor = phone + sqlite
        ratio = mine / floor
        counts = {
            k: summary[k] for k in ("rows_read", "imported", "duplicates", "rejected", "blank")
        }
        print(f"summary: {counts}")
        print(
            f"floor:    phonenumbers {phone:6.2f} s + sqlite3 .import {sqlite:5.2f} s "
            f"= {floor:6.2f} s"
        )
        print(
            f"qualdesk: import {mine:6.2f} s (median of {args.runs}); "
            f"peak memory {max(peaks):.0f} MB, {max(trees):.0f} MB with the phone helper"
        )
        print(f"ratio:    {ratio:.2f}x the floor (target <= 2.00x), "
              f"{args.rows / mine:,.0f} rows/s")  # fmt: skip
        ok = ratio <= 2.0 and max(trees) < 150
        print("result:   " + ("within target" if ok else "OUTSIDE target"))


if __name__ == "__main__":
    main()
