"""Fault drills against the running topology, during the surge's hold (bench/surge.py --drills)
or on their own (`python bench/surge_drills.py [var-dir [name-words...]]` with
`deploy/local.sh up` running).

A probe thread asks for an uncached page and a signed-in JSON timeline every 50 ms and counts
what fails in each drill's window:

1. kill -9 one web node (its gunicorn master and workers); restarted after 10 s;
2. kill -9 the default,low worker; restarted after 5 s (renders and fan-outs it held are
   picked up again: surge.py's upload and backlog tables say whether any were lost);
3. Redis killed and restarted after 3 s;
4. the read replica stopped for 15 s (reads must fall back to the primary);
5. the S3 store refuses writes for 30 s (the topology's S3 gate answers 503 SlowDown, as S3
   does when it throttles): uploads must be refused clearly (503 with Retry-After) or stored,
   and renders retried afterwards;
6. the S3 store (moto) frozen for 30 s (SIGSTOP, so it keeps its in-memory objects): uploads
   and uncached renditions wait or fail meanwhile; surge.py's upload table shows the outcome.

An upload probe sends a 1 MP JPEG every 2 s throughout and counts its answers per drill. At the
end, every asset's original and every rendition row is checked against the bucket's listing:
no row may name a file that is not there.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deploy import topology  # noqa: E402


class Probe(threading.Thread):
    def __init__(self, port: int, session: str):
        super().__init__(daemon=True)
        self.port, self.session = port, session
        self.log: list[tuple[float, str, int]] = []
        self.stopped = threading.Event()

    def one(self, path: str, headers: dict) -> int:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            conn.request("GET", path, headers=headers)
            status = conn.getresponse().status
            conn.close()
            return status
        except OSError:
            return 0

    def run(self):
        while not self.stopped.is_set():
            now = time.time()
            self.log.append((now, "page", self.one("/discover", {"Cookie": "probe=1"})))
            cookie = {"Cookie": f"sessionid={self.session}"}
            self.log.append((now, "json", self.one("/?format=json", cookie)))
            self.stopped.wait(0.05)

    def window(self, start: float, end: float) -> str:
        seen = [status for at, _, status in self.log if start <= at <= end]
        bad = [s for s in seen if s == 0 or s >= 500]
        return f"{len(bad)} of {len(seen)} probe requests failed ({sorted(set(bad))})"


class UploadProbe(Probe):
    """A signed-in upload every 2 s: 201 (stored), 503 (refused clearly), anything else."""

    def __init__(self, port: int, session: str):
        super().__init__(port, session)
        import io

        from PIL import Image

        out = io.BytesIO()
        Image.effect_noise((1200, 900), 60).convert("RGB").save(out, "JPEG", quality=85)
        boundary = "kilnsurgedrill"
        self.body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="d.jpg"'
                "\r\nContent-Type: image/jpeg\r\n\r\n"
            ).encode()
            + out.getvalue()
            + f"\r\n--{boundary}--\r\n".encode()
        )
        token = "a" * 32
        self.headers = {
            "Cookie": f"sessionid={session}; csrftoken={token}",
            "X-CSRFToken": token,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        }

    def run(self):
        while not self.stopped.is_set():
            now = time.time()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                conn.request("POST", "/media/upload", body=self.body, headers=self.headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                conn.close()
            except OSError:
                status = 0
            self.log.append((now, "upload", status))
            self.stopped.wait(2)

    def window(self, start: float, end: float) -> str:
        seen = [status for at, _, status in self.log if start <= at <= end]
        counts = {s: seen.count(s) for s in sorted(set(seen))}
        return f"uploads {counts}"


def rows_without_files(env: dict) -> tuple[int, list[str]]:
    """(rows checked, keys that rows name but the bucket lacks)."""
    import boto3
    import psycopg

    s3 = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{topology.ports()['moto']}",
        region_name="us-east-1",
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    # Rows first, then the listing: a file is stored before its row commits, so every row
    # read here must find its file in a later listing. (Listing first raced with uploads
    # still under way: a row committed after the listing named a file it had not seen.)
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
        originals = conn.execute("SELECT original_key, master_key FROM media_mediaasset")
        named = [f"private/{key}" for row in originals for key in row if key]
        named += [f"public/{key}" for (key,) in conn.execute("SELECT key FROM media_rendition")]
    present = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=topology.BUCKET):
        present.update(item["Key"] for item in page.get("Contents", []))
    return len(named), [key for key in named if key not in present]


def main() -> int:
    var = Path(
        sys.argv[1] if len(sys.argv) > 1 else os.environ.get("KILN_VAR_DIR", "/tmp/kiln-topology")
    )
    os.environ["KILN_VAR_DIR"] = str(var)
    state = json.loads((var / "topology.json").read_text())
    topo = topology.Topology(small=False)
    topo.procs = state["procs"]
    sessions = [line.split()[0] for line in (var / "surge-sessions.txt").read_text().splitlines()]
    probe = Probe(topology.ports()["nginx"], sessions[0])
    probe.start()
    uploads = UploadProbe(topology.ports()["nginx"], sessions[1])
    uploads.start()
    results = []

    only = sys.argv[2:]  # e.g. "replica": run only the drills whose name contains one of these

    def drill(name, kill, restart, down_seconds, settle=10):
        if only and not any(word in name for word in only):
            return
        time.sleep(5)
        start = time.time()
        kill()
        time.sleep(down_seconds)
        back = time.time()
        restart()
        time.sleep(settle)
        after = time.time()
        results.append(
            (
                name,
                f"{probe.window(start, back)}; {uploads.window(start, back)}",
                f"{probe.window(back, after)}; {uploads.window(back, after)}",
            )
        )
        print(
            f"DRILL {name}: while down {results[-1][1]}; after restart {results[-1][2]}", flush=True
        )

    def killer(name, sig=signal.SIGKILL):
        return lambda: os.killpg(topo.procs[name], sig)

    drill("kill -9 web node 2", killer("web2"), lambda: topo.start_web("web2"), 10)
    drill(
        "kill -9 worker default,low",
        killer("worker-default"),
        lambda: topo.start_worker("worker-default", "default,low"),
        5,
    )
    drill("Redis killed, restarted", killer("redis"), topo.start_redis, 3)
    drill(
        "read replica stopped",
        killer("pg-replica", signal.SIGINT),
        lambda: topo.start_cluster("pg-replica", var / "pg-replica", topology.ports()["replica"]),
        15,
    )
    refuse_flag = var / topology.S3_REFUSE_FLAG
    drill(
        "S3 refuses writes 30 s",
        refuse_flag.touch,
        lambda: refuse_flag.unlink(missing_ok=True),
        30,
        settle=15,
    )
    # SIGSTOP: the store stops answering (connections hang) but keeps its in-memory objects.
    drill(
        "S3 store frozen 30 s", killer("moto", signal.SIGSTOP), killer("moto", signal.SIGCONT), 30
    )
    probe.stopped.set()
    uploads.stopped.set()
    print(
        "\n== Fault drills (probes: an uncached page and a signed-in JSON timeline every 50 ms, "
        "an upload every 2 s) =="
    )
    for name, down, after in results:
        print(f"{name:28} down: {down}\n{'':28} after: {after}")
    checked, missing = rows_without_files(topo.django_env())
    print(
        f"asset rows checked against the bucket: {checked}; naming a missing file: {len(missing)}"
    )
    for key in missing[:10]:
        print(f"  MISSING {key}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
