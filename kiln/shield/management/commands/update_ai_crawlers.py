"""Refresh the AI crawler list from the upstream ai.robots.txt project's robots.json."""

import json
import urllib.error
import urllib.request
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kiln.shield.crawlers import (
    SHIPPED_LIST,
    crawler_matcher_reset,
    format_crawler_list,
    parse_crawler_list,
    refreshed_list_path,
)

UPSTREAM_URL = "https://raw.githubusercontent.com/ai-robots-txt/ai.robots.txt/main/robots.json"
MAX_BYTES = 2 * 1024 * 1024


def parse_robots_json(raw: bytes) -> list[str]:
    """The agent names of an ai.robots.txt robots.json (an object keyed by agent name)."""
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise CommandError(f"robots.json is not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or not data:
        raise CommandError("robots.json should be an object keyed by agent name.")
    names = [name.strip() for name in data if isinstance(name, str) and name.strip()]
    bad = [n for n in names if len(n) > 80 or any(c in n for c in "\t\r\n#")]
    if bad:
        raise CommandError(f"robots.json has names Kiln cannot use as tokens: {bad[:5]}")
    return names


class Command(BaseCommand):
    help = (
        "Download the ai.robots.txt robots.json and refresh Kiln's AI crawler list "
        "(written to var/shield/ai_crawlers.txt; the shipped list always stays in force)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", default=UPSTREAM_URL)
        parser.add_argument("--from-file", help="Read a robots.json from disk instead.")
        parser.add_argument("--timeout", type=float, default=15.0)
        parser.add_argument(
            "--write-shipped",
            action="store_true",
            help="Regenerate kiln/shield/data/ai_crawlers.txt (for maintainers, then commit).",
        )

    def handle(self, *args, **options):
        source = options["from_file"] or options["url"]
        raw = self._read(source, options)
        names = parse_robots_json(raw)
        shipped = {e.token.lower() for e in parse_crawler_list(SHIPPED_LIST.read_text())}
        new = sorted(n for n in names if n.lower() not in shipped)
        header = (
            "Kiln's list of AI crawler user-agent tokens (see kiln/shield/crawlers.py).\n"
            f"Source: {source} ({len(names)} agents), fetched {timezone.now():%Y-%m-%d %H:%M} UTC."
        )
        target = SHIPPED_LIST if options["write_shipped"] else refreshed_list_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(format_crawler_list(names, header=header))
        crawler_matcher_reset()
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(names)} agents written to {target}; {len(new)} not in the shipped list"
                + (f": {', '.join(new[:20])}" if new else ".")
            )
        )
        self.stdout.write("Running processes pick the change up within a minute.")

    def _read(self, source: str, options) -> bytes:
        if options["from_file"]:
            try:
                return Path(source).read_bytes()[:MAX_BYTES]
            except OSError as exc:
                raise CommandError(f"Cannot read {source}: {exc}") from exc
        if not source.startswith(("https://", "http://")):
            raise CommandError("--url must be an http(s) address.")
        headers = {"User-Agent": "Kiln-update/1.0"}
        request = urllib.request.Request(source, headers=headers)  # noqa: S310 - scheme checked
        try:
            with urllib.request.urlopen(request, timeout=options["timeout"]) as response:  # noqa: S310
                return response.read(MAX_BYTES)
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise CommandError(
                f"Could not download {source} ({reason}). No network here? Nothing was changed: "
                f"Kiln keeps refusing the {self._shipped_count()} agents it ships with. "
                "Try again later, or pass --from-file with a robots.json you downloaded."
            ) from exc

    def _shipped_count(self) -> int:
        return len(parse_crawler_list(SHIPPED_LIST.read_text()))
