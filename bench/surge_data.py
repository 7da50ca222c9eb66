"""What the surge's visitors ask for, listed from the seeded database (run by bench/surge.py
in the topology's environment): artists, project pages and posts, as one JSON line."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

from kiln.accounts.models import User  # noqa: E402
from kiln.portfolio.models import Project  # noqa: E402
from kiln.posts.models import Post  # noqa: E402

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
