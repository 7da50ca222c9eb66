"""What the streaming API's shared per-token count costs per stream opened (issue 18).

Run: REDIS_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/stream_slots.py [--quick]
Prints the median and p99, in µs, of one take() + release() (a stream opened and closed):
this process's own count (no Redis), the Redis count (one Lua script to open, one ZREM to
close), and one refresh script call over N open connections (the process refreshes its
connections once a heartbeat, REFRESH_BATCH at a time: Redis runs nothing else meanwhile).
"""

import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiln.settings_test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from kiln.api import stream_slots  # noqa: E402

QUICK = "--quick" in sys.argv
ROUNDS = 500 if QUICK else 5000
TOKENS = 100  # spread over several tokens' sets, as in production


def summary(samples: list[float]) -> str:
    samples = sorted(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return f"median {statistics.median(samples):7.1f} µs   p99 {p99:7.1f} µs"


async def open_close(redis_url: str) -> list[float]:
    settings.REDIS_URL = redis_url
    settings.KILN_STREAMING_PER_TOKEN = 10**6  # never refuse: measure the count itself
    slots = stream_slots.Slots()
    samples = []
    for i in range(ROUNDS):
        started = time.perf_counter()
        member = await slots.take(i % TOKENS)
        await slots.release(member)
        samples.append((time.perf_counter() - started) * 1e6)
    await slots.close()
    return samples


async def refresh(redis_url: str, connections: int) -> list[float]:
    import redis.asyncio as aioredis

    settings.REDIS_URL = redis_url
    client = aioredis.Redis.from_url(redis_url)
    keys = [stream_slots.KEY.format(i % TOKENS) for i in range(connections)]
    members = [f"bench-{i}" for i in range(connections)]
    samples = []
    for _ in range(50 if QUICK else 200):
        started = time.perf_counter()
        await client.eval(stream_slots._REFRESH, len(keys), *keys, 45000, *members)
        samples.append((time.perf_counter() - started) * 1e6)
    await client.delete(*set(keys))
    await client.aclose()
    return samples


async def main() -> None:
    print(f"{ROUNDS} streams opened and closed, over {TOKENS} tokens")
    print(f"  per process (no Redis):  {summary(await open_close(''))}")
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        print("  (set REDIS_URL for the shared count)")
        return
    print(f"  shared (Redis):          {summary(await open_close(redis_url))}")
    for n in (100, stream_slots.REFRESH_BATCH, 5000):
        print(f"  refresh of {n:5} open:     {summary(await refresh(redis_url, n))}")


if __name__ == "__main__":
    asyncio.run(main())
