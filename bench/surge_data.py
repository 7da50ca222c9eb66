"""The surge's people and what they ask for (run by bench/surge.py in the topology's
environment). `seed N sessions_file`: N users named sgNNN from socfb-Reed98's first nodes,
following each other along its edges (both ways), 3 posts each, and signed-in sessions written
directly; their home timelines are built on their first visit (last_active_at unset), as for
returning users. Then, always: artists, project pages and posts, as one JSON line."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from kiln.accounts.models import User  # noqa: E402
from kiln.portfolio.models import Project  # noqa: E402
from kiln.posts.models import Post  # noqa: E402


def seed(count: int, sessions_file: str) -> None:
    import secrets

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.utils import timezone
    from django.utils.html import escape

    from kiln.accounts.models import Profile
    from kiln.core.ids import new_id
    from kiln.social.models import Follow

    graphs = Path(__file__).resolve().parent.parent.parent / "shared" / "graphs"
    edges = set()
    for line in (graphs / "socfb-Reed98.edges").read_text().splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].isdigit():
            a, b = int(parts[0]), int(parts[1])
            if a != b and a < count and b < count:
                edges |= {(a, b), (b, a)}
    ids = {n: new_id() for n in range(count)}
    now = timezone.now()
    with transaction.atomic():
        User.objects.bulk_create(
            [
                User(id=ids[n], username=f"sg{n}", email=f"sg{n}@surge.invalid", password="!")  # noqa: S106 - unusable
                for n in range(count)
            ]
        )
        Profile.objects.bulk_create([Profile(user_id=ids[n], display_name=f"SG {n}") for n in ids])
        Follow.objects.bulk_create(
            [Follow(follower_id=ids[a], followed_id=ids[b]) for a, b in edges]
        )
        posts = []
        for n in range(count):
            for i in range(3):
                text = f"Sketch {i} by sg{n} #surge"
                posts.append(Post(id=new_id(), author_id=ids[n], text=text, text_html=escape(text)))
        Post.objects.bulk_create(posts, batch_size=2000)
    lines, rows = [], []
    for user in User.objects.filter(username__startswith="sg").order_by("id")[:300]:
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        key = secrets.token_hex(16)
        rows.append(
            Session(
                session_key=key,
                session_data=SessionStore().encode(data),
                expire_date=now + timezone.timedelta(days=1),
            )
        )
        lines.append(f"{key} {user.username}")
    Session.objects.bulk_create(rows)
    Path(sessions_file).write_text("\n".join(lines) + "\n")
    print(f"seeded {count} users, {len(edges)} follows, {len(posts)} posts", file=sys.stderr)


if len(sys.argv) > 1 and sys.argv[1] == "seed":
    seed(int(sys.argv[2]), sys.argv[3])

projects = [
    f"/@{username}/projects/{pk}"
    for pk, username in Project.objects.values_list("pk", "owner__username")[:200]
]
artists = sorted({url.split("/")[1][1:] for url in projects}) or list(
    User.objects.values_list("username", flat=True)[:50]
)
posts = list(
    Post.objects.filter(in_reply_to=None).order_by("-pk").values_list("pk", flat=True)[:500]
)
print(json.dumps({"projects": projects, "artists": artists, "posts": posts}))
