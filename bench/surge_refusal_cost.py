"""What a refused AI crawler costs against a page, in web-node CPU (issue 24.2's target: a
tenth of a page at most). Run against the running topology (deploy/local.sh up):

    .venv/bin/python bench/surge_refusal_cost.py [requests]

Sends the same number of requests, one at a time, straight to web node 1 (no nginx cache):
anonymous Discover pages, then the same page asked for by GPTBot (refused with a 403), and
reads the node's CPU seconds (all its processes) from /proc before and after each batch.
"""

import http.client
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.surge import proc_stats  # noqa: E402
from deploy import topology  # noqa: E402


def batch(port: int, count: int, headers: dict) -> tuple[float, set]:
    pgid = json.loads((topology.var_dir() / "topology.json").read_text())["procs"]["web1"]
    before = proc_stats({"web1": pgid})["web1"][0]
    statuses = set()
    for _ in range(count):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/discover", headers=headers)
        response = conn.getresponse()
        response.read()
        statuses.add(response.status)
        conn.close()
    return (proc_stats({"web1": pgid})["web1"][0] - before) / count, statuses


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    os.environ.setdefault("KILN_VAR_DIR", "/tmp/kiln-topology")
    port = topology.ports()["web1"]
    batch(port, 20, {"Host": "127.0.0.1"})  # warm
    page, page_status = batch(port, count, {"Host": "127.0.0.1"})
    bot, bot_status = batch(port, count, {"Host": "127.0.0.1", "User-Agent": "GPTBot/1.1"})
    print(f"page (Discover, anonymous): {page * 1000:.2f} ms CPU each, statuses {page_status}")
    print(f"AI crawler refused:         {bot * 1000:.2f} ms CPU each, statuses {bot_status}")
    print(f"a refusal costs {bot / page:.1%} of a page (target: at most 10%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
