"""Every refusal is logged with its reason and counted per day (admins see the counts).

Counts are buffered in the process and written at most every KILN_REFUSAL_FLUSH_SECONDS, so a
flood of refused requests costs one small write per interval, not one per request.
"""

import logging
import threading
import time
from collections import Counter

from django.db.models import F
from django.utils import timezone

from kiln.shield.conf import shield_setting
from kiln.shield.models import RefusalTally

logger = logging.getLogger("kiln.shield")

_lock = threading.Lock()
_pending: Counter = Counter()
_last_flush = [time.monotonic()]


def refusal_record(*, reason: str, ip: str, user_agent: str, path: str, detail: str = "") -> None:
    logger.info(
        "refused %s ip=%s path=%s ua=%r %s", reason, ip, path[:200], user_agent[:200], detail
    )
    with _lock:
        _pending[(timezone.now().date(), reason)] += 1
        due = time.monotonic() - _last_flush[0] >= shield_setting("KILN_REFUSAL_FLUSH_SECONDS")
    if due:
        refusal_tally_flush()


def refusal_tally_flush() -> None:
    """Write the buffered counts to the database (kept for next time if that fails)."""
    with _lock:
        batch = dict(_pending)
        _pending.clear()
        _last_flush[0] = time.monotonic()
    if not batch:
        return
    try:
        for (day, reason), count in batch.items():
            updated = RefusalTally.objects.filter(day=day, reason=reason).update(
                count=F("count") + count
            )
            if not updated:
                _, created = RefusalTally.objects.get_or_create(
                    day=day, reason=reason, defaults={"count": count}
                )
                if not created:
                    RefusalTally.objects.filter(day=day, reason=reason).update(
                        count=F("count") + count
                    )
    except Exception:  # the counts must never turn a refusal into a 500
        logger.warning("could not write refusal tallies; keeping them", exc_info=True)
        with _lock:
            _pending.update(batch)


def refusal_pending_clear() -> None:
    """Tests: forget buffered counts from earlier tests."""
    with _lock:
        _pending.clear()
