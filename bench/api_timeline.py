"""The Mastodon API's home timeline against Kiln's own JSON timeline, in one process.

    .venv/bin/python bench/api_timeline.py [--quick]

A throwaway SQLite database (under /tmp) with one reader following --authors accounts of
--posts posts each (timelines fanned out as in service). Then, in rounds that alternate,
Django's test client asks for the reader's first page (20 statuses) both ways:
`GET /?format=json` with a session cookie (the baseline, bench/timeline.py's JSON lane) and
`GET /api/v1/timelines/home` with a Bearer token. Printed: requests per second of each, the
API's share of the baseline (target >= 90%). One process,
no network, so the figures compare the two views' own costs, not a deployment's throughput
(bench/timeline.py measures that under gunicorn and wrk).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup(var_dir: str) -> None:
    os.environ["KILN_VAR_DIR"] = var_dir
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ["DJANGO_SETTINGS_MODULE"] = "kiln.settings_test"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _seed(authors: int, posts: int):
    import datetime as dt
    import secrets

    from django.utils import timezone
    from oauth2_provider.models import AccessToken, set_token_value

    from kiln.accounts.models import User
    from kiln.accounts.services import profile_ensure
    from kiln.api.services import client_app_create
    from kiln.posts.services import post_create
    from kiln.social.services import follow_create

    reader = User.objects.create_user(username="reader")
    profile_ensure(user=reader)
    for a in range(authors):
        author = User.objects.create_user(username=f"artist{a}")
        profile_ensure(user=author)
        follow_create(follower=reader, followed=author)
        for p in range(posts):
            post_create(author=author, text=f"Work in progress {p} by artist {a} #wip")
    app, _ = client_app_create(name="bench", redirect_uris=["urn:ietf:wg:oauth:2.0:oob"], scopes=[])
    raw = secrets.token_urlsafe(32)
    token = AccessToken(
        user=reader,
        application=app,
        scope="read",
        expires=timezone.now() + dt.timedelta(days=1),
    )
    set_token_value(token, raw)
    token.save()
    return reader, raw


def _rate(call, n: int) -> tuple[float, float]:
    """(requests per second, CPU milliseconds per request): the machine is shared, so the
    CPU time is the steadier of the two."""
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        response = call()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert response.status_code == 200, response.content[:200]
    return n / elapsed, cpu / n * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer posts and requests")
    parser.add_argument("--authors", type=int, default=None)
    parser.add_argument("--posts", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    authors = args.authors or (10 if args.quick else 50)
    posts = args.posts or (10 if args.quick else 20)
    requests_per_round = 100 if args.quick else 400

    with tempfile.TemporaryDirectory(prefix="kiln-bench-api-") as var_dir:
        _setup(var_dir)
        from django.test import Client

        reader, token = _seed(authors, posts)
        web = Client()
        web.force_login(reader)
        api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        # The API counts each token's requests; the bench is one token asking many times.
        from django.conf import settings

        settings.KILN_API_RATE_TOKEN = 10**9
        settings.KILN_RATE_PAGES = 10**9

        def json_page():
            return web.get("/", {"format": "json"})

        def api_page():
            return api.get("/api/v1/timelines/home")

        for call in (json_page, api_page):  # warm: compiled queries, caches
            _rate(call, 20)
        web_runs, api_runs = [], []
        for _ in range(args.rounds):
            web_runs.append(_rate(json_page, requests_per_round))
            api_runs.append(_rate(api_page, requests_per_round))
        web_rates, api_rates = [r for r, _ in web_runs], [r for r, _ in api_runs]
        web_median, api_median = statistics.median(web_rates), statistics.median(api_rates)
        web_cpu = statistics.median(c for _, c in web_runs)
        api_cpu = statistics.median(c for _, c in api_runs)
        print(f"dataset: {authors} followed authors x {posts} posts; page of 20 statuses")
        print(f"rounds: {args.rounds} x {requests_per_round} requests each, alternating")
        print(f"JSON timeline  GET /?format=json          {web_median:7.1f} req/s  ", end="")
        print(f"{web_cpu:.2f} ms CPU/request")
        print(f"Mastodon API   GET /api/v1/timelines/home {api_median:7.1f} req/s  ", end="")
        print(f"{api_cpu:.2f} ms CPU/request")
        print(f"API / JSON throughput: {api_median / web_median:.0%} (target >= 90%)")
        print(f"API / JSON by CPU per request: {web_cpu / api_cpu:.0%}")
        print(
            "per round (JSON, API):",
            [(round(w), round(a)) for w, a in zip(web_rates, api_rates, strict=True)],
        )


if __name__ == "__main__":
    main()
