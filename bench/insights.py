"""What counting a page view costs (kiln/insights), against a request that counts nothing.

Run: .venv/bin/python bench/insights.py [--quick]
Prints µs per request for the insights middleware's work alone, in one run:
- baseline: a page that is not counted (a route insights ignores);
- a bot's view of a project page (the agent checks, then nothing stored);
- a counted view (salted hash + one upsert into the SQLite store, the embedded default);
- the same through Redis when REDIS_URL is set.
No database write happens in any of them: the worker's flush (also timed, once) does that.
"""

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiln.settings_test")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import RequestFactory, override_settings  # noqa: E402

from kiln.insights import counting, store  # noqa: E402

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def make_request(view_name: str, agent: str, i: int):
    request = RequestFactory().get(f"/@mira/projects/{i % 200}", HTTP_USER_AGENT=agent)
    request.user = AnonymousUser()
    request.shield_client_ip = f"10.0.{i % 250}.{i % 7}"
    request.resolver_match = SimpleNamespace(
        view_name=view_name, kwargs={"username": "mira", "project_id": i % 200}
    )
    return request


def per_call(view_name: str, agent: str, number: int) -> float:
    requests = [make_request(view_name, agent, i) for i in range(number)]
    response = HttpResponse("<html></html>")
    started = time.perf_counter()
    for request in requests:
        counting.view_record(request, response)
    return (time.perf_counter() - started) / number * 1e6


def main() -> None:
    number = 2000 if "--quick" in sys.argv else 20000
    tmp = tempfile.mkdtemp(prefix="kiln-insights-bench-")
    with override_settings(KILN_INSIGHTS_STORE=f"{tmp}/pending.sqlite3"):
        counting._salts.clear()
        print(f"{number} requests, 200 works, about 1,750 viewers")
        base = per_call("core:home", FIREFOX, number)
        print(f"not a counted page (baseline)    {base:8.1f} µs")
        bot = per_call("portfolio:project", GOOGLEBOT, number)
        print(f"a bot's view (not stored)        {bot:8.1f} µs")
        counted = per_call("portfolio:project", FIREFOX, number)
        print(f"counted view, SQLite store       {counted:8.1f} µs  (+{counted - base:.1f})")
        totals = store.view_store().totals([time.strftime("%Y-%m-%d")])
        print(f"  pending subjects in the store: {len(totals)}")
    shutil.rmtree(tmp, ignore_errors=True)
    if os.environ.get("REDIS_URL"):
        redis_caches = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": os.environ["REDIS_URL"],
            }
        }
        with override_settings(CACHES=redis_caches):
            from django.core.cache import caches

            caches._settings = None  # re-read CACHES
            counting._salts.clear()
            store._store_for.cache_clear()
            redis = per_call("portfolio:project", FIREFOX, number)
            print(f"counted view, Redis store        {redis:8.1f} µs  (+{redis - base:.1f})")
            store.view_store().clear()


if __name__ == "__main__":
    main()
