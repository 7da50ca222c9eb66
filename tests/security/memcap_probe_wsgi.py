"""A WSGI app for test_memory_cap: "/" answers with its process's address-space cap and peak
virtual size; "/bomb" decodes the issue-25 PNG text bomb the unprotected way (raw bytes into
libvips, which keeps every text chunk), so the worker reaches its cap."""

import contextlib
import os
import resource


def _vm_peak_mb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmPeak:"):
                return int(line.split()[1]) // 1024
    return -1


def application(environ, start_response):
    if environ["PATH_INFO"] == "/bomb":
        import pyvips

        from tests.security.corpus import bomb_png

        with contextlib.suppress(pyvips.Error, MemoryError):
            pyvips.Image.new_from_buffer(bomb_png(40, 40), "").get_fields()
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"{os.getpid()} {soft} {_vm_peak_mb()}".encode()]
