"""Counters and bans hold in every worker of a real gunicorn (issue 16.1, 16.2), on the embedded
default: no Redis, so they live in the shield's SQLite store rather than one worker's memory.

Run with -s to see the figures."""

import json
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.shield.gunicorn_site import gunicorn_site

pytestmark = pytest.mark.external

BUDGET = 30  # images a minute for this server (the default is 300)
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with gunicorn_site(
        tmp_path_factory.mktemp("gunicorn"), images=6, projects=3, KILN_RATE_RENDITIONS=BUDGET
    ) as site:
        yield site


def fetch_all(url_list: list[str], headers: dict) -> list[requests.Response]:
    """Eight at a time, each on its own connection, so both sync workers answer."""
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda url: requests.get(url, headers=headers, timeout=30), url_list))


def test_a_honeypot_ban_holds_in_every_worker(served):
    scraper = {"User-Agent": CHROME, "X-Forwarded-For": "198.51.100.10"}
    images = [served.url + path for path in served.renditions[:8]]  # 8 + 16 + 4: under the budget
    assert {r.status_code for r in fetch_all(images, scraper)} == {200}
    trap = requests.get(served.url + "/archive/originals/", headers=scraper, timeout=30)
    assert trap.status_code == 403
    before = len(served.log_lines())
    refused = fetch_all(images * 2, scraper)
    assert [r.status_code for r in refused] == [403] * 16
    time.sleep(0.5)  # the access log line is written just after the response
    workers = {pid for pid, _, _, path in served.log_lines()[before:] if path.startswith("/media/")}
    print(f"\n[gunicorn] 16 images after the ban, answered by workers {sorted(workers)}: all 403")
    assert len(workers) == 2
    # Another browser behind the same address keeps its images.
    person = {"User-Agent": FIREFOX, "X-Forwarded-For": "198.51.100.10"}
    assert {r.status_code for r in fetch_all(images[:4], person)} == {200}


SPIDER = """
import json, sys
from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule


class BulkSpider(CrawlSpider):
    name = "bulk"
    start_urls = [sys.argv[1]]
    # Like `wget -r -X /archive`: it skips the honeypot, so only the rate limit can stop it.
    rules = [Rule(LinkExtractor(deny=[r"/archive/"]), callback="parse_item", follow=True)]

    def parse_start_url(self, response):
        return self.parse_item(response)

    def parse_item(self, response):
        urls = response.css("img::attr(src)").getall()
        for srcset in response.css("img::attr(srcset), source::attr(srcset)").getall():
            urls += [part.strip().split(" ")[0] for part in srcset.split(",") if part.strip()]
        yield {"url": response.url, "image_urls": [response.urljoin(u) for u in urls]}


process = CrawlerProcess({
    "ROBOTSTXT_OBEY": False,
    "USER_AGENT": sys.argv[3],
    "DEFAULT_REQUEST_HEADERS": {"X-Forwarded-For": "198.51.100.20"},
    "CONCURRENT_REQUESTS": 8,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "ITEM_PIPELINES": {"scrapy.pipelines.images.ImagesPipeline": 1},
    "IMAGES_STORE": sys.argv[2] + "/images",
    "LOG_LEVEL": "WARNING",
    "DEPTH_LIMIT": 3,
})
crawler = process.create_crawler(BulkSpider)
process.crawl(crawler)
process.start()
stats = {k: (v if isinstance(v, (int, float, str)) else str(v))
         for k, v in crawler.stats.get_stats().items()}
open(sys.argv[2] + "/stats.json", "w").write(json.dumps(stats))
"""


def test_scrapy_gets_at_most_the_budget_then_429_with_retry_after(served, tmp_path):
    script = tmp_path / "spider.py"
    script.write_text(SPIDER)
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(script), served.url + served.profile, str(tmp_path), CHROME],
        capture_output=True,
        text=True,
        timeout=240,
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr[-3000:]
    stats = json.loads((tmp_path / "stats.json").read_text())
    saved = [p for p in Path(tmp_path / "images").rglob("*") if p.is_file()]
    time.sleep(0.5)
    by_worker = served.statuses_by_worker("/media/", client="198.51.100.20")
    images = sum(by_worker.values(), Counter())
    print(
        f"\n[scrapy, 8 concurrent, browser UA, robots.txt ignored] {elapsed:.1f} s: "
        f"{len(served.renditions)} renditions linked, images {dict(images)} "
        f"by worker { {pid: dict(c) for pid, c in by_worker.items()} }, saved {len(saved)}, "
        f"items {stats.get('item_scraped_count')}"
    )
    assert elapsed < 60  # one window: the budget did not refill under it
    assert len(served.renditions) > BUDGET
    assert images[200] <= BUDGET and len(saved) <= BUDGET
    assert images[429] > 0 and len(by_worker) == 2
    refused = requests.get(
        served.url + served.renditions[0],
        headers={"User-Agent": CHROME, "X-Forwarded-For": "198.51.100.20"},
        timeout=30,
    )
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 120
