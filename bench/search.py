"""Search benchmark: query latency per query type, index size, and the write cost of indexing.

    python bench/search.py --quick                  # both lanes, small (about 2 minutes)
    python bench/search.py --scale 0.1 --lane sqlite
    python bench/search.py                          # full: 1M posts, 100k projects, 50k artists
                                                    # (about 25-30 min a lane on a quiet
                                                    # 2-core machine, estimated from --scale)

Each lane runs in a child process with its own environment: SQLite in a scratch KILN_VAR_DIR,
PostgreSQL in the database `search_bench` (dropped and recreated; `--var-dir` and `--pg-db`
choose others, for benches run side by side). Artists come from the nodes of
../shared/graphs (follows are its edges), text is generated from an art vocabulary with a
Zipf-like spread (so some words are common and some rare). Every figure is measured in the
run that prints it; the write cost compares posts written with and without the index write,
alternating, in the same process.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FULL = {"posts": 1_000_000, "projects": 100_000, "artists": 50_000}
QUICK = {"posts": 20_000, "projects": 2_000, "artists": 1_000}
PG_URL = "postgres://postgres@127.0.0.1:5432/{db}"

# Word lists as strings for readability; split once.
COMMON = str.split(
    "sketch study ink painting colour light portrait figure landscape process brush paper "
    "watercolour gouache digital character design commission line texture layer shadow "
    "morning new work detail final"
)
FIRST = str.split(
    "mira ana ben cat dara eli fia gus hana ivo jun kai lea milo nia omar pia rui sam"
)
LAST = str.split("okafor ink clay moss reis silva tanaka novak haddad lund costa okoye berg dias")
# Where each lane's data goes (dropped and recreated): several people may bench at once.
VAR_DIR = "/tmp/kiln-search-bench"

CITIES = str.split("Lagos Lisbon Berlin Osaka Lima Oslo Accra Porto Seoul Quito")


def pseudo_word(rng: random.Random) -> str:
    syllables = str.split("ka lo mi ne ru ta vo shi zu ba de fo gu hi ja")
    return "".join(rng.choice(syllables) for _ in range(rng.randint(3, 4)))


def make_text(rng: random.Random, rare: list[str], words: int) -> str:
    out = []
    for _ in range(words):
        if rng.random() < 0.04:
            out.append(rng.choice(rare))
        else:
            # Zipf-like: the first words of COMMON far more often than the last.
            out.append(COMMON[min(int(rng.paretovariate(1.1)) - 1, len(COMMON) - 1)])
    return " ".join(out)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered) * 1000, p99 * 1000


# --- the child: one lane ---------------------------------------------------------------------


def build(sizes: dict, rng: random.Random) -> dict:
    from django.db import transaction
    from django.utils import timezone
    from django.utils.html import escape

    from bench.timeline_data import read_edges
    from kiln.accounts.choices import FIELDS_OF_WORK
    from kiln.accounts.models import Profile, User
    from kiln.portfolio.models import Project, ProjectTag
    from kiln.posts.models import Post
    from kiln.social.models import Follow

    started = time.perf_counter()
    n = sizes["artists"]
    rare = sorted({pseudo_word(rng) for _ in range(max(200, sizes["posts"] // 50))})
    fields = [slug for slug, _ in FIELDS_OF_WORK]
    statuses = ["commissions", "work", "unavailable", "unavailable"]
    with transaction.atomic():
        unusable = "!"  # no password can match it
        users = [User(username=f"u{i}", password=unusable, is_active=True) for i in range(n)]
        User.objects.bulk_create(users, batch_size=5000)
        ids = [u.pk for u in users]
        Profile.objects.bulk_create(
            [
                Profile(
                    user_id=pk,
                    display_name=f"{rng.choice(FIRST).title()} {rng.choice(LAST).title()}",
                    bio=make_text(rng, rare, 12),
                    location=rng.choice(CITIES),
                    fields_of_work=rng.sample(fields, 2),
                    status=rng.choice(statuses),
                )
                for pk in ids
            ],
            batch_size=5000,
        )
        graph = "socfb-Reed98.edges" if n < 5000 else "musae_git_edges.csv"
        follows = {(a, b) for a, b in read_edges(graph) if a < n and b < n}
        Follow.objects.bulk_create(
            [Follow(follower_id=ids[a], followed_id=ids[b]) for a, b in follows]
            + [Follow(follower_id=ids[b], followed_id=ids[a]) for a, b in follows],
            batch_size=5000,
            ignore_conflicts=True,
        )
    now = timezone.now()
    batch = 20_000
    for start in range(0, sizes["posts"], batch):
        rows = []
        for _ in range(min(batch, sizes["posts"] - start)):
            text = make_text(rng, rare, rng.randint(6, 30))
            if rng.random() < 0.3:
                text += f" #{rng.choice(COMMON)}"
            visibility = "followers" if rng.random() < 0.1 else "public"
            rows.append(
                Post(
                    author_id=rng.choice(ids),
                    text=text,
                    text_html=escape(text),
                    visibility=visibility,
                )
            )
        Post.objects.bulk_create(rows, batch_size=5000)
    mediums = ["watercolour", "gouache", "ink", "charcoal", "acrylic-paint"]
    software = ["procreate", "krita", "blender", "adobe-photoshop"]
    with transaction.atomic():
        projects = [
            Project(
                owner_id=rng.choice(ids),
                title=make_text(rng, rare, 3).title(),
                description=make_text(rng, rare, 25),
                state=Project.State.PUBLISHED,
                published_at=now,
                is_mature=rng.random() < 0.05,
            )
            for _ in range(sizes["projects"])
        ]
        Project.objects.bulk_create(projects, batch_size=5000)
        labels = []
        for project in projects:
            labels.append(
                ProjectTag(
                    project=project, kind="medium", slug=(m := rng.choice(mediums)), name=m.title()
                )
            )
            labels.append(
                ProjectTag(
                    project=project,
                    kind="software",
                    slug=(s := rng.choice(software)),
                    name=s.title(),
                )
            )
            labels.append(
                ProjectTag(project=project, kind="field", slug=(f := rng.choice(fields)), name=f)
            )
            labels.append(
                ProjectTag(project=project, kind="tag", slug=(t := rng.choice(COMMON)), name=t)
            )
        ProjectTag.objects.bulk_create(labels, batch_size=5000)
    data_seconds = time.perf_counter() - started
    return {"ids": ids, "rare": rare, "data_seconds": data_seconds}


def measure(fn, args_list) -> tuple[tuple[float, float], tuple[float, float]]:
    """(p50, p99) of wall time, and of this thread's CPU time: on SQLite the database runs
    in-process, so the CPU figures are the query's own cost, whatever the machine's load."""
    wall, cpu = [], []
    for args in args_list:
        t0, c0 = time.perf_counter(), time.thread_time()
        fn(*args)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
    return percentiles(wall), percentiles(cpu)


def _third_page_cursor(selectors, viewer, q):
    """The cursor a reader has after two best-match pages (loaded untimed)."""
    cursor = None
    for _ in range(2):
        page = selectors.search_posts(
            viewer=viewer, q=q, sort="best", hydrate=False, rank_from=cursor
        )
        if page.next_cursor is None:
            return cursor
        cursor = selectors.parse_rank_cursor(str(page.next_cursor))
    return cursor


def write_cost(author, rounds: int, rng: random.Random) -> dict:
    """Posts through post_create with and without the index write, alternating."""
    from django.db import transaction

    from kiln.posts.services import post_create
    from kiln.search.services import search_post_index

    stashed = _unsubscribe_search_from_posts()
    try:
        # (wall, CPU of this thread) per post. On a loaded machine wall time turns a little
        # more CPU into a lot more waiting (each used-up time slice waits for the others'), so
        # the CPU time is printed too; on SQLite it includes the database's work (in-process),
        # on PostgreSQL it does not (the server is another process): there, wall time only.
        plain, indexed = [], []
        for i in range(rounds):
            text = make_text(rng, ["zzrare"], 20) + " #bench"
            for with_index in (False, True) if i % 2 else (True, False):
                t0, c0 = time.perf_counter(), time.thread_time()
                with transaction.atomic():
                    post = post_create(author=author, text=text)
                    if with_index:
                        search_post_index(post=post, created=True)
                sample = (time.perf_counter() - t0, time.thread_time() - c0)
                (indexed if with_index else plain).append(sample)
    finally:
        _resubscribe(stashed)

    def median_ms(samples, k):
        return statistics.median(s[k] for s in samples) * 1000

    plain_ms, indexed_ms = median_ms(plain, 0), median_ms(indexed, 0)
    plain_cpu, indexed_cpu = median_ms(plain, 1), median_ms(indexed, 1)
    return {
        "without_ms": round(plain_ms, 3),
        "with_ms": round(indexed_ms, 3),
        "overhead_pct": round((indexed_ms - plain_ms) / plain_ms * 100, 1),
        "without_cpu_ms": round(plain_cpu, 3),
        "with_cpu_ms": round(indexed_cpu, 3),
        "cpu_overhead_pct": round((indexed_cpu - plain_cpu) / plain_cpu * 100, 1),
    }


def _unsubscribe_search_from_posts() -> list:
    """Once kiln.posts.events feeds the index, "without" must really be without."""
    try:
        from kiln.posts import events
    except ImportError:
        return []
    stashed = []
    for value in vars(events).values():
        subscribers = getattr(value, "_subscribers", None)
        if isinstance(subscribers, list):
            ours = [s for s in subscribers if s.__module__.startswith("kiln.search")]
            for s in ours:
                subscribers.remove(s)
            stashed.append((subscribers, ours))
    return stashed


def _resubscribe(stashed) -> None:
    for subscribers, ours in stashed:
        subscribers.extend(ours)


def child(lane: str, sizes: dict, iterations: int) -> dict:
    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from kiln.accounts.models import User
    from kiln.core.collector import freeze_warm_objects
    from kiln.search import engines, selectors
    from kiln.search.services import search_rebuild

    rng = random.Random(19)
    load_before = os.getloadavg()[0]
    built = build(sizes, rng)
    t0 = time.perf_counter()
    counts = search_rebuild(batch=5000)
    index_seconds = time.perf_counter() - t0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    sizes_bytes = engines.index_size_bytes()
    anon = AnonymousUser()
    # A reader with follows (so followers-only posts are in play) from the graph's busiest.
    reader = User.objects.get(pk=built["ids"][0])
    reader.in_any_block = False
    reader.mutes_anyone = False
    common = COMMON[:8]
    rare = rng.sample(built["rare"], min(len(built["rare"]), iterations))
    prefixes = [f[:2] for f in FIRST] + [f[:3] for f in FIRST]
    pick = lambda pool: [rng.choice(pool) for _ in range(iterations)]  # noqa: E731
    two_words = [f"{a} {b}" for a in common for b in common if a != b]
    results = {}
    # "ids" rows time the search itself (engine + who-may-see-what); the others add the
    # hydration a page needs (cards with authors and images, tiles with covers).
    queries = {
        "posts: common word, ids (anon)": (
            lambda q: selectors.search_posts(viewer=anon, q=q, hydrate=False),
            pick(common),
        ),
        "posts: common word, ids (signed in)": (
            lambda q: selectors.search_posts(viewer=reader, q=q, hydrate=False),
            pick(common),
        ),
        "posts: rare word, ids (signed in)": (
            lambda q: selectors.search_posts(viewer=reader, q=q, hydrate=False),
            pick(rare),
        ),
        "posts: two words best match, ids": (
            lambda q: selectors.search_posts(viewer=anon, q=q, sort="best", hydrate=False),
            [f"{a} {b}" for a, b in zip(pick(common), pick(common), strict=True)],
        ),
        "posts: two words best match, third page, ids": (
            lambda qc: selectors.search_posts(
                viewer=anon, q=qc[0], sort="best", hydrate=False, rank_from=qc[1]
            ),
            [(q, _third_page_cursor(selectors, anon, q)) for q in pick(two_words)],
        ),
        "posts: common word + cards (signed in)": (
            lambda q: selectors.search_posts(viewer=reader, q=q),
            pick(common),
        ),
        "work: common word + medium, ids": (
            lambda q: selectors.search_work(
                viewer=anon, q=q, filters={"medium": "ink"}, hydrate=False
            ),
            pick(common),
        ),
        "work: filters only, ids": (
            lambda q: selectors.search_work(
                viewer=anon, q="", filters={"software": q}, hydrate=False
            ),
            pick(["procreate", "krita", "blender"]),
        ),
        "work: common word + medium + tiles": (
            lambda q: selectors.search_work(viewer=anon, q=q, filters={"medium": "ink"}),
            pick(common),
        ),
        "artists: common word + availability": (
            lambda q: selectors.search_artists(viewer=anon, q=q, status="commissions"),
            pick(common),
        ),
        'artists: name prefixes ("mi ok")': (
            lambda q: selectors.search_artists(viewer=anon, q=q),
            [f"{a} {b[:2]}" for a, b in zip(pick(FIRST), pick(LAST), strict=True)],
        ),
        "autocomplete: @prefix": (
            lambda q: selectors.suggest_people(viewer=reader, prefix="@" + q),
            pick(prefixes),
        ),
        "autocomplete: #prefix": (
            lambda q: selectors.suggest_tags(prefix="#" + q),
            pick([c[:2] for c in COMMON]),
        ),
    }
    for fn, args in queries.values():
        fn(args[0])  # warm: templates compiled, caches filled, as in a worker that has served
    # The garbage collector's policy of Kiln's web workers (kiln/gunicorn_conf.py): what a
    # loaded process keeps for life, here with the bench's own data, is frozen out of full
    # collections. Without it a full collection walked every object here, 50-80 ms of CPU
    # landing on whichever query triggered it: that, not the queries, was the p99 of the
    # full pages (docs/decisions/search.md).
    freeze_warm_objects()
    for name, (fn, args) in queries.items():
        (p50, p99), (cpu50, cpu99) = measure(fn, [(a,) for a in args])
        results[name] = {
            "p50_ms": round(p50, 2),
            "p99_ms": round(p99, 2),
            "cpu_p50_ms": round(cpu50, 2),
            "cpu_p99_ms": round(cpu99, 2),
        }
    author = User.objects.get(pk=built["ids"][1])
    writes = write_cost(author, rounds=max(20, iterations // 2), rng=rng)
    return {
        "lane": lane,
        "sizes": sizes,
        "indexed": counts,
        "data_seconds": round(built["data_seconds"], 1),
        "index_build_seconds": round(index_seconds, 1),
        "index_bytes": sizes_bytes,
        "queries": results,
        "write_per_post": writes,
        # The machine is shared: figures under load are upper bounds, and the report says so.
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "cpus": os.cpu_count(),
    }


# --- the parent: lanes and the report --------------------------------------------------------


def lane_env(lane: str, *, pg_db: str = "search_bench", var_dir: str = VAR_DIR) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kiln.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 40,
        "ALLOWED_HOSTS": "localhost",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    if lane == "postgres":
        subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-q",
                "-c",
                f"DROP DATABASE IF EXISTS {pg_db}",
                "-c",
                f"CREATE DATABASE {pg_db}",
            ],
            check=True,
            capture_output=True,
        )
        env["DATABASE_URL"] = PG_URL.format(db=pg_db)
    else:
        var = Path(var_dir)
        subprocess.run(["rm", "-rf", str(var)], check=True)
        var.mkdir(parents=True)
        env["KILN_VAR_DIR"] = str(var)
    return env


def report(result: dict) -> None:
    target = 50 if result["lane"] == "postgres" else 100
    s = result["sizes"]
    print(
        f"\n== {result['lane']}: {s['posts']:,} posts, {s['projects']:,} projects, "
        f"{s['artists']:,} artists (data {result['data_seconds']} s, index build "
        f"{result['index_build_seconds']} s)"
    )
    load = result["load_average"]
    print(f"(load average {load[0]} at start, {load[1]} at end, on {result['cpus']} CPUs)")
    cpu = result["lane"] == "sqlite"  # CPU time is the query's own cost only in-process
    head = f"{'cpu p50':>8} {'cpu p99':>8}" if cpu else ""
    print(f"{'query':45} {'p50 ms':>8} {'p99 ms':>8} {head}  target p99 <= {target} ms")
    for name, r in result["queries"].items():
        flag = "" if r["p99_ms"] <= target else "  OVER"
        cpu_cols = f" {r['cpu_p50_ms']:8.2f} {r['cpu_p99_ms']:8.2f}" if cpu else ""
        print(f"{name:45} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f}{cpu_cols}{flag}")
    total = sum(result["index_bytes"].values())
    parts = ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in result["index_bytes"].items())
    print(f"index size: {total / 1e6:.1f} MB ({parts})")
    w = result["write_per_post"]
    print(
        f"write per post (median): {w['without_ms']} ms without the index, {w['with_ms']} ms "
        f"with it: +{w['overhead_pct']}% (target <= 20%)"
    )
    if result["lane"] == "sqlite":
        print(
            f"  CPU time of the writer (median): {w['without_cpu_ms']} ms without, "
            f"{w['with_cpu_ms']} ms with: +{w['cpu_overhead_pct']}%"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--scale", type=float, default=None, help="fraction of the full size")
    parser.add_argument("--lane", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--iterations", type=int, default=None)
    parser.add_argument("--pg-db", default="search_bench", help="PostgreSQL database (dropped)")
    parser.add_argument("--var-dir", default=VAR_DIR, help="SQLite lane's directory (emptied)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scale is not None:
        sizes = {k: max(100, int(v * args.scale)) for k, v in FULL.items()}
    else:
        sizes = QUICK if args.quick else FULL
    iterations = args.iterations or (100 if args.quick else 200)
    if args.child:
        print(json.dumps(child(args.child, sizes, iterations)))
        return
    lanes = ["sqlite", "postgres"] if args.lane == "both" else [args.lane]
    for lane in lanes:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                lane,
                "--iterations",
                str(iterations),
                *(["--scale", str(args.scale)] if args.scale is not None else []),
                *(["--quick"] if args.quick else []),
            ],
            env=lane_env(lane, pg_db=args.pg_db, var_dir=args.var_dir),
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        if out.returncode != 0:
            print(out.stderr[-4000:], file=sys.stderr)
            sys.exit(out.returncode)
        report(json.loads(out.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
