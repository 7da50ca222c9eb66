"""Deactivate, schedule deletion (password and second factor), come back by logging in."""

import time
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.utils import timezone

from kiln.accounts.models import User
from kiln.transfer.models import AccountClosure

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Kiln-2026"


def login(client, username, password=PASSWORD):
    return client.post("/accounts/login/", {"login": username, "password": password})


def test_your_data_needs_a_login(client):
    assert client.get("/settings/data")["Location"].startswith("/accounts/login/")
    for url in ("/settings/data/deactivate", "/settings/data/delete"):
        response = client.post(url, {"password": PASSWORD, "confirm": "on"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not AccountClosure.objects.exists()


def test_deactivate_hides_the_profile_until_the_next_login(client, make_user):
    ana = make_user("ana")
    client.force_login(ana)
    assert client.get("/settings/data").status_code == 200
    response = client.post("/settings/data/deactivate")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session  # logged out
    ana.refresh_from_db()
    assert not ana.is_active
    assert client.get("/@ana").status_code == 404

    response = login(client, "ana")
    assert response.status_code == 302 and "_auth_user_id" in client.session
    ana.refresh_from_db()
    assert ana.is_active and not AccountClosure.objects.exists()
    assert client.get("/@ana").status_code == 200


def test_a_wrong_password_changes_nothing(client, make_user):
    ana = make_user("ana")
    client.force_login(ana)
    response = client.post("/settings/data/delete", {"password": "nope", "confirm": "on"})
    assert response.status_code == 400
    assert "That is not your password." in response.content.decode()
    unconfirmed = client.post("/settings/data/delete", {"password": PASSWORD})
    assert unconfirmed.status_code == 400
    ana.refresh_from_db()
    assert ana.is_active and not AccountClosure.objects.exists()


def test_delete_asks_for_the_second_factor_when_it_is_on(client, make_user):
    ana = make_user("ana")
    secret = generate_totp_secret()
    TOTP.activate(ana, secret)
    client.force_login(ana)
    form = {"password": PASSWORD, "confirm": "on"}
    response = client.post("/settings/data/delete", form)
    assert response.status_code == 400 and AccountClosure.objects.count() == 0
    response = client.post("/settings/data/delete", {**form, "code": "000000"})
    assert response.status_code == 400 and AccountClosure.objects.count() == 0
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = client.post("/settings/data/delete", {**form, "code": code})
    assert response.status_code == 302
    closure = AccountClosure.objects.get(user=ana)
    assert closure.state == "pending"
    assert Authenticator.objects.filter(user=ana).exists()


def test_scheduled_deletion_hides_the_account_and_login_offers_to_cancel(client, make_user):
    ana = make_user("ana")
    client.force_login(ana)
    before = timezone.now()
    response = client.post("/settings/data/delete", {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    closure = AccountClosure.objects.get(user=ana)
    assert closure.purge_after - before >= timedelta(days=30)
    assert client.get("/@ana").status_code == 404

    # A wrong password learns nothing about the pending deletion.
    response = login(client, "ana", "wrong-password")
    assert response.status_code == 200 and "deletion" not in response.content.decode().lower()

    response = login(client, "ana")
    assert response["Location"] == "/account/deletion"
    assert "_auth_user_id" not in client.session
    page = client.get("/account/deletion").content.decode()
    assert "scheduled for deletion" in page and closure.purge_after.strftime("%B") in page

    client.post("/account/deletion", {"action": "keep"})
    assert AccountClosure.objects.filter(user=ana, state="pending").exists()
    assert client.get("/account/deletion")["Location"].startswith("/accounts/login")

    login(client, "ana")
    client.post("/account/deletion", {"action": "cancel"})
    assert "_auth_user_id" in client.session
    assert User.objects.get(pk=ana.pk).is_active
    assert not AccountClosure.objects.exists()


def test_the_pending_page_serves_no_one_who_has_not_logged_in(client, make_user):
    ana = make_user("ana")
    AccountClosure.objects.create(user=ana, state="pending", purge_after=timezone.now())
    assert client.get("/account/deletion")["Location"].startswith("/accounts/login")
    client.post("/account/deletion", {"action": "cancel"})
    assert AccountClosure.objects.filter(user=ana).exists()


def test_staff_cannot_delete_someone_elses_account(client, make_user):
    ana = make_user("ana")
    boss = make_user("boss")
    boss.is_staff = True
    boss.save()
    client.force_login(boss)
    # The views only ever act on the signed-in account, with its own password.
    client.post("/settings/data/delete", {"password": PASSWORD, "confirm": "on", "user": ana.pk})
    assert AccountClosure.objects.filter(user=boss).exists()
    assert not AccountClosure.objects.filter(user=ana).exists()


def test_deactivation_hides_published_work_too(
    client, make_user, django_capture_on_commit_callbacks
):
    from kiln.media.services import media_asset_create
    from kiln.portfolio.services import ImageInput, ProjectInput, project_create, project_publish

    from .helpers import art_bytes

    ana = make_user("ana")
    with django_capture_on_commit_callbacks(execute=True):
        asset = media_asset_create(owner=ana, upload=art_bytes(5))
    with django_capture_on_commit_callbacks(execute=True):
        project = project_create(
            owner=ana, data=ProjectInput(title="Glaze", images=[ImageInput(asset.pk, "a bowl")])
        )
        project_publish(user=ana, project=project)
    url = f"/@ana/projects/{project.pk}"
    assert client.get(url).status_code == 200
    assert "Glaze" in client.get("/").content.decode()
    from kiln.transfer.services import account_deactivate

    account_deactivate(user=ana)
    assert client.get(url).status_code == 404
    assert "Glaze" not in client.get("/").content.decode()
