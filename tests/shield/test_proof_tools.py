"""Proof against the real tools: each test starts Kiln on a real port and runs the real client.

Each test prints what each layer stopped (run with -s to see the figures)."""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import requests

from kiln.shield.models import RefusalTally
from kiln.shield.previews import is_preview_path, link_preview_agent
from kiln.shield.refusals import refusal_tally_flush
from tests.shield.conftest import BROWSER_USER_AGENTS
from tests.shield.site import build_site

pytestmark = [pytest.mark.external, pytest.mark.django_db(transaction=True)]

VENV_BIN = Path(sys.executable).parent
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".avif", ".gif"}
API_PATH = "/api/registry/v1/openapi.json"  # the provenance registry API


def tallies() -> dict:
    refusal_tally_flush()
    return dict(RefusalTally.objects.values_list("reason", "count"))


@pytest.fixture
def site(make_user):
    return build_site(make_user, images=2, projects=2)


def test_img2dataset_downloads_nothing(make_user, live_server, tmp_path):
    site = build_site(make_user, images=6, projects=1)  # 6 images x 3 widths x 3 formats
    urls = [live_server.url + path for path in site.rendition_paths()]
    assert len(urls) >= 50
    url_list = tmp_path / "urls.txt"
    url_list.write_text("\n".join(urls[:50]) + "\n")
    out = tmp_path / "out"
    result = subprocess.run(
        [
            str(VENV_BIN / "img2dataset"),
            "--url_list",
            str(url_list),
            "--output_folder",
            str(out),
            "--processes_count",
            "1",
            "--thread_count",
            "4",
            "--output_format",
            "files",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_ALBUMENTATIONS_UPDATE": "1"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    stats = json.loads(next(out.glob("*_stats.json")).read_text())
    saved = [p for p in out.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES]
    print(
        f"\n[img2dataset] count={stats['count']} successes={stats['successes']} "
        f"failed_to_download={stats['failed_to_download']} status={stats['status_dict']}"
    )
    assert stats["count"] == 50
    assert stats["successes"] == 0 and saved == []
    assert stats["failed_to_download"] == 50
    assert stats["status_dict"] == {"Use of image disallowed by X-Robots-Tag directive": 50}


SPIDER = """
import json, sys
from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule


class KilnSpider(CrawlSpider):
    name = "kiln"
    start_urls = [sys.argv[1]]
    rules = [Rule(LinkExtractor(), callback="parse_item", follow=True)]

    def parse_start_url(self, response):
        return self.parse_item(response)

    def parse_item(self, response):
        yield {
            "url": response.url,
            "image_urls": [response.urljoin(u) for u in response.css("img::attr(src)").getall()],
        }


process = CrawlerProcess({
    "ROBOTSTXT_OBEY": True,
    "ITEM_PIPELINES": {"scrapy.pipelines.images.ImagesPipeline": 1},
    "IMAGES_STORE": sys.argv[2] + "/images",
    "FEEDS": {sys.argv[2] + "/items.jsonl": {"format": "jsonlines"}},
    "LOG_LEVEL": "INFO",
    "DEPTH_LIMIT": 3,
})
crawler = process.create_crawler(KilnSpider)
process.crawl(crawler)
process.start()
stats = {k: (v if isinstance(v, (int, float, str)) else str(v)) for k, v in crawler.stats.get_stats().items()}
open(sys.argv[2] + "/stats.json", "w").write(json.dumps(stats))
"""


def run_scrapy(start_url: str, out: Path, extra_settings: str = "") -> tuple[dict, list, list]:
    out.mkdir()
    script = out / "spider.py"
    script.write_text(SPIDER.replace('"DEPTH_LIMIT": 3,', '"DEPTH_LIMIT": 3,' + extra_settings))
    result = subprocess.run(
        [sys.executable, str(script), start_url, str(out)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    stats = json.loads((out / "stats.json").read_text())
    items_file = out / "items.jsonl"
    items = (
        [json.loads(line) for line in items_file.read_text().splitlines()]
        if items_file.exists()
        else []
    )
    images = (
        [p for p in (out / "images").rglob("*") if p.is_file()] if (out / "images").exists() else []
    )
    return stats, items, images


def test_scrapy_crawl_spider_collects_nothing(site, live_server, tmp_path):
    before = tallies().get(RefusalTally.Reason.AI_CRAWLER, 0)
    stats, items, images = run_scrapy(live_server.url + "/", tmp_path / "scrapy")
    project_items = [i for i in items if "/projects/" in i["url"]]
    refused = tallies().get(RefusalTally.Reason.AI_CRAWLER, 0) - before
    print(
        f"\n[scrapy] items={len(items)} project_pages={len(project_items)} images={len(images)} "
        f"robotstxt_forbidden={stats.get('robotstxt/forbidden', 0)} "
        f"responses={ {k: v for k, v in stats.items() if k.startswith('downloader/response_status_count')} } "
        f"shield_403s={refused}"
    )
    assert images == [] and project_items == []
    assert items == []
    # Stopped by robots.txt (Scrapy obeys it), and by the UA refusal for anything it tries anyway.
    assert stats.get("robotstxt/forbidden", 0) >= 1


def test_scrapy_ignoring_robots_is_refused_by_user_agent(site, live_server, tmp_path):
    before = tallies().get(RefusalTally.Reason.AI_CRAWLER, 0)
    stats, items, images = run_scrapy(
        live_server.url + "/", tmp_path / "scrapy", '"ROBOTSTXT_OBEY": False,'
    )
    refused = tallies().get(RefusalTally.Reason.AI_CRAWLER, 0) - before
    print(f"\n[scrapy, robots off] items={len(items)} images={len(images)} shield_403s={refused}")
    assert items == [] and images == []
    assert refused >= 1 and stats.get("downloader/response_status_count/403", 0) >= 1


def test_disguised_scrapy_is_caught_by_the_honeypot(site, live_server, tmp_path):
    """A scraper with a browser UA that ignores robots.txt follows the hidden link first."""
    disguise = f'"ROBOTSTXT_OBEY": False, "USER_AGENT": {BROWSER_USER_AGENTS[0]!r},'
    stats, items, images = run_scrapy(live_server.url + "/", tmp_path / "scrapy", disguise)
    counts = tallies()
    print(
        f"\n[scrapy, disguised] pages={len(items)} images_saved={len(images)} "
        f"image_urls_seen={len({u for i in items for u in i['image_urls']})} "
        f"honeypot_hits={counts.get('honeypot_hit', 0)} "
        f"images_refused_after_ban={counts.get('honeypot_banned', 0)}"
    )
    assert counts.get("honeypot_hit", 0) >= 1
    assert counts.get("honeypot_banned", 0) >= 1
    # Scrapy (LIFO) follows the trap, the last link on the first page, before anything else; only
    # images on that first page could be fetched before it (none today).
    first_page_images = {
        u for i in items if i["url"] == live_server.url + "/" for u in i["image_urls"]
    }
    assert len(images) <= len(first_page_images)


def test_wget_recursive_saves_no_images(site, live_server, tmp_path):
    result = subprocess.run(
        ["wget", "-r", "-l", "3", "-P", str(tmp_path / "wget"), "-nv", live_server.url + "/"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    saved = [p for p in (tmp_path / "wget").rglob("*") if p.is_file()]
    images = [p for p in saved if p.suffix.lower() in IMAGE_SUFFIXES]
    print(
        f"\n[wget -r -l 3] exit={result.returncode} files_saved={len(saved)} "
        f"({sorted(p.name for p in saved)}) images={len(images)}"
    )
    assert images == []
    assert {p.name for p in saved} <= {"index.html", "robots.txt"}


def test_requests_every_ai_agent_gets_403_everywhere(site, live_server, ai_agents):
    paths = [
        "/",
        site.profile_path,
        site.project_paths[0] if site.project_paths else site.profile_path,
        site.rendition_paths()[0],
        API_PATH,
    ]
    browser = requests.Session()
    browser.headers["User-Agent"] = BROWSER_USER_AGENTS[0]
    for path in paths:
        assert browser.get(live_server.url + path, timeout=10).status_code == 200, path
    statuses: Counter = Counter()
    not_refused = []
    with requests.Session() as session:
        for agent in ai_agents:
            for path in paths:
                if link_preview_agent(agent) and is_preview_path(path):
                    continue  # a shared page's card: tests/site/test_link_previews.py
                response = session.get(
                    live_server.url + path, headers={"User-Agent": agent}, timeout=10
                )
                statuses[response.status_code] += 1
                if response.status_code != 403 or "refuses AI crawlers" not in response.text:
                    not_refused.append((agent, path, response.status_code))
    print(f"\n[requests] agents={len(ai_agents)} paths={len(paths)} statuses={dict(statuses)}")
    assert not_refused == []
    assert set(statuses) == {403}


def test_bulk_download_loop_gets_429_at_the_configured_rate(site, live_server, settings):
    settings.KILN_RATE_RENDITIONS = 40
    urls = [live_server.url + p for p in site.rendition_paths()]
    statuses = []
    retry_after = None
    with requests.Session() as session:
        session.headers["User-Agent"] = BROWSER_USER_AGENTS[1]
        for i in range(60):
            response = session.get(urls[i % len(urls)], timeout=10)
            statuses.append(response.status_code)
            if response.status_code == 429 and retry_after is None:
                retry_after = int(response.headers["Retry-After"])
    first_429 = statuses.index(429) if 429 in statuses else None
    print(
        f"\n[bulk loop] limit=40/min first_429_at={first_429 + 1 if first_429 is not None else None} "
        f"counts={dict(Counter(statuses))} retry_after={retry_after}s"
    )
    # A minute boundary in the middle resets the fixed window, so allow one extra window.
    assert statuses[:40].count(200) >= 40 or first_429 is not None
    assert first_429 is not None and 40 <= first_429 <= 80
    assert retry_after is not None and 1 <= retry_after <= 60
    assert set(statuses) <= {200, 429}
