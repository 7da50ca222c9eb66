"""What a refused AI crawler costs against a page, in CPU (issue 24's target: a tenth of a page
at most). Run against the running topology (deploy/local.sh up):

    .venv/bin/python bench/surge_refusal_cost.py [pages]

One request at a time, each on a new connection, reading the CPU seconds of each component's
processes from /proc before and after each batch:
- page: anonymous Discover pages asked of web node 1 directly (no micro-cache), its CPU;
- Django's refusal: the same page asked for by GPTBot, straight to web node 1 (what a crawler
  cost before nginx refused it, and still costs for a token nginx's copy of the list lacks);
- nginx's refusal: GPTBot through nginx, nginx's CPU (and web node 1's, which must stay 0).
nginx's refusals are cheap enough that /proc's 10 ms ticks need many of them: 10x the pages.
"""

import http.client
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.surge import proc_stats  # noqa: E402
from deploy import topology  # noqa: E402

BOT = "Mozilla/5.0 (compatible; GPTBot/1.1; +https://openai.com/gptbot)"


def batch(port: int, count: int, headers: dict, components: list[str]) -> tuple[dict, set]:
    procs = json.loads((topology.var_dir() / "topology.json").read_text())["procs"]
    groups = {name: procs[name] for name in components}
    before = proc_stats(groups)
    statuses = set()
    for _ in range(count):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/discover", headers=headers)
        response = conn.getresponse()
        response.read()
        statuses.add(response.status)
        conn.close()
    after = proc_stats(groups)
    return {name: (after[name][0] - before[name][0]) / count for name in groups}, statuses


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    os.environ.setdefault("KILN_VAR_DIR", "/tmp/kiln-topology")
    ports = topology.ports()
    host = {"Host": f"127.0.0.1:{ports['nginx']}"}
    batch(ports["web1"], 20, host, ["web1"])  # warm
    page, page_status = batch(ports["web1"], count, host, ["web1"])
    django, django_status = batch(ports["web1"], count, {**host, "User-Agent": BOT}, ["web1"])
    ngx, ngx_status = batch(
        ports["nginx"], count * 10, {**host, "User-Agent": BOT}, ["nginx", "web1"]
    )
    page_cpu = page["web1"]
    print(f"page (Discover, anonymous, web node): {page_cpu * 1000:7.3f} ms CPU, {page_status}")
    print(
        f"refused by Django (web node):          {django['web1'] * 1000:7.3f} ms CPU, "
        f"{django_status}: {django['web1'] / page_cpu:.1%} of a page"
    )
    print(
        f"refused by nginx (nginx):              {ngx['nginx'] * 1000:7.3f} ms CPU, "
        f"{ngx_status}: {ngx['nginx'] / page_cpu:.1%} of a page (target: at most 10%); "
        f"web node meanwhile {ngx['web1'] * 1000:.3f} ms each"
    )
    print("(CPU on a shared machine: the ratios hold, the absolute figures are under load)")
    return 0 if ngx["nginx"] <= page_cpu / 10 else 1


if __name__ == "__main__":
    sys.exit(main())
