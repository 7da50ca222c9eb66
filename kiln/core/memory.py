"""A hard address-space cap (RLIMIT_AS) on each web and worker process.

A decoder that is tricked into allocating (issue 25: a 1.7 MB PNG took a worker to 14 GB)
then fails inside its own process, at the cap, instead of taking the machine. The cap is on
virtual memory, not RSS, so it must leave room for what is mapped but never touched:
- SQLite maps up to KILN_SQLITE_MMAP_BYTES of the database per connection (one per thread);
- glibc gives each thread a malloc arena (64 MB reserved on 64-bit), and libvips runs a thread
  per core;
- torch and faiss (the cloak worker only) map about 1.3 GB of libraries before any work.
Measured on this code (docs/decisions/hardening.md): a web or media worker peaks at 0.9 GB of
virtual memory rendering a 24 MP JPEG on 2 cores; the cloak worker maps 1.4 GB once torch and
faiss are loaded. Defaults leave 3× that room; each is configurable, and 0 switches it off:
- KILN_MEMORY_CAP_MB (default 3072) plus SQLite's mmap size per connection: web and workers;
- KILN_MEMORY_CAP_CLOAK_MB (default 12288): the cloak worker. On a CUDA host set it to 0:
  CUDA reserves tens of GB of address space at start.
"""

import logging
import os
import resource

logger = logging.getLogger("kiln.core")

DEFAULT_CAP_MB = 3072
DEFAULT_CLOAK_CAP_MB = 12288


def _env_mb(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def memory_cap_bytes(role: str, *, connections: int = 1) -> int:
    """The cap for a process of `role` ("web", "worker" or "cloak"); 0 means none."""
    if role == "cloak":
        return _env_mb("KILN_MEMORY_CAP_CLOAK_MB", DEFAULT_CLOAK_CAP_MB) << 20
    base = _env_mb("KILN_MEMORY_CAP_MB", DEFAULT_CAP_MB) << 20
    if base <= 0:
        return 0
    mmap_bytes = _env_mb("KILN_SQLITE_MMAP_BYTES", 1 << 30)
    return base + max(1, connections) * max(0, mmap_bytes)


def apply_memory_cap(role: str, *, connections: int = 1) -> int:
    """Cap this process's address space (never raising a lower cap already set)."""
    cap = memory_cap_bytes(role, connections=connections)
    if cap <= 0:
        return 0
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY and soft <= cap:
        return soft
    hard = cap if hard == resource.RLIM_INFINITY else min(hard, cap)
    resource.setrlimit(resource.RLIMIT_AS, (min(cap, hard), hard))
    logger.info("%s process %s: address space capped at %s MB", role, os.getpid(), cap >> 20)
    return min(cap, hard)
