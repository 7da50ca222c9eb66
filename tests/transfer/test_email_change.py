"""Changing the email address: the new one is verified first, the old one gets a notice."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

pytestmark = pytest.mark.django_db


def test_email_change_verifies_the_new_address_and_tells_the_old(client, make_user):
    ana = make_user("ana")
    client.force_login(ana)
    client.post("/accounts/reauthenticate/", {"password": "pw-Kiln-2026"})
    response = client.post("/accounts/email/", {"email": "ana@new.example", "action_add": ""})
    assert response.status_code == 302
    # Nothing changes until the new address is confirmed.
    ana.refresh_from_db()
    assert ana.email == "ana@example.com"
    assert [m.to for m in mail.outbox] == [["ana@new.example"]]
    key = re.search(r"/accounts/confirm-email/([^/\s]+)/", mail.outbox[0].body).group(1)
    mail.outbox.clear()
    client.post(f"/accounts/confirm-email/{key}/")
    ana.refresh_from_db()
    assert ana.email == "ana@new.example"
    assert set(EmailAddress.objects.filter(user=ana).values_list("email", flat=True)) == {
        "ana@new.example"
    }
    notices = [m for m in mail.outbox if m.to == ["ana@example.com"]]
    assert notices and "ana@new.example" in notices[0].body


def test_a_wrong_confirmation_key_changes_nothing(client, make_user):
    ana = make_user("ana")
    client.force_login(ana)
    client.post("/accounts/reauthenticate/", {"password": "pw-Kiln-2026"})
    client.post("/accounts/email/", {"email": "ana@new.example", "action_add": ""})
    client.post("/accounts/confirm-email/not-a-key/")
    ana.refresh_from_db()
    assert ana.email == "ana@example.com"
