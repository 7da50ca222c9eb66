"""After the grace period: nothing of the account remains, in storage or in the database,
even when the job is interrupted halfway."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone

from kiln.accounts.models import User
from kiln.portfolio.models import Project
from kiln.posts.models import Post
from kiln.transfer import purge, services
from kiln.transfer.models import AccountClosure, RetiredUsername
from kiln.transfer.tasks import transfer_sweep

from .helpers import files_under

pytestmark = pytest.mark.django_db


def rows_pointing_at(user_id: int) -> dict[str, int]:
    """Every row, in every model, with a foreign key to this user id."""
    found = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is User:
                count = model.objects.filter(**{field.attname: user_id}).count()
                if count:
                    found[f"{model._meta.label}.{field.name}"] = count
    return found


def test_nothing_happens_inside_the_grace_period(leaving, media_root):
    ana, _, _ = leaving
    files = files_under(media_root)
    assert transfer_sweep(now=timezone.now() + timedelta(days=29)) == 0
    assert User.objects.filter(pk=ana.pk).exists() and files_under(media_root) == files


def registry_says(hashes) -> list[bool]:
    from kiln.provenance import registry

    return [answer["match"] for answer in registry.lookup(hashes)]


def test_after_the_grace_period_nothing_of_theirs_remains(leaving, media_root, settings, tmp_path):
    from kiln.provenance.models import ImageHash
    from kiln.transfer import imports

    ana, ben, life = leaving
    settings.VAR_DIR = tmp_path / "var"
    upload = imports.import_start(user=ana, total_bytes=10)  # an upload she left unfinished
    imports.import_receive_chunk(batch=upload, start=0, data=b"PK345")
    assert imports.archive_path(upload).exists()
    project_asset = Project.objects.get(owner=ana).images.get().asset_id
    hashes = list(ImageHash.objects.filter(asset_id=project_asset).values_list("bits", flat=True))
    hashes = [bytes(h) for h in hashes]
    assert hashes and all(registry_says(hashes))
    from kiln.search.models import TagCount

    assert TagCount.objects.filter(tag="ink", posts__gt=0).exists()
    assert transfer_sweep(now=timezone.now() + timedelta(days=31)) == 1
    assert files_under(media_root) == set()  # ben uploaded nothing: every file was ana's
    assert not imports.archive_path(upload).exists()
    assert rows_pointing_at(ana.pk) == {}
    assert not User.objects.filter(pk=ana.pk).exists()
    assert not any(registry_says(hashes))  # the do-not-train registry forgot her work
    # Ben's reply to her post stays; his counters no longer count her.
    reply = Post.objects.get(pk=life["reply"].pk)
    assert reply.in_reply_to_id is None and reply.in_reply_to_deleted_account
    theirs = Post.objects.get(pk=life["theirs"].pk)
    assert theirs.likes_count == 0 and theirs.replies_count == 0
    assert not Post.objects.filter(author_id=ana.pk).exists()
    assert not TagCount.objects.filter(tag="ink", posts__gt=0).exists()  # her #ink is gone
    # The username is held for 30 days, then released.
    assert services.username_is_retired("ANA")
    assert services.username_is_retired("ana", now=timezone.now() + timedelta(days=31 + 29))
    assert not services.username_is_retired("ana", now=timezone.now() + timedelta(days=31 + 31))
    transfer_sweep(now=timezone.now() + timedelta(days=31 + 31))
    assert not RetiredUsername.objects.exists()


def test_a_deleted_username_cannot_be_signed_up_for_30_days(client, leaving):
    transfer_sweep(now=timezone.now() + timedelta(days=31))
    form = {
        "email": "new@example.com",
        "username": "Ana",
        "password1": "A-sturdy-pass-2026",
        "password2": "A-sturdy-pass-2026",
    }
    response = client.post("/accounts/signup/", form)
    assert response.status_code == 200
    assert "deleted account" in response.content.decode()
    assert not User.objects.filter(username__iexact="ana").exists()


class Killed(Exception):
    pass


@pytest.mark.parametrize("stop_after", ["interactions", "posts", "projects", "media"])
def test_an_interrupted_purge_resumes_and_leaves_no_orphans(leaving, media_root, stop_after):
    ana, _, _ = leaving
    closure = AccountClosure.objects.get(user=ana)
    later = timezone.now() + timedelta(days=31)

    def die(name):
        if name == stop_after:
            raise Killed

    with pytest.raises(Killed):
        purge.account_purge(closure_id=closure.pk, now=later, after_step=die)
    closure.refresh_from_db()
    assert closure.state == "purging" and closure.step == stop_after
    # Its lease still runs: another worker does not take it over...
    assert not purge.account_purge(closure_id=closure.pk, now=later)
    # ...until it lapses; then the sweep picks it up and finishes.
    assert transfer_sweep(now=later + timedelta(hours=1)) == 1
    assert files_under(media_root) == set()
    assert rows_pointing_at(ana.pk) == {}


def test_cancelled_in_time_nothing_is_deleted(leaving, media_root):
    ana, _, _ = leaving
    files = files_under(media_root)
    assert services.account_reactivate(user=ana)
    assert transfer_sweep(now=timezone.now() + timedelta(days=31)) == 0
    assert files_under(media_root) == files and User.objects.get(pk=ana.pk).is_active
