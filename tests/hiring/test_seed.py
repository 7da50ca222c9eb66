import io

from kiln.hiring.models import CommissionRequest, CommissionSheet, JobListing
from kiln.hiring.seed import JOBS, seed_hiring


def test_seed_is_idempotent(make_user):
    artists = [make_user(f"demo{i}") for i in range(4)]
    seed_hiring(artists=artists, stdout=io.StringIO())
    seed_hiring(artists=artists, stdout=io.StringIO())
    assert JobListing.objects.filter(state="published").count() == len(JOBS)
    assert CommissionSheet.objects.count() == 2
    assert list(CommissionRequest.objects.values_list("state", flat=True)) == ["in_progress"]
