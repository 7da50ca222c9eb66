"""Time-sortable 64-bit ids, like Mastodon's and Instagram's.

Layout: 48 bits of milliseconds since the Unix epoch, then a 16-bit sequence. Within one
process the sequence counts up inside a millisecond (so bulk inserts never collide); each
new millisecond starts it at a random point in the lower half, which keeps two processes
from marching in step. Ids sort by creation time, so "newest first" is an index scan on the
primary key and cursors are just ids. They fit a signed BIGINT until the year 10889.
"""

import secrets
import threading
import time

SEQUENCE_BITS = 16
_SEQUENCE_MAX = (1 << SEQUENCE_BITS) - 1
_lock = threading.Lock()
_last_ms = 0
_sequence = 0


def new_id() -> int:
    global _last_ms, _sequence
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms > _last_ms:
            _last_ms = now_ms
            _sequence = secrets.randbits(SEQUENCE_BITS - 1)
        else:
            _sequence += 1
            if _sequence > _SEQUENCE_MAX:  # 32k+ ids in one ms: borrow the next millisecond
                _last_ms += 1
                _sequence = 0
        return _last_ms << SEQUENCE_BITS | _sequence


def id_for_time(timestamp_seconds: float) -> int:
    """The smallest id that could have been made at this time: for "since"/"until" bounds."""
    return int(timestamp_seconds * 1000) << SEQUENCE_BITS
