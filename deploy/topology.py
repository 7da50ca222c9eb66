"""Kiln's production topology on one machine: `deploy/local.sh up [--small]`, `down`, `status`.

Full form: nginx in front of two gunicorn web nodes, a PostgreSQL primary of its own (initdb)
with a streaming read replica made by pg_basebackup, Redis, moto as the S3 store, and three
background workers (two for default,low; one for cloak), each running the sweepers. Small form
(`--small`, the test in tests/deploy/): one web node, no replica, no workers, PostgreSQL from
DATABASE_URL (or the server at 127.0.0.1:5432, with a database of its own).

Every process is started in its own session and recorded in <var>/topology.json, so `down`
ends exactly those process groups. Ports come from KILN_TOPO_PORT_BASE (default 8110): +0
nginx, +1 and +2 web nodes, +3 moto, +4 the streaming API, +6 Redis, +7 the primary, +8 the
test mailbox (full form: an SMTP sink, bench/surge_mailbox.py), +9 the S3 gate (nginx in
front of moto: Kiln writes through it, and the drills make it refuse writes); the replica on
KILN_TOPO_REPLICA_PORT (default 5433).
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"
BUCKET = "kiln-media"
ACCEL_PREFIX = "/_kiln_media/"
S3_REFUSE_FLAG = "s3-refuse-writes"
# Two processes for renders and fan-out: one process left a core idle once the load ended, and
# the backlog took 104 s to drain (docs/scaling.md). The cloak's own process loads torch.
WORKERS = {
    "worker-default": "default,low",
    "worker-default-2": "default,low",
    "worker-cloak": "cloak",
}


def var_dir() -> Path:
    return Path(os.environ.get("KILN_VAR_DIR", "/tmp/kiln-topology"))


def ports() -> dict[str, int]:
    base = int(os.environ.get("KILN_TOPO_PORT_BASE", "8110"))
    return {
        "nginx": base,
        "web1": base + 1,
        "web2": base + 2,
        "moto": base + 3,
        "redis": base + 6,
        "mail": base + 8,
        "s3gate": base + 9,
        "primary": base + 7,
        "streaming": base + 4,
        "replica": int(os.environ.get("KILN_TOPO_REPLICA_PORT", "5433")),
    }


def wait_port(port: int, timeout: float, what: str, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited (code {proc.returncode}); see its log")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on port {port} within {timeout:.0f} s")


class Topology:
    def __init__(self, *, small: bool):
        self.small = small
        self.var = var_dir()
        self.ports = ports()
        self.state_file = self.var / "topology.json"
        self.procs: dict[str, int] = {}
        self.pg_clusters: list[str] = []

    # --- process bookkeeping -------------------------------------------------------------
    def spawn(self, name: str, argv: list[str], env: dict | None = None, **kw) -> subprocess.Popen:
        log = open(self.var / "logs" / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it
        proc = subprocess.Popen(
            argv, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True, **kw
        )
        self.procs[name] = proc.pid
        self.save()
        return proc

    def save(self) -> None:
        state = {"procs": self.procs, "pg_clusters": self.pg_clusters, "small": self.small}
        self.state_file.write_text(json.dumps(state))

    # --- components ----------------------------------------------------------------------
    def django_env(self) -> dict:
        p = self.ports
        env = dict(os.environ)
        site = f"http://127.0.0.1:{p['nginx']}"
        env.update(
            KILN_VAR_DIR=str(self.var),
            DJANGO_SETTINGS_MODULE="kiln.settings",
            DEBUG="0",
            SECRET_KEY=os.environ.get("SECRET_KEY", "kiln-topology-local-only-" + "x" * 40),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            KILN_LOCAL_HTTP="1",  # local: plain HTTP; real machines terminate TLS in nginx
            KILN_SITE_URL=site,
            KILN_TRUSTED_PROXIES="127.0.0.1",
            REDIS_URL=f"redis://127.0.0.1:{p['redis']}/0",
            KILN_S3_BUCKET=BUCKET,
            KILN_S3_ENDPOINT_URL=f"http://127.0.0.1:{p['s3gate']}",
            KILN_S3_REGION="us-east-1",
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            KILN_MEDIA_ACCEL_PREFIX=ACCEL_PREFIX,
            DATABASE_URL=self.database_url(),
            WEB_CONCURRENCY=os.environ.get("WEB_CONCURRENCY", "2" if self.small else "3"),
        )
        if not self.small:
            # Real mail through Django's SMTP backend, to the test mailbox (the surge reads it).
            env.update(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(p["mail"]), EMAIL_USE_TLS="0")
            env["KILN_DB_REPLICA_URL"] = f"postgres://postgres@127.0.0.1:{p['replica']}/kiln"
        else:
            env.pop("KILN_DB_REPLICA_URL", None)
        return env

    def database_url(self) -> str:
        if self.small:
            return os.environ.get("KILN_TOPO_DATABASE_URL") or os.environ.get(
                "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/topology"
            )
        return f"postgres://postgres@127.0.0.1:{self.ports['primary']}/kiln"

    def start_redis(self) -> None:
        argv = ["redis-server", "--port", str(self.ports["redis"]), "--bind", "127.0.0.1"]
        argv += ["--save", "", "--appendonly", "no", "--dir", str(self.var)]
        wait_port(self.ports["redis"], 10, "redis", self.spawn("redis", argv))

    def start_moto(self) -> None:
        port = self.ports["moto"]
        proc = self.spawn("moto", [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)])
        wait_port(port, 30, "moto", proc)
        import boto3

        s3 = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        s3.create_bucket(Bucket=BUCKET)
        # Versioning: an overwritten or deleted object can be brought back (docs/deploy.md).
        # nginx reads renditions (public/) anonymously; originals (private/) stay private. On
        # real S3 the condition limits it to nginx's addresses (moto does not check it).
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "NginxReadsRenditions",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{BUCKET}/public/*",
                    "Condition": {"IpAddress": {"aws:SourceIp": ["127.0.0.1/32"]}},
                }
            ],
        }
        s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(policy))
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})

    def start_mailbox(self) -> None:
        argv = [PY, str(ROOT / "bench" / "surge_mailbox.py"), str(self.var / "mailbox")]
        argv.append(str(self.ports["mail"]))
        wait_port(self.ports["mail"], 20, "mailbox", self.spawn("mailbox", argv))

    def ensure_database(self) -> None:
        import psycopg

        url = self.database_url()
        base, _, name = url.rpartition("/")
        try:
            with psycopg.connect(base + "/postgres", autocommit=True, connect_timeout=3) as conn:
                if not conn.execute(
                    "SELECT 1 FROM pg_database WHERE datname=%s", [name]
                ).fetchone():
                    conn.execute(f'CREATE DATABASE "{name}"')
        except psycopg.OperationalError as exc:
            raise SystemExit(f"PostgreSQL is not reachable at {base}: {exc}") from exc

    def run_as_postgres(self, argv: list[str], **kw) -> list[str]:
        return (["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []) + argv

    def pg_bin(self, name: str) -> str:
        found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
        return str(found[-1]) if found else name

    def start_postgres_pair(self) -> None:
        """A primary of our own and a streaming replica of it (pg_basebackup -R)."""
        p = self.ports
        primary, replica = self.var / "pg-primary", self.var / "pg-replica"
        # Always fresh: moto keeps its objects in memory, so kept rows would point at nothing.
        for path in (primary, replica):
            shutil.rmtree(path, ignore_errors=True)
        self.var.chmod(0o755)
        for path in (primary, replica):
            path.mkdir(parents=True, mode=0o700)
            if os.geteuid() == 0:
                shutil.chown(path, "postgres", "postgres")
        subprocess.run(
            self.run_as_postgres(
                [self.pg_bin("initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        conf = (
            f"port = {p['primary']}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{primary}'\nwal_level = replica\nmax_wal_senders = 4\n"
            "shared_buffers = 256MB\nsynchronous_commit = off\nmax_connections = 200\n"
        )
        with open(primary / "postgresql.conf", "a") as f:
            f.write(conf)
        with open(primary / "pg_hba.conf", "a") as f:
            f.write("host replication postgres 127.0.0.1/32 trust\n")
        self.start_cluster("pg-primary", primary, p["primary"])
        subprocess.run(
            self.run_as_postgres(
                [self.pg_bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(p["primary"])]
                + ["-U", "postgres", "-D", str(replica), "-R", "-X", "stream", "-c", "fast"]
                + ["-C", "-S", "kiln_topology_replica"]
            ),
            check=True,
        )
        with open(replica / "postgresql.conf", "a") as f:
            f.write(f"port = {p['replica']}\nunix_socket_directories = '{replica}'\n")
            f.write("hot_standby = on\nhot_standby_feedback = on\n")
        self.start_cluster("pg-replica", replica, p["replica"])

    def start_cluster(self, name: str, data: Path, port: int, create: bool = True) -> None:
        argv = self.run_as_postgres([self.pg_bin("postgres"), "-D", str(data)])
        wait_port(port, 30, name, self.spawn(name, argv))
        if name == "pg-primary" and create:
            subprocess.run(
                ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-qc"]
                + ["CREATE DATABASE kiln"],
                check=True,
            )

    def manage(self, *args: str) -> None:
        subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=self.django_env(), check=True)

    def start_web(self, name: str) -> None:
        port = self.ports[name]
        argv = [str(BIN / "gunicorn"), "-c", "python:kiln.gunicorn_conf", "kiln.wsgi:application"]
        argv += ["-b", f"127.0.0.1:{port}", "--preload"]
        wait_port(port, 60, name, self.spawn(name, argv, env=self.django_env(), cwd=ROOT))

    def start_streaming(self) -> None:
        """The streaming API's own ASGI process (kiln/api/streaming.py), behind nginx."""
        port = self.ports["streaming"]
        argv = [str(BIN / "uvicorn"), "kiln.streaming:application", "--ws", "wsproto"]
        argv += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
        wait_port(
            port, 60, "streaming", self.spawn("streaming", argv, env=self.django_env(), cwd=ROOT)
        )

    def start_worker(self, name: str, queues: str) -> None:
        argv = [PY, "manage.py", "db_worker", "--queue-name", queues]
        self.spawn(name, argv, env=self.django_env(), cwd=ROOT)

    def start_workers(self) -> None:
        for name, queues in WORKERS.items():
            self.start_worker(name, queues)

    def render_nginx(self) -> Path:
        p = self.ports
        nodes = ["web1"] if self.small else ["web1", "web2"]
        servers = "\n".join(
            f"    server 127.0.0.1:{p[n]} max_fails=1 fail_timeout=5s;" for n in nodes
        )
        moto = f"http://127.0.0.1:{p['moto']}"
        media = (
            # Only the object's key goes to the bucket: never the client's cookies or headers.
            f"        proxy_pass {moto}/{BUCKET}/public/$kiln_key;\n"
            "        proxy_pass_request_headers off;\n"
            "        proxy_cache kiln_media;\n"
            "        proxy_cache_key $kiln_key;\n"
            "        proxy_cache_valid 200 7d;\n"
            "        proxy_ignore_headers Set-Cookie Cache-Control Expires;\n"
            "        proxy_intercept_errors on;  # the bucket's error pages never reach a client\n"
            + "".join(
                f"        proxy_hide_header {h};\n"
                for h in ("ETag", "Last-Modified", "Set-Cookie", "Access-Control-Allow-Origin")
                + ("x-amz-request-id", "x-amz-id-2", "x-amz-version-id", "x-amzn-requestid")
                + ("x-amz-sdk-checksum-algorithm", "x-amz-content-sha256", "x-amz-checksum-crc32")
                + ("x-amz-checksum-crc64nvme", "x-amz-server-side-encryption")
                + ("x-amz-storage-class", "x-amz-expiration", "x-amz-checksum-type")
            )
        ).rstrip("\n")
        values = {
            "WEB_SERVERS": servers,
            "STREAMING_SERVER": f"127.0.0.1:{p['streaming']}",
            "VAR": str(self.var),
            "MEDIA_CACHE_SIZE": "2g",
            "LISTEN": f"127.0.0.1:{p['nginx']}",
            "SERVER_NAME": "127.0.0.1 localhost",
            "TLS": "    # TLS: see docs/deploy.md (local runs are plain HTTP).",
            "SITE_URL": f"http://127.0.0.1:{p['nginx']}",
            "STATIC_ROOT": str(self.var / "staticfiles"),
            "ACCEL_PREFIX": ACCEL_PREFIX,
            "MEDIA_SOURCE": media,
            "MICROCACHE_SECONDS": os.environ.get("KILN_TOPO_MICROCACHE", "3"),
            "AI_CRAWLERS": str(self.var / "nginx" / "kiln-ai-crawlers.conf"),
        }
        site = (ROOT / "deploy" / "nginx.conf.template").read_text()
        for key, value in values.items():
            site = site.replace(f"@@{key}@@", value)
        assert "@@" not in site, "unfilled placeholder in deploy/nginx.conf.template"
        ngx = self.var / "nginx"
        (ngx / "tmp").mkdir(parents=True, exist_ok=True)
        # As on a real machine at each deploy: the AI crawler map from Kiln's own list.
        self.manage("nginx_ai_crawlers", "--output", values["AI_CRAWLERS"])
        (ngx / "kiln.conf").write_text(site)
        user = ""
        if os.geteuid() == 0:  # workers drop to www-data: they own the caches, nothing else
            user = "user www-data;\n"
            self.var.chmod(0o755)
            for path in [ngx, *ngx.rglob("*")]:
                shutil.chown(path, "www-data", "www-data")
        main = (
            f"daemon off;\n{user}worker_processes 1;\n"
            f"pid {ngx}/nginx.pid;\nerror_log {self.var}/logs/nginx-error.log warn;\n"
            "events { worker_connections 4096; }\n"
            "http {\n    include /etc/nginx/mime.types;\n"
            # up=: which node answered ("-": nginx itself, e.g. a refused AI crawler).
            '    log_format kiln \'$remote_addr [$time_local] "$request" $status '
            '$body_bytes_sent "$http_user_agent" up=$upstream_addr rt=$request_time\';\n'
            f"    access_log {self.var}/logs/nginx-access.log kiln;\n"
            f"    client_body_temp_path {ngx}/tmp/body;\n    proxy_temp_path {ngx}/tmp/proxy;\n"
            f"    fastcgi_temp_path {ngx}/tmp/f;\n    uwsgi_temp_path {ngx}/tmp/u;\n"
            f"    scgi_temp_path {ngx}/tmp/s;\n"
            "    sendfile on;\n    keepalive_timeout 30s;\n    server_tokens off;\n"
            f"    include {ngx}/kiln.conf;\n{self.s3_gate()}}}\n"
        )
        (ngx / "nginx.conf").write_text(main)
        return ngx / "nginx.conf"

    def s3_gate(self) -> str:
        """A server in front of moto that Kiln writes through. While <var>/s3-refuse-writes
        exists it answers every write 503 SlowDown, as S3 does when it throttles: the drill
        "S3 refuses writes" (bench/surge_drills.py). Reads always pass."""
        p = self.ports
        flag = self.var / S3_REFUSE_FLAG
        return (
            f"    server {{\n        listen 127.0.0.1:{p['s3gate']};\n"
            "        client_max_body_size 0;\n        proxy_request_buffering off;\n"
            "        proxy_buffering off;\n        access_log off;\n"
            "        default_type application/xml;\n"
            '        set $kiln_s3_refuse "";\n'
            f'        if (-f {flag}) {{ set $kiln_s3_refuse "on"; }}\n'
            '        if ($request_method ~ ^(GET|HEAD)$) { set $kiln_s3_refuse ""; }\n'
            "        if ($kiln_s3_refuse) {\n"
            '            return 503 "<?xml version=\\"1.0\\" encoding=\\"UTF-8\\"?>'
            "<Error><Code>SlowDown</Code><Message>Please reduce your request rate."
            '</Message></Error>";\n        }\n'
            f"        location / {{\n            proxy_pass http://127.0.0.1:{p['moto']};\n"
            "            proxy_set_header Host $http_host;\n"
            "            proxy_http_version 1.1;\n"
            '            proxy_set_header Connection "";\n        }\n    }\n'
        )

    def start_nginx(self) -> None:
        conf = self.render_nginx()
        subprocess.run(["nginx", "-t", "-q", "-c", str(conf)], check=True)
        wait_port(self.ports["nginx"], 10, "nginx", self.spawn("nginx", ["nginx", "-c", str(conf)]))

    def restart_app(self) -> None:
        """Web nodes and workers again (new code, new settings); the data tier keeps running."""
        apps = [n for n in self.procs if n.startswith(("web", "worker"))]
        for name in apps:
            _kill_group(self.procs[name], signal.SIGTERM)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_alive(self.procs[n]) for n in apps):
            time.sleep(0.1)
        for name in apps:
            if name.startswith("web"):
                self.start_web(name)
        if "worker-default" in apps:
            self.start_workers()

    # --- the whole ----------------------------------------------------------------------
    def up(self) -> None:
        if self.state_file.exists():
            down()
        (self.var / "logs").mkdir(parents=True, exist_ok=True)
        (self.var / "surge-data.json").unlink(missing_ok=True)  # bench/surge.py seeds again
        started = time.monotonic()
        try:
            self.start_redis()
            self.start_moto()
            if self.small:
                self.ensure_database()
            else:
                self.start_postgres_pair()
                self.start_mailbox()
            self.manage("migrate", "--noinput", "-v", "0")
            self.manage("collectstatic", "--noinput", "-v", "0")
            (self.var / S3_REFUSE_FLAG).unlink(missing_ok=True)
            self.start_nginx()  # first: Kiln reaches S3 through it (the S3 gate)
            self.start_web("web1")
            self.start_streaming()
            if not self.small:
                self.start_web("web2")
                self.start_workers()
            health = f"http://127.0.0.1:{self.ports['nginx']}/healthz"
            urllib.request.urlopen(health, timeout=10).read()
        except BaseException:
            down()
            raise
        form = "small" if self.small else "full"
        print(f"Kiln topology ({form}) up in {time.monotonic() - started:.1f} s:")
        print(f"  http://127.0.0.1:{self.ports['nginx']}/   logs: {self.var}/logs/")


def _kill_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def down() -> None:
    state_file = var_dir() / "topology.json"
    if not state_file.exists():
        return
    state = json.loads(state_file.read_text())
    procs = state.get("procs", {})
    # Front to back: nginx first, so no request reaches a node that is going away.
    for name in sorted(procs, key=lambda n: (not n.startswith("nginx"), n.startswith("pg"))):
        _kill_group(procs[name], signal.SIGTERM if not name.startswith("pg") else signal.SIGINT)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_alive(pid) for pid in procs.values()):
        time.sleep(0.1)
    for pid in procs.values():
        if _alive(pid):
            _kill_group(pid, signal.SIGKILL)
    state_file.unlink()


def status() -> int:
    state_file = var_dir() / "topology.json"
    if not state_file.exists():
        print("not running")
        return 1
    for name, pid in json.loads(state_file.read_text())["procs"].items():
        print(f"{name:16} pid {pid:7}  {'up' if _alive(pid) else 'DOWN'}")
    return 0


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "up"
    if command == "up":
        Topology(small="--small" in argv).up()
        return 0
    if command == "down":
        down()
        if "--wipe" in argv:  # the clusters' data, the caches, the logs
            shutil.rmtree(var_dir(), ignore_errors=True)
        return 0
    if command == "restart-app":  # web nodes and workers again, with this environment
        state = json.loads((var_dir() / "topology.json").read_text())
        topo = Topology(small=state["small"])
        topo.procs = state["procs"]
        topo.restart_app()
        return 0
    if command == "status":
        return status()
    if command == "env":  # for manage.py commands against the running topology
        state = json.loads((var_dir() / "topology.json").read_text())
        for key, value in Topology(small=state["small"]).django_env().items():
            if key not in os.environ or os.environ[key] != value:
                print(f"export {key}={value!r}")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
