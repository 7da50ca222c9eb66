"""How long the shield's user-agent check and the whole middleware take per request.

Run: .venv/bin/python bench/shield_ua.py   (prints µs per call; no network, no database)
"""

import os
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiln.settings_test")

import django  # noqa: E402

django.setup()

from django.http import HttpResponse  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from kiln.shield.crawlers import CrawlerMatcher, load_entries  # noqa: E402
from kiln.shield.middleware import ShieldMiddleware  # noqa: E402

AGENTS = {
    "chrome desktop": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "safari iphone": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) "
    "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "googlebot": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "gptbot": "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.1; "
    "+https://openai.com/gptbot)",
    "ccbot": "CCBot/2.0 (https://commoncrawl.org/faq/)",
    "8 KiB junk": "a " * 4096,
}


def main() -> None:
    matcher = CrawlerMatcher(load_entries(include_database=False))
    print(f"tokens: {len(matcher.entries)}")
    for label, ua in AGENTS.items():
        number = 200 if len(ua) > 1000 else 20000
        seconds = timeit.timeit(lambda ua=ua: matcher.match(ua), number=number) / number
        print(f"match  {label:15s} {seconds * 1e6:8.2f} µs  -> {matcher.match(ua)}")
    factory = RequestFactory()
    middleware = ShieldMiddleware(lambda request: HttpResponse("ok"))
    for label in ("chrome desktop", "gptbot"):
        request = factory.get("/static/kiln.css", HTTP_USER_AGENT=AGENTS[label])
        number = 5000
        seconds = timeit.timeit(lambda request=request: middleware(request), number=number) / number
        print(f"middleware (static path) {label:15s} {seconds * 1e6:8.2f} µs")


if __name__ == "__main__":
    main()
