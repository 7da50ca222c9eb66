"""The surge test: Cara's worst week against the production topology (issue 24.2).

    .venv/bin/python bench/surge.py [--quick] [--drills]

1. Uses the running full topology of deploy/local.sh (nginx, 2 web nodes, PostgreSQL primary
   + replica, Redis, moto, 3 workers), or starts one, and restarts its web nodes and workers
   with the shield's per-IP budgets raised: locust is one IP standing in for thousands of
   people. Nothing else is changed.
2. Seeds it once per `up`: 900 people from ../shared/graphs/socfb-Reed98 with its follow
   graph, 300 signed-in sessions, 3 posts each (bench/surge_data.py), and the demo artists'
   projects with their renditions (seed_demo).
3. locust, headless, the mix in bench/surge_locust.py: ramps until p99 > 200 ms or errors >
   0.1%, then holds 80% of that load (quick: 30 s ramp steps cut short, 45 s hold; full:
   5 minutes' hold).
4. Prints per request type: requests/s, p50, p99, errors; CPU seconds and peak memory per
   component (from /proc); each upload's time to "ready" or "held"; the job backlog over time
   and how long it takes to drain after the end. --drills also runs bench/surge_drills.py's
   fault drills during the hold.

The figures on the shared 2-core development box are noisy: locust, nginx, both web nodes,
the workers, two PostgreSQL clusters, Redis and moto all share those two cores with other
people's work. Read them as a floor, not as the topology's capacity.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
sys.path.insert(0, str(ROOT))

from deploy import topology  # noqa: E402

SURGE_ENV = {
    "KILN_RATE_PAGES": "100000000",
    "KILN_RATE_RENDITIONS": "100000000",
    "KILN_RATE_SIGNUP": "1000000/m/ip",
    "KILN_VERIFICATION_EMAILS_PER_DOMAIN_HOUR": "100000000",
    "KILN_LOGIN_PER_IP": "100000000",
}
GRAPH = ROOT.parent / "shared" / "graphs" / "socfb-Reed98.edges"


def newcomers(seeded: int, limit: int = 400) -> list[list[str]]:
    """People of the graph beyond the seeded ones, each as the seeded people it is linked to:
    who a newcomer follows right after signing up."""
    links: dict[int, list[str]] = {}
    for line in GRAPH.read_text().splitlines():
        parts = line.split()
        if len(parts) < 2 or not parts[0].isdigit():
            continue
        a, b = int(parts[0]), int(parts[1])
        for new, old in ((a, b), (b, a)):
            if new >= seeded > old:
                links.setdefault(new, []).append(f"sg{old}")
    return [links[n] for n in sorted(links)[:limit]]


def sh(argv, env, **kw):
    done = subprocess.run(argv, env=env, cwd=ROOT, text=True, **kw)
    if done.returncode:
        raise SystemExit(f"{argv} failed:\n{(done.stderr or '')[-3000:]}")
    return done


def start(var: Path) -> dict:
    """Reuse a running full topology (its web nodes and workers restarted with the surge's
    budgets), or start one: about 2.5 minutes, plus about 3.5 for the first seeding."""
    os.environ.update(SURGE_ENV)
    os.environ["KILN_VAR_DIR"] = str(var)
    topo = topology.Topology(small=False)
    state_file = var / "topology.json"
    state = json.loads(state_file.read_text()) if state_file.exists() else None
    if state and not state["small"] and all(topology._alive(p) for p in state["procs"].values()):
        topo.procs = state["procs"]
        topo.restart_app()
    else:
        topo.up()
    return topo.django_env()


def seed(env: dict, var: Path) -> dict:
    data_file = var / "surge-data.json"
    if data_file.exists():
        data = json.loads(data_file.read_text())
        data.setdefault("newcomers", newcomers(900))
        return data
    t0 = time.monotonic()
    sessions_file = var / "surge-sessions.txt"
    sh([PY, "manage.py", "seed_demo"], env, capture_output=True)
    listing = sh(
        [PY, "bench/surge_data.py", "seed", "900", str(sessions_file)], env, capture_output=True
    )
    data = json.loads(listing.stdout.strip().splitlines()[-1])
    data["sessions"] = [line.split() for line in sessions_file.read_text().splitlines()]
    data["usernames"] = [name for _, name in data["sessions"]]
    data["newcomers"] = newcomers(900)
    data_file.write_text(json.dumps(data))
    seeded = listing.stderr.strip().splitlines()[-1]
    print(f"seeded in {time.monotonic() - t0:.0f} s: {seeded}, {len(data['projects'])} projects")
    return data


def proc_stats(pids: dict[str, int]) -> dict[str, tuple[float, int]]:
    """CPU seconds (user+sys, its own and its reaped children's) and RSS of each component's
    process group."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for name, pgid in pids.items():
        cpu, rss = 0.0, 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) != pgid:  # field 5, the process group
                continue
            # utime + stime, and cutime + cstime: the children it reaped (PostgreSQL's
            # backends of closed connections, gunicorn's replaced workers).
            cpu += sum(int(f) for f in fields[11:15]) / tick
            rss += int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        out[name] = (cpu, rss)
    return out


def backlog_sampler(env: dict, samples: list, stop: threading.Event, var: Path) -> None:
    import psycopg

    url = env["DATABASE_URL"]
    with psycopg.connect(url, autocommit=True) as conn:
        while not stop.is_set():
            rows = conn.execute(
                "SELECT queue_name, count(*) FROM django_tasks_database_dbtaskresult "
                "WHERE status IN ('READY','RUNNING') GROUP BY queue_name"
            ).fetchall()
            samples.append((time.time(), dict(rows)))
            stop.wait(5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--drills", action="store_true")
    args = parser.parse_args()
    var = Path(os.environ.get("KILN_VAR_DIR", "/tmp/kiln-topology"))
    began = time.monotonic()
    env = start(var)
    data = seed(env, var)
    data_file = var / "surge-run.json"
    data_file.write_text(json.dumps(data))
    shape = (
        {
            "start_users": 10,
            "step_users": 10,
            "step_seconds": 8,
            "ramp_limit_seconds": 50,
            "max_users": 120,
            "hold_seconds": 45,
        }
        if args.quick
        else {
            "start_users": 20,
            "step_users": 20,
            "step_seconds": 20,
            "ramp_limit_seconds": 300,
            "max_users": 600,
            "hold_seconds": 300,
        }
    )
    uploads_log = var / "surge-uploads.txt"
    marks = var / "surge-marks.txt"
    for f in (uploads_log, marks):
        f.unlink(missing_ok=True)
    lenv = dict(
        os.environ,
        SURGE_DATA=str(data_file),
        SURGE_SHAPE=json.dumps(shape),
        SURGE_UPLOADS=str(uploads_log),
        SURGE_MARKS=str(marks),
        SURGE_MAILBOX=str(var / "mailbox"),
    )
    state = json.loads((var / "topology.json").read_text())["procs"]
    (var / "surge-pgids.json").write_text(json.dumps(state))
    before = proc_stats(state)
    samples: list = []
    stop = threading.Event()
    sampler = threading.Thread(target=backlog_sampler, args=(env, samples, stop, var), daemon=True)
    sampler.start()
    host = f"http://127.0.0.1:{topology.ports()['nginx']}"
    locust_argv = [
        str(ROOT / ".venv/bin/locust"),
        "-f",
        "bench/surge_locust.py",
        "--headless",
        "--host",
        host,
        "--csv",
        str(var / "surge"),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    drills = None
    started = time.time()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(locust_argv, cwd=ROOT, env=lenv)
    if args.drills:
        while not marks.exists() and proc.poll() is None:
            time.sleep(1)
        drills = subprocess.Popen([PY, "bench/surge_drills.py", str(var)], cwd=ROOT, env=lenv)
    proc.wait()
    ended = time.time()
    after = proc_stats(state)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    locust_cpu = (children.ru_utime + children.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    # Drain: the backlog after the end, until empty (or 120 s).
    drained_at = None
    while time.time() - ended < 120:
        if samples and samples[-1][0] > ended and not any(samples[-1][1].values()):
            drained_at = samples[-1][0]
            break
        time.sleep(1)
    stop.set()
    if drills is not None:
        drills.wait()
    report(var, before, after, started, ended, samples, drained_at, env, uploads_log, marks)
    wall = ended - started
    total = sum(after[n][0] - before.get(n, (0, 0))[0] for n in after) + locust_cpu
    print(
        f"\nlocust (the load generator, same 2 cores): {locust_cpu:.1f} s CPU "
        f"({locust_cpu / wall:.0%} of one core, {locust_cpu / max(total, 1e-9):.0%} of all the "
        "CPU measured here)"
    )
    print(f"\nsurge.py finished in {time.monotonic() - began:.0f} s (quick={args.quick})")
    return 0


def report(var, before, after, started, ended, samples, drained_at, env, uploads_log, marks):
    start_pgids = json.loads((var / "surge-pgids.json").read_text())
    print(f"\n== Requests ({ended - started:.0f} s of load; quick runs are noisy) ==")
    print(f"{'request':34} {'reqs':>7} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>7}")
    with open(var / "surge_stats.csv") as f:
        for row in csv.DictReader(f):
            print(
                f"{row['Name'][:34]:34} {row['Request Count']:>7} "
                f"{float(row['Requests/s']):7.1f} {row['50%']:>7} {row['99%']:>7} "
                f"{row['Failure Count']:>7}"
            )
    if marks.exists():
        print("hold:", marks.read_text().strip())
    print("\n== CPU seconds and memory per component during the run ==")
    wall = ended - started
    restarted = json.loads((var / "topology.json").read_text())["procs"]
    for name in after:
        if restarted.get(name) != start_pgids.get(name):
            print(f"{name:16} restarted by a drill during the run: its CPU is not comparable")
            continue
        cpu = after[name][0] - before.get(name, (0, 0))[0]
        print(
            f"{name:16} {cpu:8.1f} s CPU ({cpu / wall:5.0%} of one core)  "
            f"{after[name][1] / 2**20:8.0f} MiB RSS"
        )
    print("\n== Uploads: time to ready/held ==")
    if uploads_log.exists():
        ids = [line.split() for line in uploads_log.read_text().splitlines()]
        deadline = time.time() + 120
        import psycopg

        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
            while True:
                rows = conn.execute(
                    "SELECT id, state, processed_at FROM media_mediaasset WHERE id = ANY(%s)",
                    [[int(i) for i, _ in ids]],
                ).fetchall()
                pending = [r for r in rows if r[1] not in ("ready", "held", "failed")]
                if not pending or time.time() > deadline:
                    break
                time.sleep(2)
        starts = {int(i): float(t) for i, t in ids}
        times = sorted(
            r[2].timestamp() - starts[r[0]] for r in rows if r[1] in ("ready", "held") and r[2]
        )
        states: dict[str, int] = {}
        for r in rows:
            states[r[1]] = states.get(r[1], 0) + 1
        print(f"{len(ids)} accepted uploads: {states}")
        if times:
            print(
                f"time to ready/held: median {times[len(times) // 2]:.1f} s, max {times[-1]:.1f} s"
            )
    else:
        print("no upload was accepted")
    print("\n== Job backlog (READY + RUNNING tasks per queue, every 5 s) ==")
    for at, counts in samples[:: max(1, len(samples) // 20)]:
        print(f"  t={at - started:6.0f} s  {counts}")
    if drained_at:
        print(f"backlog drained {drained_at - ended:.0f} s after the end")
    else:
        print("backlog NOT drained within 120 s of the end")


if __name__ == "__main__":
    sys.exit(main())
