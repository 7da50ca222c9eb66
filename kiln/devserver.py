"""`python -m kiln.devserver`: the web server and the background workers as one command.

gunicorn serves the site; one `db_worker` takes renditions, fan-out and backfills; a second
takes the slow cloak queue alone, so cloaking never starves thumbnails; a sweeper re-queues
cloak jobs whose worker was killed; another deletes abandoned upload originals every hour.
Ctrl-C (SIGINT) or SIGTERM stops them all and waits for them.
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
    args = parser.parse_args()
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
    processes = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, process in processes.items():
            if process.poll() is not None:
                print(f"kiln: {name} exited with {process.returncode}; stopping.", file=sys.stderr)
                exit_code = process.returncode or 1
                stopping = True
        time.sleep(0.3)
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
    print("kiln: stopped.")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
