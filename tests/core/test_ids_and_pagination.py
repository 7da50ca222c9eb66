import pytest

from kiln.core.ids import new_id
from kiln.core.pagination import paginate_by_id, parse_cursor, parse_page_size


def test_ids_sort_by_time_and_fit_bigint():
    ids = [new_id() for _ in range(100_000)]
    assert len(set(ids)) == 100_000
    assert ids == sorted(ids)
    assert all(0 < i < 2**63 for i in ids)
    # Two ids a few ms apart keep their order.
    import time

    first = new_id()
    time.sleep(0.003)
    assert new_id() > first


@pytest.mark.parametrize("raw", ["", None, "abc", "-5", "0", str(2**70), "1e9"])
def test_forged_cursors_are_ignored(raw):
    assert parse_cursor(raw) is None


def test_page_size_is_clamped():
    assert parse_page_size("1000") == 40
    assert parse_page_size("-3") == 1
    assert parse_page_size("x") == 20


@pytest.mark.django_db
def test_cursor_pages_have_no_duplicates_or_gaps_when_rows_arrive(make_user):
    from kiln.accounts.models import User

    for i in range(25):
        make_user(f"user{i:02d}")
    qs = User.objects.all()
    first = paginate_by_id(qs, size=10)
    make_user("newcomer")  # arrives between page loads
    second = paginate_by_id(qs, before=first.next_cursor, size=10)
    third = paginate_by_id(qs, before=second.next_cursor, size=10)
    seen = [u.id for page in (first, second, third) for u in page.items]
    assert len(seen) == len(set(seen)) == 25
    newer = paginate_by_id(qs, after=first.newest_cursor, size=10)
    assert [u.username for u in newer.items] == ["newcomer"]
