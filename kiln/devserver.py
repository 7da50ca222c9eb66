"""`python -m kiln.devserver`: the web server and the background workers as one command.

gunicorn serves the site; uvicorn the streaming API (on --port + 10); one `db_worker` takes
renditions, fan-out and backfills; a second takes the slow cloak queue alone, so cloaking
never starves thumbnails; a sweeper re-queues cloak jobs whose worker was killed; another
deletes abandoned upload originals every hour.
A child that dies (killed, out of memory at its cap) is restarted with back-off and logged;
Ctrl-C (SIGINT), SIGTERM or a crash loop stops them all and waits for them.
"""

import argparse
import os
import signal
import subprocess
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument(
        "--streaming-port",
        type=int,
        default=None,
        help="the streaming API's own port (default: --port + 10)",
    )
    args = parser.parse_args()
    streaming_port = args.streaming_port or args.port + 10
    # /api/v1/instance tells Mastodon apps where the streaming process listens.
    os.environ.setdefault("KILN_STREAMING_URL", f"http://{args.host}:{streaming_port}")
    # Absolute URLs made without a request (renditions' XMP and C2PA, made in the worker)
    # follow the address this server is really on, unless KILN_SITE_URL says otherwise.
    os.environ.setdefault("KILN_SITE_URL", f"http://{args.host}:{args.port}")
    python = sys.executable
    commands = {
        "web": [
            python,
            "-m",
            "gunicorn",
            "kiln.wsgi:application",
            "--config",
            "python:kiln.gunicorn_conf",
            "--bind",
            f"{args.host}:{args.port}",
            "--workers",
            os.environ.get("WEB_CONCURRENCY", "2"),
            "--threads",
            "4",
            "--access-logfile",
            "-",
            "--no-control-socket",  # several servers (tests, benchmarks) may run side by side
        ],
        # The streaming API (kiln/api/streaming.py): its own ASGI process, so open streams
        # never hold a gunicorn worker.
        "streaming": [
            python,
            "-m",
            "uvicorn",
            "kiln.streaming:application",
            "--host",
            args.host,
            "--port",
            str(streaming_port),
            "--ws",
            "wsproto",
            "--no-access-log",
            "--timeout-graceful-shutdown",
            "5",
        ],
        "worker": [python, "manage.py", "db_worker", "--queue-name", "default,low", "--no-reload"],
        "cloak-worker": [python, "manage.py", "db_worker", "--queue-name", "cloak", "--no-reload"],
        # Re-queues cloak jobs whose worker died mid-run (media sweeps inside its worker).
        "cloak-sweeper": [python, "manage.py", "cloak_sweep", "--every", "60"],
        # Deletes originals whose upload was rolled back (older than an hour, no asset row);
        # it lists the private store, hence hourly rather than every minute.
        "media-orphan-sweeper": [
            python,
            "manage.py",
            "media_sweep",
            "--orphans",
            "--every",
            "3600",
        ],
    }
    return supervise(commands)


# A child that dies is started again after a pause that doubles on each quick death (1 s, 2 s,
# 4 s ... 30 s) and resets once it has run for RESET_AFTER seconds. A child that dies
# CRASH_LOOP times within CRASH_WINDOW seconds is broken, not unlucky: everything stops.
FIRST_BACKOFF = 1.0
MAX_BACKOFF = 30.0
RESET_AFTER = 60.0
CRASH_LOOP = 5
CRASH_WINDOW = 120.0


def _log(message: str) -> None:
    print(f"kiln: {message}", file=sys.stderr, flush=True)


class _Child:
    def __init__(self, name: str, command: list[str]):
        self.name, self.command = name, command
        self.process: subprocess.Popen | None = None
        self.started = 0.0
        self.backoff = FIRST_BACKOFF
        self.restart_at: float | None = None
        self.deaths: list[float] = []

    def start(self) -> None:
        self.process = subprocess.Popen(self.command)
        self.started = time.monotonic()
        self.restart_at = None

    def died(self, now: float) -> bool:
        """Notes a death and schedules the restart; True when it is a crash loop."""
        code = self.process.returncode
        if now - self.started >= RESET_AFTER:
            self.backoff = FIRST_BACKOFF
        self.deaths = [t for t in self.deaths if now - t < CRASH_WINDOW] + [now]
        if len(self.deaths) >= CRASH_LOOP:
            _log(
                f"{self.name} exited with {code} {len(self.deaths)} times in "
                f"{CRASH_WINDOW:.0f} s; stopping everything."
            )
            return True
        _log(f"{self.name} exited with {code}; restarting it in {self.backoff:g} s.")
        self.restart_at = now + self.backoff
        self.backoff = min(self.backoff * 2, MAX_BACKOFF)
        return False


def supervise(commands: dict[str, list[str]], *, poll: float = 0.3) -> int:
    """Run every command, restart any that dies, and stop them all on Ctrl-C, SIGTERM or a
    crash loop. Returns 0 after a requested stop, 1 after a crash loop."""
    children = [_Child(name, command) for name, command in commands.items()]
    for child in children:
        child.start()
    stopping = False
    exit_code = 0

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping:
        now = time.monotonic()
        for child in children:
            if stopping:  # Ctrl-C reaches the children too: their deaths are no crash
                break
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.start()
                    _log(f"{child.name} restarted (pid {child.process.pid}).")
            elif child.process.poll() is not None and child.died(now):
                exit_code, stopping = 1, True
                break
        time.sleep(poll)
    running = [c.process for c in children if c.process and c.process.poll() is None]
    for process in running:
        process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in running:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
    print("kiln: stopped.", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
