"""SQLite write-lock waits: SQLite's own busy handler against Kiln's (kiln/core/sqlite).

Several processes write to one WAL database as Kiln's web and worker processes do: each
takes the write lock (BEGIN IMMEDIATE), holds it briefly, commits, and pauses. The bench
prints how long each BEGIN waited, for SQLite's busy handler (sleeps of 1, 2, 5, 10, 15, 20,
25 ms... whatever the holder does) and for Kiln's backend (tries again every ~0.5 ms), in
the same run. Usage: python bench/sqlite_lock.py [--writers 5] [--seconds 5]
"""

import argparse
import multiprocessing
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _writer(mode: str, path: str, seconds: float, hold_s: float, pause_s: float, out) -> None:
    from kiln.core.sqlite.base import run_waiting_for_lock

    conn = sqlite3.connect(path, isolation_level=None, timeout=5.0)
    if mode == "kiln":
        conn.execute("PRAGMA busy_timeout=0")  # as Kiln's settings
    waits = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.monotonic()
        if mode == "kiln":
            run_waiting_for_lock(conn, conn.execute, "BEGIN IMMEDIATE")
        else:
            conn.execute("BEGIN IMMEDIATE")
        waits.append((time.monotonic() - started) * 1000)
        conn.execute("INSERT INTO t VALUES (?)", (random.random(),))  # noqa: S311
        busy_until = time.perf_counter() + hold_s  # the holder's own work, on the CPU
        while time.perf_counter() < busy_until:
            pass
        conn.execute("COMMIT")
        time.sleep(random.random() * 2 * pause_s)  # noqa: S311
    out.put(waits)


def measure(mode: str, args) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "lock.sqlite3")
        setup = sqlite3.connect(path, isolation_level=None)
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE t (x REAL)")
        setup.close()
        out = multiprocessing.Queue()
        writers = [
            multiprocessing.Process(
                target=_writer,
                args=(mode, path, args.seconds, args.hold_ms / 1000, args.pause_ms / 1000, out),
            )
            for _ in range(args.writers)
        ]
        for writer in writers:
            writer.start()
        waits = sorted(w for _ in writers for w in out.get())
        for writer in writers:
            writer.join()
    count = len(waits)
    return {
        "transactions": count,
        "p50": waits[count // 2],
        "p90": waits[int(count * 0.9)],
        "p99": waits[int(count * 0.99)],
        "max": waits[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--writers", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--hold-ms", type=float, default=1.0, help="lock held per transaction")
    parser.add_argument("--pause-ms", type=float, default=10.0, help="mean pause between")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{args.writers} writers, lock held {args.hold_ms} ms, mean pause {args.pause_ms} ms, "
        f"{args.seconds:.0f} s per run; wait for BEGIN IMMEDIATE in ms"
    )
    print(f"{'busy handler':<14}{'txns':>7}{'p50':>8}{'p90':>8}{'p99':>8}{'max':>8}")
    results: dict[str, list] = {"sqlite": [], "kiln": []}
    for _ in range(args.rounds):  # alternated, so both see the same machine
        for mode in results:
            r = measure(mode, args)
            results[mode].append(r)
            print(
                f"{mode:<14}{r['transactions']:>7}{r['p50']:>8.2f}{r['p90']:>8.2f}"
                f"{r['p99']:>8.2f}{r['max']:>8.1f}"
            )
    sqlite_p99 = statistics.median(r["p99"] for r in results["sqlite"])
    kiln_p99 = statistics.median(r["p99"] for r in results["kiln"])
    print(
        f"median p99 over {args.rounds} rounds: SQLite's handler {sqlite_p99:.1f} ms, Kiln's "
        f"{kiln_p99:.1f} ms ({sqlite_p99 / kiln_p99:.1f}x)"
    )


if __name__ == "__main__":
    main()
