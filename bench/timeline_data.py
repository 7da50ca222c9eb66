"""The timeline benchmark's dataset and in-process measurements (run inside Django).

    python bench/timeline_data.py build '<json spec>'      # prints the dataset summary as JSON
    python bench/timeline_data.py breakdown '<json spec>'  # prints the home page breakdown

bench/timeline.py runs these in child processes with each lane's environment, and keys its
stored datasets on this module's builder code.
"""

from __future__ import annotations

import json
import random
import re
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRAPHS = ROOT.parent / "shared" / "graphs"
sys.path.insert(0, str(ROOT))


# --- Graphs --------------------------------------------------------------------------------


def read_edges(name: str) -> list[tuple[int, int]]:
    path = GRAPHS / name
    edges = []
    with path.open() as fh:
        for line in fh:
            parts = re.split(r"[,\s]+", line.strip())
            if len(parts) < 2 or not parts[0].isdigit():
                continue  # header or blank
            a, b = int(parts[0]), int(parts[1])
            if a != b:
                edges.append((a, b))
    return edges


def celebrity_ego(edges: list[tuple[int, int]]) -> tuple[int, list[tuple[int, int]]]:
    """The highest-degree node and its edges (the followers of the celebrity)."""
    degree: dict[int, int] = {}
    for a, b in edges:
        degree[a] = degree.get(a, 0) + 1
        degree[b] = degree.get(b, 0) + 1
    star = max(degree, key=degree.get)
    return star, [(a, b) for a, b in edges if star in (a, b)]


# --- Dataset (runs inside Django, in a child process with the lane's environment) ----------


def build_dataset(spec: dict) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import connection, transaction
    from django.utils import timezone
    from django.utils.html import escape

    from kiln.accounts.models import Profile, User
    from kiln.core.ids import new_id
    from kiln.posts.models import Post, PostTag
    from kiln.social.models import Follow
    from kiln.timelines.models import TimelineEntry
    from kiln.timelines.services import timeline_max_entries, timeline_trim

    started = time.perf_counter()
    rng = random.Random(7)
    now = timezone.now()
    # Nodes are named per graph so the two graphs of the quick dataset never collide.
    groups = []  # (prefix, edges, posts per user)
    main = read_edges(spec["graph"])
    groups.append(("fb" if "Reed" in spec["graph"] else "gh", main, spec["posts_per_user"]))
    musae = read_edges("musae_git_edges.csv")
    star, ego = celebrity_ego(musae)
    if "musae" not in spec["graph"]:
        groups.append(("gh", ego, spec["ego_posts_per_user"]))
    star_name = f"gh{star}"

    names: dict[str, int] = {}
    posts_per: dict[str, int] = {}
    follows: set[tuple[str, str]] = set()
    for prefix, edges, per_user in groups:
        for a, b in edges:
            na, nb = f"{prefix}{a}", f"{prefix}{b}"
            for name in (na, nb):
                if name not in names:
                    names[name] = new_id()
                    posts_per[name] = per_user
            follows.add((na, nb))
            follows.add((nb, na))

    with transaction.atomic():
        User.objects.bulk_create(
            [
                User(
                    id=uid,
                    username=name,
                    email=f"{name}@bench.invalid",
                    password="!bench",  # noqa: S106 - unusable: sessions are written directly below
                    last_active_at=now,
                )
                for name, uid in names.items()
            ],
            batch_size=5000,
        )
        Profile.objects.bulk_create(
            [Profile(user_id=uid, display_name=name.upper()) for name, uid in names.items()],
            batch_size=5000,
        )
        Follow.objects.bulk_create(
            [Follow(follower_id=names[a], followed_id=names[b]) for a, b in follows],
            batch_size=5000,
        )
    t_graph = time.perf_counter()

    # Posts: oldest first so ids (time-sortable) interleave authors like real traffic.
    order = [name for name, count in posts_per.items() for _ in range(count)]
    rng.shuffle(order)
    posts, tags = [], []
    for i, name in enumerate(order):
        pid = new_id()
        text = f"Work in progress {i} by {name} #wip"
        posts.append(Post(id=pid, author_id=names[name], text=text, text_html=escape(text)))
        tags.append(PostTag(post_id=pid, tag="wip"))
    with transaction.atomic():
        Post.objects.bulk_create(posts, batch_size=5000)
        PostTag.objects.bulk_create(tags, batch_size=5000)
    t_posts = time.perf_counter()

    # Timelines materialised in SQL: own posts, plus every followed author's posts.
    entry = TimelineEntry._meta.db_table
    post_t, follow_t = Post._meta.db_table, Follow._meta.db_table
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {entry} (user_id, post_id, author_id, origin_author_id) "  # noqa: S608
            f"SELECT author_id, id, author_id, author_id FROM {post_t}"
        )
        cur.execute(
            f"INSERT INTO {entry} (user_id, post_id, author_id, origin_author_id) "  # noqa: S608
            f"SELECT f.follower_id, p.id, p.author_id, p.author_id FROM {follow_t} f "
            f"JOIN {post_t} p ON p.author_id = f.followed_id"
        )
        cur.execute(
            f"SELECT user_id FROM {entry} GROUP BY user_id HAVING COUNT(*) > %s",  # noqa: S608
            [timeline_max_entries()],
        )
        over_cap = [row[0] for row in cur.fetchall()]
    for i in range(0, len(over_cap), 200):
        timeline_trim(user_ids=over_cap[i : i + 200])
    entries = TimelineEntry.objects.count()
    t_timelines = time.perf_counter()

    # Logged-in sessions for a sample of the main graph's users (not the celebrity).
    main_prefix = groups[0][0]
    candidates = sorted(n for n in names if n.startswith(main_prefix) and n != star_name)
    sample = rng.sample(candidates, min(spec["sessions"], len(candidates)))
    lines = []
    rows = []
    users = {u.username: u for u in User.objects.filter(username__in=[*sample, star_name])}
    for name in [*sample, star_name]:
        user = users[name]
        store = SessionStore()
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],  # as a password login
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        key = secrets.token_hex(16)
        rows.append(
            Session(
                session_key=key,
                session_data=store.encode(data),
                expire_date=now + timezone.timedelta(days=1),
            )
        )
        lines.append(f"{key} {secrets.token_hex(16)} {name}")
    Session.objects.bulk_create(rows)
    sessions_file = Path(spec["sessions_file"])
    sessions_file.write_text("\n".join(lines[:-1]) + "\n")
    star_followers = Follow.objects.filter(followed_id=names[star_name]).count()
    merge = measure_read_merge(names[star_name], star_followers)
    return {
        "read_merge": merge,
        "users": len(names),
        "follows": len(follows),
        "posts": len(posts),
        "timeline_entries": entries,
        "star": star_name,
        "star_id": names[star_name],
        "star_followers": star_followers,
        "star_session": lines[-1],
        "seconds": {
            "graph": round(t_graph - started, 1),
            "posts": round(t_posts - t_graph, 1),
            "timelines": round(t_timelines - t_posts, 1),
        },
    }


def measure_read_merge(star_id: int, followers: int) -> dict:
    """The alternative to fan-out for big accounts: merge their posts in at read time.

    Times, for one of the celebrity's followers, the home page's id query as it is (entries
    only) and with the read-time merge (entries without the celebrity, plus the celebrity's
    newest posts, merged in Python), so the decision rests on measured costs.
    """
    from kiln.posts.models import Post
    from kiln.social.models import Follow
    from kiln.timelines.models import TimelineEntry

    reader = Follow.objects.filter(followed_id=star_id).values_list("follower_id", flat=True)[0]
    rounds = 300

    def entries_only():
        return list(
            TimelineEntry.objects.filter(user_id=reader)
            .order_by("-post_id")
            .values_list("post_id", flat=True)[:11]
        )

    def merged():
        big = list(
            Follow.objects.filter(follower_id=reader, followed_id__in=[star_id]).values_list(
                "followed_id", flat=True
            )
        )
        own = entries_only()
        theirs = list(
            Post.objects.filter(author_id__in=big, deleted_at__isnull=True)
            .order_by("-id")
            .values_list("id", flat=True)[:11]
        )
        return sorted(set(own) | set(theirs), reverse=True)[:11]

    timings = {}
    for name, fn in (("entries_only_ms", entries_only), ("read_merge_ms", merged)):
        fn()
        start = time.perf_counter()
        for _ in range(rounds):
            fn()
        timings[name] = round((time.perf_counter() - start) / rounds * 1000, 3)
    timings["fanout_rows_per_post"] = followers
    return timings


def breakdown(spec: dict) -> dict:
    """Where a home page's time goes, in-process on the stored dataset (mean ms per call)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.template.loader import render_to_string
    from django.test import Client, RequestFactory

    from kiln.posts.cards import clear_card_cache, post_cards
    from kiln.social.selectors import hidden_author_ids
    from kiln.timelines import selectors

    name = Path(spec["sessions_file"]).read_text().split()[2]
    user = get_user_model().objects.get(username=name)
    client = Client()
    client.force_login(user)
    request = RequestFactory().get("/")
    request.user = user
    request.session = client.session
    page = selectors.home_timeline_page(viewer=user, size=10)
    ids = [p.pk for p in page.items]
    cards_page = selectors.home_timeline_page(
        viewer=user, size=10, hydrate=lambda i, v, hidden: post_cards(i, v, hidden=hidden)
    )
    context = {"page": cards_page, "older_url": "/?before=1"}

    rounds = spec.get("rounds", 40)

    def mean_ms(fn, before=None):
        fn()
        total = 0.0
        for _ in range(rounds):
            if before:
                before()
            start = time.perf_counter()
            fn()
            total += time.perf_counter() - start
        return round(total / rounds * 1000, 2)

    return {
        "floor_request_ms": mean_ms(lambda: client.get("/healthz")),
        "home_request_ms": mean_ms(lambda: client.get("/?limit=10")),
        "hidden_authors_ms": mean_ms(lambda: hidden_author_ids(user)),
        "entries_query_ms": mean_ms(
            lambda: list(selectors.home_entries(user).order_by("-post_id")[:11])
        ),
        "posts_hydrated_ms": mean_ms(lambda: selectors.hydrate_posts(ids, user, hidden=set())),
        "cards_cached_ms": mean_ms(lambda: post_cards(ids, user, hidden=set())),
        "cards_uncached_ms": mean_ms(
            lambda: post_cards(ids, user, hidden=set()), before=clear_card_cache
        ),
        "render_page_ms": mean_ms(
            lambda: render_to_string("timelines/home.html", context, request=request)
        ),
    }


if __name__ == "__main__":
    command, raw = sys.argv[1], sys.argv[2]
    handler = {"build": build_dataset, "breakdown": breakdown}[command]
    print(json.dumps(handler(json.loads(raw))))
