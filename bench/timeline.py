"""Timeline benchmark: the DeathStarBench social-network mix against Kiln under gunicorn.

    .venv/bin/python bench/timeline.py [--quick] [--lanes sqlite,postgres] [--duration S]

For each lane (SQLite always; PostgreSQL + Redis when DATABASE_URL is set, in a database of
its own, kiln_bench_timeline):
1. A fresh database seeded from ../shared/graphs (each edge a mutual follow, 10 posts per user,
   timelines materialised), with logged-in sessions written directly. --quick: Reed98 (962
   users) plus the celebrity's ego network from musae; full: all of musae. The built dataset is
   kept under --var-dir and copied for later runs (rebuilt when migrations or the builder change).
2. An in-process breakdown of one home page (where the milliseconds go).
3. gunicorn with the production settings (DEBUG=0, a SECRET_KEY kept in --var-dir,
   ALLOWED_HOSTS) and Kiln's gunicorn config (kiln/gunicorn_conf.py): 2 x CPUs + 1 sync
   workers, as deployed behind a proxy (--worker-class gthread compares the threaded workers),
   and the real background worker (`manage.py db_worker`). wrk talks to gunicorn directly, so
   with sync workers every request opens a connection, as a proxy's upstream requests do.
4. wrk with bench/timeline.lua, after a warm-up that reads every page kind: the framework
   floors (GET /healthz; a trivial view asked for signed in), each operation alone (home and
   user timelines as HTML pages and as JSON), the 60/30/10 mix on the HTML pages at full
   load, then the mix on the JSON endpoints (as DeathStarBench's clients call it) at full
   load and paced to 80% of it, both in every round; the round with the median worst p99 is
   reported, and every round is printed with the machine's busy and stolen CPU.
5. The API lane: the same mix with the home timeline read through the Mastodon API
   (`GET /api/v1/timelines/home` with a Bearer token per reader, instead of the JSON page),
   at full load and paced to 80%, plus the API home read alone in every round; printed as a
   share of the JSON home read's throughput in the same round (target >= 90%).
6. The insights lane (--no-insights skips it): the user page, signed in and anonymous, as a
   browser asks for it (so each view is counted), against a second gunicorn that is the same
   app without insights' counting middleware, in alternating rounds: the cost of counting.
7. The celebrity case: the largest account of musae_git_edges.csv (9,458 followers, all active)
   posts; the author's request latency and the time until every follower's timeline has it.

The shield's per-IP page budget is raised for the run (wrk is one IP standing in for many
users); nothing else about authentication or the stack is changed.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import time
import urllib.parse
from pathlib import Path

import timeline_data  # bench/timeline_data.py: the dataset builder (its code keys the stored data)

from kiln import gunicorn_conf  # importable once timeline_data has put the repository on the path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
LUA = str(ROOT / "bench" / "timeline.lua")
DATA = str(ROOT / "bench" / "timeline_data.py")
BENCH_DB = "kiln_bench_timeline"
# The DeathStarBench mix, on the JSON endpoints (what its clients call); the same mix on the
# HTML pages is run at full load too, for comparison.
MIX = {"homejson": 0.6, "userjson": 0.3, "post": 0.1}
MIX_HTML = {"home": 0.6, "user": 0.3, "post": 0.1}
# The API lane: the home timeline through the Mastodon API (Bearer tokens), same shares.
MIX_API = {"homeapi": 0.6, "userjson": 0.3, "post": 0.1}
READS = ("home", "homejson", "user", "userjson")
# Two floors: /healthz, anonymous and exempt from the budgets, and a trivial view asked for
# with the readers' session cookies (bench/timeline_wsgi.py), which pays what every signed-in
# request pays: the session, the user, the per-IP and per-account budgets.
FLOORS = ("floor", "floorauth")
ALONE = (*READS, "post")
# Raised when prepare_database treats a built dataset differently (2: VACUUM, not only ANALYZE).
PREPARE_VERSION = 2


# --- Processes -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd, env, **kw):
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, **kw)


def wait_ready(port: int, proc, timeout: float = 30) -> None:
    import http.client

    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited during start-up; see server-<lane>.log.")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit("gunicorn did not answer /healthz in time.")


def stop(proc) -> None:
    if proc is None or proc.poll() is not None:
        return
    # SIGINT: gunicorn's quick shutdown (nothing is in flight any more); the worker stops too.
    os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def wrk(port, op, *, sessions, seconds, connections, threads=1, delay_ms=0) -> dict:
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        LUA,
        f"http://127.0.0.1:{port}",
        "--",
        op,
        str(sessions),
        str(delay_ms),
    ]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def collect(proc) -> dict:
    out, _ = proc.communicate()
    for line in out.splitlines():
        if line.startswith("WRKJSON "):
            data = json.loads(line[len("WRKJSON ") :])
            data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
            data["errors"] = sum(v for k, v in data.items() if k.startswith("errors_"))
            return data
    raise SystemExit(f"wrk gave no result:\n{out}")


def pace(port, split: dict[str, int], target: float, at_max: dict, sessions, mix=MIX) -> dict:
    """Per-connection delays that hold the mix at `target` req/s, each operation at its share.

    wrk waits a set delay after each response, so a connection's rate also depends on the
    latency at that load, which is lower than at full load: delays worked out from the full
    load's latency overshot (a run meant for 80% ran at 93%). So the delays are corrected
    from two short paced runs, by the latency each operation showed in them."""
    paced = {}
    latency_ms = {op: at_max[op]["mean_us"] / 1000 / 2 for op in split}  # first guess
    for _ in range(2):
        for op, n in split.items():
            cycle_ms = 1000 * n / max(target * mix[op], 0.1)
            paced[op] = {"connections": n, "delay_ms": max(1, int(cycle_ms - latency_ms[op]))}
        trial = run_ops(port, paced, sessions, 3)
        latency_ms = {op: trial[op]["mean_us"] / 1000 for op in split}
    for op, n in split.items():
        cycle_ms = 1000 * n / max(target * mix[op], 0.1)
        paced[op] = {"connections": n, "delay_ms": max(1, int(cycle_ms - latency_ms[op]))}
    return paced


def run_ops(port, ops: dict[str, dict], sessions, seconds, *, server=None) -> dict:
    """Run several wrk processes at once (one per operation) and collect each one's figures.
    With `server` (gunicorn's Popen) and one operation, also the web processes' own CPU time
    per request (`cpu_ms`): unlike req/s, it does not move with what else shares the CPUs."""
    before = web_cpu_seconds(server) if server is not None else None
    procs = {
        op: wrk(port, op, sessions=sessions, seconds=seconds, **cfg) for op, cfg in ops.items()
    }
    results = {op: collect(p) for op, p in procs.items()}
    if before is not None and len(results) == 1:
        [result] = results.values()
        result["cpu_ms"] = (web_cpu_seconds(server) - before) * 1000 / max(result["requests"], 1)
    return results


def web_cpu_seconds(server) -> float:
    """User + system CPU seconds used so far by gunicorn's master and workers (Linux /proc)."""
    pids = [server.pid]
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    if children.exists():
        pids += [int(pid) for pid in children.read_text().split()]
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # a worker that exited in between
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> list[int]:
    """The whole machine's CPU time so far, by kind, in ticks (the first line of /proc/stat:
    user nice system idle iowait irq softirq steal)."""
    with open("/proc/stat") as stat:
        return [int(v) for v in stat.readline().split()[1:9]]


def machine_cpu_share(before: list[int], after: list[int]) -> dict:
    """Busy and stolen shares of all CPUs between two machine_cpu() readings."""
    delta = [b - a for a, b in zip(before, after, strict=True)]
    total = max(sum(delta), 1)
    idle = delta[3] + delta[4]
    return {"busy": (total - idle - delta[7]) / total, "steal": delta[7] / total}


# --- Celebrity -----------------------------------------------------------------------------


class Probe:
    """Counts timeline rows for one post straight from the database (no Django)."""

    def __init__(self, lane: str, env: dict):
        if lane == "sqlite":
            self.conn = sqlite3.connect(Path(env["KILN_VAR_DIR"]) / "kiln.sqlite3")
            self.mark = "?"
        else:
            import psycopg

            self.conn = psycopg.connect(env["DATABASE_URL"], autocommit=True)
            self.mark = "%s"

    def count(self, post_id: int) -> int:
        return self._one(
            f"SELECT COUNT(*) FROM timelines_timelineentry WHERE post_id = {self.mark}",  # noqa: S608
            (post_id,),
        )

    def tasks_waiting(self) -> int:
        """Background tasks not yet finished (queued or running)."""
        return self._one(
            "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult "  # noqa: S608
            f"WHERE status IN ({self.mark}, {self.mark})",
            ("READY", "RUNNING"),
        )

    def wait_for_worker(self, timeout: float = 120) -> float:
        """Until the worker has finished the fan-out that earlier runs queued; the seconds
        waited. A measurement then starts from a worker at rest, as the runs before it did."""
        start = time.perf_counter()
        while self.tasks_waiting() and time.perf_counter() - start < timeout:
            time.sleep(0.1)
        return time.perf_counter() - start

    def _one(self, sql: str, params) -> int:
        cur = self.conn.cursor()
        cur.execute(sql, params)
        value = cur.fetchone()[0]
        if hasattr(self.conn, "commit") and self.mark == "?":
            self.conn.commit()  # end the read transaction so the next read sees new rows
        return value


def check_responses(port: int, sessions: Path) -> None:
    """Before timing anything: each operation really runs logged in and does its work."""
    import http.client

    sid, csrf, name = sessions.read_text().split("\n")[0].split()
    cookie = {"Cookie": f"sessionid={sid}; csrftoken={csrf}"}
    checks = [
        ("GET", "/bench/floor", None, {}, 200, f"ok {name}"),
        ("GET", "/?limit=10", None, {}, 200, 'id="timeline-items"'),
        ("GET", "/?limit=10&format=json", None, {}, 200, '"items":[{"id"'),
        ("GET", f"/@{name}/posts?size=10", None, {}, 200, f"@{name}"),
        ("GET", f"/@{name}/posts?format=json&size=10", None, {}, 200, '"items":['),
        (
            "POST",
            "/compose",
            "visibility=public&text=check",
            {"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": csrf},
            302,
            "/posts/",
        ),
    ]
    for method, path, body, headers, status, needle in checks:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request(method, path, body=body, headers={**cookie, **headers})
        response = conn.getresponse()
        text = response.read().decode(errors="replace") + (response.getheader("Location") or "")
        if response.status != status or needle not in text:
            raise SystemExit(
                f"{method} {path}: {response.status}, expected {status} with {needle!r}"
            )


def celebrity(port: int, lane: str, env: dict, data: dict, tries: int) -> list[dict]:
    import http.client

    sid, csrf, _ = data["star_session"].split()
    probe = Probe(lane, env)
    expected = data["star_followers"] + 1  # every follower is active, plus the author
    results = []
    for i in range(tries):
        body = urllib.parse.urlencode(
            {"text": f"Celebrity announcement {i} #news", "visibility": "public"}
        )
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {
            "Cookie": f"sessionid={sid}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        start = time.perf_counter()
        conn.request("POST", "/compose", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        request_s = time.perf_counter() - start
        location = response.getheader("Location") or ""
        match = re.search(r"/posts/(\d+)", location)
        if response.status != 302 or not match:
            raise SystemExit(f"celebrity post failed: {response.status} {location}")
        post_id = int(match.group(1))
        count = 0
        while time.perf_counter() - start < 60:
            count = probe.count(post_id)
            if count >= expected:
                break
            time.sleep(0.01)
        results.append(
            {
                "request_ms": request_s * 1000,
                "all_followers_s": time.perf_counter() - start,
                "reached": count,
                "expected": expected,
            }
        )
        time.sleep(0.5)
    return results


# --- Lanes ---------------------------------------------------------------------------------


def lane_env(lane: str, var_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DEBUG="0",
        SECRET_KEY=bench_secret(var_dir),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        KILN_VAR_DIR=str(var_dir),
        KILN_RATE_PAGES="1000000000",  # one wrk IP stands for thousands of users
        KILN_API_RATE_TOKEN="1000000000",  # noqa: S106 - a rate, not a secret: wrk reuses tokens
        KILN_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="kiln.settings",
        PYTHONPATH=str(ROOT),
    )
    if lane == "postgres":
        base = os.environ["DATABASE_URL"]
        parts = urllib.parse.urlsplit(base)
        env["DATABASE_URL"] = urllib.parse.urlunsplit(parts._replace(path=f"/{BENCH_DB}"))
        env["REDIS_URL"] = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    return env


def dataset_key(spec: dict) -> str:
    """Datasets are built once per (migrations, builder code, spec) and copied for each run."""
    digest = hashlib.sha256(f"prepared-{PREPARE_VERSION}".encode())
    for path in sorted(ROOT.glob("kiln/*/migrations/*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    for builder in (
        timeline_data.read_edges,
        timeline_data.celebrity_ego,
        timeline_data.build_dataset,
        timeline_data.measure_read_merge,
    ):
        digest.update(inspect.getsource(builder).encode())
    digest.update(json.dumps(spec, sort_keys=True).encode())
    return digest.hexdigest()[:12]


def redis_flush(env: dict) -> None:
    if env.get("REDIS_URL"):
        import redis

        redis.Redis.from_url(env["REDIS_URL"]).flushdb()


def prepare_database(lane: str, env: dict, var_dir: Path, spec: dict) -> tuple[dict, Path]:
    """A fresh copy of the built dataset: SQLite file copy or Postgres CREATE ... TEMPLATE."""
    key = dataset_key(spec)
    meta = var_dir / f"dataset-{key}-{lane}.json"
    sessions = var_dir / f"sessions-{key}-{lane}.txt"
    db_file = var_dir / "kiln.sqlite3"
    template_file = var_dir / f"template-{key}.sqlite3"
    template_db = f"{BENCH_DB}_tpl_{key}"
    redis_flush(env)
    if lane == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            (var_dir / f"kiln.sqlite3{suffix}").unlink(missing_ok=True)
        if template_file.exists() and meta.exists():
            shutil.copyfile(template_file, db_file)
            with sqlite3.connect(db_file) as conn:
                # Everyone read their timeline just now (a stored dataset ages between runs).
                conn.execute("UPDATE accounts_user SET last_active_at = datetime('now')")
            return json.loads(meta.read_text()), sessions
    else:
        import psycopg

        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
            have = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [template_db]
            ).fetchone()
            if have and meta.exists():
                # PostgreSQL 15 copies a database through the WAL by default: 1.6 GB of log
                # that forced a checkpoint writing through the whole run. A file copy does not.
                strategy = " STRATEGY FILE_COPY" if conn.info.server_version >= 150000 else ""
                conn.execute(f'CREATE DATABASE "{BENCH_DB}" TEMPLATE "{template_db}"{strategy}')
                with psycopg.connect(env["DATABASE_URL"], autocommit=True) as bench:
                    bench.execute("UPDATE accounts_user SET last_active_at = now()")
                return json.loads(meta.read_text()), sessions
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')

    run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    out = run(
        [PY, DATA, "build", json.dumps({**spec, "sessions_file": str(sessions)})],
        env,
        capture_output=True,
        text=True,
    ).stdout
    data = json.loads(out.strip().splitlines()[-1])
    if lane == "sqlite":
        with sqlite3.connect(db_file) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for old in var_dir.glob("template-*.sqlite3"):
            old.unlink()
        shutil.copyfile(db_file, template_file)
    else:
        import psycopg

        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as bench:
            # Planner statistics and the visibility map, as autovacuum keeps them in service.
            # Without the map, every index-only scan (a timeline's entries, the trim's probe)
            # visits the table for each entry, as no database in service does for long.
            bench.execute("VACUUM ANALYZE")
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
            stale = conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{BENCH_DB}_tpl_%"]
            ).fetchall()
            for (name,) in stale:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{template_db}" TEMPLATE "{BENCH_DB}"')
    meta.write_text(json.dumps(data))
    return data, sessions


TOKENS_SCRIPT = """
import datetime as dt, secrets, sys
import django
django.setup()
from django.utils import timezone
from oauth2_provider.models import AccessToken, set_token_value
from kiln.accounts.models import User
from kiln.api.services import client_app_create
names = [line.split()[2] for line in open(sys.argv[1]) if line.strip()]
app, _ = client_app_create(name="bench", redirect_uris=["urn:ietf:wg:oauth:2.0:oob"], scopes=[])
with open(sys.argv[1] + ".tokens", "w") as out:
    for user in User.objects.filter(username__in=names):
        raw = secrets.token_urlsafe(32)
        token = AccessToken(user=user, application=app, scope="read",
                            expires=timezone.now() + dt.timedelta(days=1))
        set_token_value(token, raw)
        token.save()
        out.write(raw + "\\n")
"""


def write_tokens(env: dict, sessions: Path) -> None:
    """A Mastodon API token for each reader with a session (the API lane), stored hashed as
    any token is; the raw tokens go to `<sessions>.tokens` for bench/timeline.lua."""
    run([PY, "-c", TOKENS_SCRIPT, str(sessions)], env)


def collect_static(env: dict, var_dir: Path) -> None:
    manifest = var_dir / "staticfiles" / "staticfiles.json"
    newest = max(p.stat().st_mtime for p in (ROOT / "static").rglob("*") if p.is_file())
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        run([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)


def bench_secret(var_dir: Path) -> str:
    """Kept between runs: the stored sessions are signed with it."""
    path = var_dir / "bench_secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


def run_lane(lane: str, args) -> dict:
    var_dir = Path(args.var_dir)
    var_dir.mkdir(parents=True, exist_ok=True)
    env = lane_env(lane, var_dir)
    t0 = time.perf_counter()
    spec = {
        "graph": args.graph,
        "posts_per_user": args.posts_per_user,
        "ego_posts_per_user": args.ego_posts_per_user,
        "sessions": args.sessions,
    }
    collect_static(env, var_dir)
    data, sessions = prepare_database(lane, env, var_dir, spec)
    write_tokens(env, sessions)
    logs = (var_dir / f"server-{lane}.log").open("w")  # gunicorn's and the worker's output
    port = free_port()
    gthread_options = []
    if args.worker_class == "gthread":
        gthread_options = [
            f"--threads={args.threads}",
            # Each gthread worker accepts keep-alive connections until it holds this many.
            # Uncapped, one worker (one core, one GIL) often took most of wrk's connections
            # and a run measured half the machine: the same page gave 480 or 1,320 req/s
            # from one run to the next. A proxy that opens a connection per request spreads
            # them the same way.
            f"--worker-connections={-(-args.connections // args.workers) + 1}",
        ]
    # gunicorn boots while the in-process breakdown runs; the database is ready already.
    web = subprocess.Popen(
        [
            GUNICORN,
            "timeline_wsgi:application",
            "--pythonpath=bench",
            "--preload",
            f"--config={args.gunicorn_config}",
            f"--bind=127.0.0.1:{port}",
            f"--workers={args.workers}",
            f"--worker-class={args.worker_class}",
            *gthread_options,
            "--log-level=warning",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=logs,
        stderr=subprocess.STDOUT,
    )
    try:
        out = run(
            [
                PY,
                DATA,
                "breakdown",
                json.dumps({"sessions_file": str(sessions), "rounds": 15 if args.quick else 40}),
            ],
            {**env, "ALLOWED_HOSTS": env["ALLOWED_HOSTS"] + ",testserver"},
            capture_output=True,
            text=True,
        ).stdout
    except BaseException:
        stop(web)
        raise
    data = {**data, "breakdown": json.loads(out.strip().splitlines()[-1])}
    setup_s = time.perf_counter() - t0
    print(f"[{lane}] dataset {json.dumps(data)} (setup {setup_s:.0f}s)", flush=True)

    worker_cmd = [
        PY,
        "manage.py",
        "db_worker",
        "--queue-name=default,low",
        "--interval=0.02",
        "--no-startup-delay",
        "--no-reload",
        "-v",
        "0",
    ]
    workers = [
        subprocess.Popen(
            worker_cmd,
            env=env,
            cwd=ROOT,
            start_new_session=True,
            stdout=logs,
            stderr=subprocess.STDOUT,
        )
        for _ in range(args.task_workers)
    ]
    result: dict = {"dataset": data, "setup_s": setup_s}
    try:
        wait_ready(port, web)
        result["start_s"] = time.perf_counter() - t0 - setup_s
        check_responses(port, sessions)
        d, c = args.duration, args.connections
        # Steady state: every worker process has read each page once (its prepared queries
        # and shared cards are in place), as a server that has been up for a while has.
        for op in ("home", "user", "homejson", "userjson", "homeapi"):
            run_ops(port, {op: {"connections": c}}, sessions, args.warm)
        # One connection: each operation's own cost, without queueing behind others.
        for op in FLOORS + ("home", "homejson"):
            result[f"single_{op}"] = run_ops(port, {op: {"connections": 1}}, sessions, d)[op]
        # Each operation alone at full load, in rounds that each measure the floor too: the
        # floor itself swings by 2x between runs on a shared machine, so every ratio is taken
        # against the floor of its own round, and medians are reported.
        rounds: dict[str, list] = {op: [] for op in (*FLOORS, *READS, "homeapi")}
        for _ in range(args.rounds):
            for op in rounds:
                rounds[op].append(
                    run_ops(port, {op: {"connections": c}}, sessions, d, server=web)[op]
                )
        result["rounds"] = rounds
        # Writes go last: posting starts fan-out work that would slow the reads after it.
        # Each mixed run starts once the worker has caught up with the runs before it: a
        # burst of posts alone leaves more fan-out queued than the mix itself makes.
        probe = Probe(lane, env)
        result["alone_post"] = run_ops(port, {"post": {"connections": c}}, sessions, d)["post"]
        drained = {"after_posts_s": probe.wait_for_worker()}
        split_html = {op: max(1, round(c * share)) for op, share in MIX_HTML.items()}
        result["mix_html_max"] = run_ops(
            port, {op: {"connections": n} for op, n in split_html.items()}, sessions, d
        )
        drained["after_html_mix_s"] = probe.wait_for_worker()
        split = {op: max(1, round(c * share)) for op, share in MIX.items()}
        # Each round measures the mix's maximum, then holds 80% of that round's own maximum:
        # this machine's speed drifts by up to 70% within minutes (the in-process figures
        # show it), so a maximum measured once meant another load a few minutes later. One
        # 10 s run's p99 is also a single sample of the machine's stalls, so the round with
        # the median worst p99 is reported (of an even number, the higher middle one), with
        # every round's figures and the machine's busy and stolen CPU shares.
        runs_80 = []
        for i in range(args.rounds):
            cpu_before = machine_cpu()
            at_max = run_ops(port, {op: {"connections": n} for op, n in split.items()}, sessions, d)
            max_machine = machine_cpu_share(cpu_before, machine_cpu())
            drained[f"after_mix_max_{i + 1}_s"] = probe.wait_for_worker()
            target = 0.8 * sum(x["rps"] for x in at_max.values())
            paced = pace(port, split, target, at_max, sessions)
            drained[f"after_pacing_{i + 1}_s"] = probe.wait_for_worker()
            cpu_before = machine_cpu()
            ops = run_ops(port, paced, sessions, d)
            runs_80.append(
                {
                    "max": at_max,
                    "max_machine": max_machine,
                    "ops": ops,
                    "machine": machine_cpu_share(cpu_before, machine_cpu()),
                    "target_rps": target,
                }
            )
            drained[f"after_mix_80_{i + 1}_s"] = probe.wait_for_worker()
        runs_80.sort(key=lambda run: max(x["p99_us"] for x in run["ops"].values()))
        reported = runs_80[len(runs_80) // 2]
        result["mix_80_runs"] = runs_80
        result["mix_max"] = reported["max"]
        result["mix_80"] = reported["ops"]
        result["mix_80_target_rps"] = reported["target_rps"]
        # The API lane: the same mix with home read through the Mastodon API.
        split_api = {op: max(1, round(c * share)) for op, share in MIX_API.items()}
        api_runs = []
        for i in range(args.rounds):
            at_max = run_ops(
                port, {op: {"connections": n} for op, n in split_api.items()}, sessions, d
            )
            drained[f"after_api_max_{i + 1}_s"] = probe.wait_for_worker()
            target = 0.8 * sum(x["rps"] for x in at_max.values())
            paced = pace(port, split_api, target, at_max, sessions, mix=MIX_API)
            drained[f"after_api_pacing_{i + 1}_s"] = probe.wait_for_worker()
            ops = run_ops(port, paced, sessions, d)
            api_runs.append({"max": at_max, "ops": ops, "target_rps": target})
            drained[f"after_api_80_{i + 1}_s"] = probe.wait_for_worker()
        api_runs.sort(key=lambda run: max(x["p99_us"] for x in run["ops"].values()))
        result["api_runs"] = api_runs
        result["worker_drain"] = drained
        if args.insights:
            result["insights"] = insights_lane(port, args, env, sessions, logs)
        result["celebrity"] = celebrity(port, lane, env, data, args.celebrity_tries)
    finally:
        stopping = time.perf_counter()
        stop(web)
        for w in workers:
            stop(w)
        result["stop_s"] = time.perf_counter() - stopping
    result["lane_s"] = time.perf_counter() - t0
    print(
        f"[{lane}] setup {setup_s:.0f}s, start {result.get('start_s', 0):.0f}s, "
        f"stop {result['stop_s']:.0f}s, lane {result['lane_s']:.0f}s",
        flush=True,
    )
    return result


def insights_lane(port: int, args, env: dict, sessions: Path, logs) -> dict:
    """Page throughput with view counting on (the lane's server) and off (a second gunicorn
    without the counting middleware, bench/timeline_wsgi.py), signed in and anonymous. Both
    servers stay up and are measured in alternating rounds, each ratio within its round: the
    machine's speed drifts more between minutes than counting costs."""
    off_port = free_port()
    off = subprocess.Popen(
        [
            GUNICORN,
            "timeline_wsgi:application",
            "--pythonpath=bench",
            "--preload",
            f"--config={args.gunicorn_config}",
            f"--bind=127.0.0.1:{off_port}",
            f"--workers={args.workers}",
            f"--worker-class={args.worker_class}",
            "--log-level=warning",
        ],
        env={**env, "KILN_BENCH_NO_INSIGHTS": "1"},
        cwd=ROOT,
        start_new_session=True,
        stdout=logs,
        stderr=subprocess.STDOUT,
    )
    out: dict = {op: {"on": [], "off": []} for op in INSIGHTS_OPS}
    try:
        wait_ready(off_port, off)
        # At least 5 s a run: a user page can take over a second on a loaded machine, and a
        # 2 s run (--quick) then finished no request at all on one side.
        c, d = args.connections, max(args.duration, 5)
        for p in (port, off_port):  # warm both
            for op in INSIGHTS_OPS:
                run_ops(p, {op: {"connections": c}}, sessions, args.warm)
        for _ in range(args.rounds):
            for op in INSIGHTS_OPS:
                out[op]["on"].append(run_ops(port, {op: {"connections": c}}, sessions, d)[op])
                out[op]["off"].append(run_ops(off_port, {op: {"connections": c}}, sessions, d)[op])
    finally:
        stop(off)
    for op, arms in out.items():
        pairs = zip(arms["on"], arms["off"], strict=True)
        ratios = [on["rps"] / o["rps"] for on, o in pairs if on["rps"] and o["rps"]]
        if not ratios:
            print(f"insights {INSIGHTS_OPS[op]}: no round finished a request on both servers")
            continue
        arms["ratio"] = statistics.median(ratios)
        on, o = median_run(arms["on"]), median_run(arms["off"])
        errors = sum(x["errors"] for x in arms["on"] + arms["off"])
        print(
            f"insights {INSIGHTS_OPS[op]:<22} counting on {on['rps']:7.0f} req/s, "
            f"off {o['rps']:7.0f} req/s: on/off {arms['ratio']:.3f} (median of "
            f"{len(ratios)} rounds; p99 {on['p99_us'] / 1000:.1f} vs {o['p99_us'] / 1000:.1f} ms"
            f"{f'; {errors} errors' if errors else ''})",
            flush=True,
        )
    return out


# What the insights lane asks for (bench/timeline.lua): a user page, counted as a profile visit.
INSIGHTS_OPS = {"viewer": "user page, signed in", "viewanon": "user page, anonymous"}


# --- Report --------------------------------------------------------------------------------


def median_run(runs: list[dict]) -> dict:
    """The run with the median throughput (its latencies come with it)."""
    return sorted(runs, key=lambda x: x["rps"])[len(runs) // 2]


def median_ratio(runs: list[dict], floors: list[dict]) -> float:
    """The median over rounds of (throughput / that round's floor)."""
    return statistics.median(x["rps"] / f["rps"] for x, f in zip(runs, floors, strict=True))


def report(lane: str, r: dict) -> None:
    floors = r["rounds"]["floor"]
    floor = median_run(floors)["rps"]
    signed_in_floors = r["rounds"]["floorauth"]
    ratios = {op: median_ratio(r["rounds"][op], floors) for op in (*READS, "floorauth")}
    ratios["post"] = r["alone_post"]["rps"] / floor
    signed_in = {op: median_ratio(r["rounds"][op], signed_in_floors) for op in READS}
    signed_in["post"] = r["alone_post"]["rps"] / median_run(signed_in_floors)["rps"]
    ds = r["dataset"]
    merge = ds["read_merge"]
    print(
        f"\n== {lane}: {ds['users']} users, {ds['follows']} follows, {ds['posts']} posts, "
        f"{ds['timeline_entries']} timeline entries =="
    )
    print(
        f"{'run':<22}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'vs floor':>10}{'signed-in':>10}"
        f"{'errors':>8}"
    )

    def share(a, b):
        return f"{a / b:.0%}" if b else "n/a"

    def row(name, x):
        ratio = share(x["rps"], floor) if not name.startswith("floor") else ""
        print(
            f"{name:<22}{x['rps']:>9.0f}{x['p50_us'] / 1000:>9.1f}{x['p99_us'] / 1000:>9.1f}"
            f"{ratio:>10}{'':>10}{x['errors']:>8}"
        )

    for op in (*FLOORS, "home", "homejson"):
        single = r[f"single_{op}"]
        vs_floor = share(single["rps"], r["single_floor"]["rps"]) if op != "floor" else ""
        vs_signed_in = (
            share(single["rps"], r["single_floorauth"]["rps"]) if op not in FLOORS else ""
        )
        print(
            f"{op + ', 1 connection':<22}{single['rps']:>9.0f}{single['p50_us'] / 1000:>9.1f}"
            f"{single['p99_us'] / 1000:>9.1f}{vs_floor:>10}{vs_signed_in:>10}"
            f"{single['errors']:>8}"
        )
    print(f"-- alone, median of {len(floors)} rounds (vs floors: median of per-round ratios)")
    for op in (*FLOORS, *ALONE):
        runs = r["rounds"][op] if op in r["rounds"] else [r[f"alone_{op}"]]
        x = median_run(runs)
        ratio = f"{ratios[op]:.0%}" if op != "floor" else ""
        ratio_signed_in = f"{signed_in[op]:.0%}" if op not in FLOORS else ""
        errors = sum(run["errors"] for run in runs)
        print(
            f"{op + ' alone':<22}{x['rps']:>9.0f}{x['p50_us'] / 1000:>9.1f}"
            f"{x['p99_us'] / 1000:>9.1f}{ratio:>10}{ratio_signed_in:>10}{errors:>8}"
        )
    for name, runs in (("floor", floors), ("signed-in floor", signed_in_floors)):
        print(f"   {name} per round: " + ", ".join(f"{f['rps']:.0f}" for f in runs) + " req/s")
    for op, x in r["mix_html_max"].items():
        row(f"HTML mix max: {op}", x)
    html_total = sum(x["rps"] for x in r["mix_html_max"].values())
    print(f"{'HTML mix max: total':<22}{html_total:>9.0f}")
    mix_total = sum(x["rps"] for x in r["mix_max"].values())
    for op, x in r["mix_max"].items():
        row(f"mix max: {op}", x)
    print(f"{'mix max: total':<22}{mix_total:>9.0f}")
    paced_total = sum(x["rps"] for x in r["mix_80"].values())
    for op, x in r["mix_80"].items():
        row(f"mix 80%: {op}", x)
    print(
        f"{'mix 80%: total':<22}{paced_total:>9.0f}   (target {r['mix_80_target_rps']:.0f}, "
        f"{share(paced_total, mix_total)} of max)"
    )
    if "mix_80_runs" in r:
        print("   each round (the median one above):")
        for run in r["mix_80_runs"]:
            at_max = sum(x["rps"] for x in run["max"].values())
            paced = sum(x["rps"] for x in run["ops"].values())
            print(
                f"   - max {at_max:.0f} req/s (machine {run['max_machine']['busy']:.0%} busy); "
                f"at {share(paced, at_max)} of it, worst p99 "
                f"{max(x['p99_us'] for x in run['ops'].values()) / 1000:.1f} ms, machine "
                f"{run['machine']['busy']:.0%} busy, {run['machine']['steal']:.1%} stolen"
            )
    if "worker_drain" in r:
        waits = ", ".join(f"{k.removesuffix('_s')} {v:.1f} s" for k, v in r["worker_drain"].items())
        print(f"   waited for the worker to finish queued fan-out: {waits}")
    worst_p99 = max(x["p99_us"] for x in r["mix_80"].values()) / 1000
    print(
        f"home throughput / floor (target >= 60%): JSON {signed_in['homejson']:.0%} of the "
        f"signed-in floor, {ratios['homejson']:.0%} of /healthz; HTML page "
        f"{signed_in['home']:.0%} / {ratios['home']:.0%}; user timeline JSON "
        f"{signed_in['userjson']:.0%} / {ratios['userjson']:.0%}, HTML {signed_in['user']:.0%} / "
        f"{ratios['user']:.0%}"
    )
    print(
        f"worst p99 at ~80% load: {worst_p99:.1f} ms (target <= 50 ms; the median of "
        f"{len(r.get('mix_80_runs', [None]))} runs)"
    )
    cpu = {
        op: statistics.median(run["cpu_ms"] for run in runs)
        for op, runs in r["rounds"].items()
        if all("cpu_ms" in run for run in runs)
    }
    if cpu:
        print(
            "web CPU per request, median of rounds (gunicorn's own time; the throughput ratio on "
            "cores of its own): " + ", ".join(f"{op} {ms:.2f} ms" for op, ms in cpu.items())
        )
        if "floorauth" in cpu and "homejson" in cpu:
            print(
                f"home JSON by CPU: {cpu['floorauth'] / cpu['homejson']:.0%} of the signed-in "
                f"floor, {cpu['floor'] / cpu['homejson']:.0%} of /healthz"
            )
    if "breakdown" in ds:
        b = ds["breakdown"]
        print(
            "in-process, ms per call: "
            + ", ".join(f"{k.removesuffix('_ms')} {v}" for k, v in b.items())
        )
    print(
        f"home id query: {merge['entries_only_ms']} ms as built (fan-out); "
        f"{merge['read_merge_ms']} ms if big accounts were merged at read time"
    )
    if "api_runs" in r:
        report_api(r)
    for i, c in enumerate(r["celebrity"]):
        print(
            f"celebrity post {i + 1}: author request {c['request_ms']:.1f} ms (target <= 50); "
            f"{c['reached']}/{c['expected']} timelines in {c['all_followers_s']:.2f} s "
            f"(target <= 2 s)"
        )


def report_api(r: dict) -> None:
    """The API lane against the JSON home read, each ratio taken within one round."""
    api, json_home = r["rounds"]["homeapi"], r["rounds"]["homejson"]
    ratio = statistics.median(a["rps"] / j["rps"] for a, j in zip(api, json_home, strict=True))
    x = median_run(api)
    print(
        f"{'homeapi alone':<22}{x['rps']:>9.0f}{x['p50_us'] / 1000:>9.1f}"
        f"{x['p99_us'] / 1000:>9.1f}{'':>10}{'':>10}{sum(a['errors'] for a in api):>8}"
    )
    print(
        "   API / JSON home per round: "
        + ", ".join(f"{a['rps']:.0f}/{j['rps']:.0f}" for a, j in zip(api, json_home, strict=True))
    )
    reported = r["api_runs"][len(r["api_runs"]) // 2]
    at_max = sum(x["rps"] for x in reported["max"].values())
    json_max = sum(x["rps"] for x in r["mix_max"].values())
    for op, x in reported["ops"].items():
        print(
            f"{'API mix 80%: ' + op:<22}{x['rps']:>9.0f}{x['p50_us'] / 1000:>9.1f}"
            f"{x['p99_us'] / 1000:>9.1f}{'':>10}{'':>10}{x['errors']:>8}"
        )
    worst = max(x["p99_us"] for x in reported["ops"].values()) / 1000
    print(
        f"API home throughput / JSON home (target >= 90%): {ratio:.0%} (median of per-round "
        f"ratios); API mix max {at_max:.0f} req/s vs JSON mix max {json_max:.0f} "
        f"({at_max / json_max:.0%}); API mix worst p99 at ~80% load: {worst:.1f} ms "
        f"(target <= 50 ms; the median of {len(r['api_runs'])} runs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller dataset, short runs")
    parser.add_argument("--lanes", default=None, help="sqlite,postgres (default: what is set)")
    parser.add_argument("--duration", type=int, default=None, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=None, help="default 8, full 16")
    parser.add_argument(
        "--worker-class",
        choices=("sync", "gthread"),
        default="sync",
        help="gunicorn's; sync is what Kiln's config deploys (kiln/gunicorn_conf.py)",
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="gthread: CPUs + 1; sync: as Kiln's config"
    )
    parser.add_argument("--threads", type=int, default=2, help="per gthread worker")
    parser.add_argument("--task-workers", type=int, default=1)
    parser.add_argument(
        "--gunicorn-config",
        default="python:kiln.gunicorn_conf",
        help="gunicorn's --config, Kiln's own by default (another one to compare settings)",
    )
    parser.add_argument("--var-dir", default="/tmp/kiln-bench-timeline")
    parser.add_argument("--rounds", type=int, default=None, help="default 2, full 3")
    parser.add_argument("--json", help="also write the raw results here")
    parser.add_argument(
        "--no-insights",
        dest="insights",
        action="store_false",
        help="skip the insights lane (view counting on vs off)",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk (scripts/system_deps.sh does it).")
    if not args.workers:
        gthread = args.worker_class == "gthread"
        args.workers = (os.cpu_count() or 2) + 1 if gthread else gunicorn_conf.workers
    args.graph = "socfb-Reed98.edges" if args.quick else "musae_git_edges.csv"
    args.posts_per_user = 10
    args.ego_posts_per_user = 1
    args.sessions = 300 if args.quick else 2000
    args.celebrity_tries = 2 if args.quick else 3
    args.duration = args.duration or (2 if args.quick else 10)
    args.warm = 1 if args.quick else 5
    args.rounds = args.rounds or (2 if args.quick else 3)
    args.connections = args.connections or (8 if args.quick else 16)
    lanes = (
        args.lanes.split(",")
        if args.lanes
        else (["sqlite", "postgres"] if os.environ.get("DATABASE_URL") else ["sqlite"])
    )
    if "postgres" in lanes and not os.environ.get("DATABASE_URL"):
        raise SystemExit(
            "The postgres lane needs DATABASE_URL (and REDIS_URL), e.g. "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/0"
        )
    started = time.perf_counter()
    results = {}
    for lane in lanes:
        results[lane] = run_lane(lane, args)
    for lane, r in results.items():
        report(lane, r)
    print(
        f"\ntotal {time.perf_counter() - started:.0f}s; gunicorn {args.workers} "
        f"{args.worker_class} workers"
        f"{f' x {args.threads} threads' if args.worker_class == 'gthread' else ''}, "
        f"{args.task_workers} db_worker, wrk "
        f"{args.connections} connections, {args.duration}s per run, {os.cpu_count()} CPUs"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
