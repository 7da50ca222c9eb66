"""Every email Kiln sends has a text and an HTML part, both naming the site from settings
(KILN_SITE_NAME, KILN_SITE_URL) and never the host the request came in on."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.utils import timezone

pytestmark = pytest.mark.django_db

SITE_URL = "https://kiln.example.art"


@pytest.fixture(autouse=True)
def site(settings):
    settings.KILN_SITE_NAME = "Kiln Test Studio"
    settings.KILN_SITE_URL = SITE_URL


def assert_branded(message, *, subject_has: str, body_has: str):
    assert message.subject.startswith("[Kiln Test Studio] ") and subject_has in message.subject
    html = [content for content, kind in message.alternatives if kind == "text/html"]
    assert len(html) == 1, "an HTML part"
    text, html = message.body, html[0]
    for part in (text, html):
        assert "Kiln Test Studio" in part and "kiln.example.art" in part
        # Links follow the request (the tests' "testserver"); the greeting and footer never do.
        assert "Hello from testserver" not in part and "Hello from 127.0.0.1" not in part
        assert "Thank you for using" not in part and "example.com!" not in part
    assert body_has in text and body_has in html
    assert "<html" in html and "<html" not in text
    return text, html


def test_signup_confirmation(client):
    client.post(
        "/accounts/signup/",
        {
            "username": "newartist",
            "email": "new@example.com",
            "password1": "Sturdy-pass-2026",
            "password2": "Sturdy-pass-2026",
        },
    )
    (message,) = mail.outbox
    text, html = assert_branded(message, subject_has="Confirm your email", body_has="@newartist")
    assert text.startswith("Hello from Kiln Test Studio,")
    link = re.search(r"http://testserver/accounts/confirm-email/\S+/", text).group(0)
    assert f'href="{link}"' in html  # the link is clickable in the HTML part


def test_password_reset(client, make_user):
    make_user("forgetful")
    client.post("/accounts/password/reset/", {"email": "forgetful@example.com"})
    (message,) = mail.outbox
    assert_branded(message, subject_has="Reset your password", body_has="@forgetful")


def test_email_change_notice_to_the_old_address(client, make_user):
    ana = make_user("ana")
    client.force_login(ana)
    client.post("/accounts/reauthenticate/", {"password": "pw-Kiln-2026"})
    client.post("/accounts/email/", {"email": "ana@new.example", "action_add": ""})
    assert_branded(mail.outbox[0], subject_has="Confirm", body_has="@ana")
    key = re.search(r"/accounts/confirm-email/([^/\s]+)/", mail.outbox[0].body).group(1)
    mail.outbox.clear()
    client.post(f"/accounts/confirm-email/{key}/")
    (notice,) = [m for m in mail.outbox if m.to == ["ana@example.com"]]
    assert_branded(notice, subject_has="email address was changed", body_has="ana@new.example")


def test_export_ready(make_user):
    from kiln.transfer.export import _tell_owner

    ana = make_user("ana")
    _tell_owner(ana, timezone.now() + timedelta(days=7))
    (message,) = mail.outbox
    text, _ = assert_branded(message, subject_has="ready to download", body_has="@ana")
    assert f"{SITE_URL}/" in text


def test_deletion_scheduled(make_user, django_capture_on_commit_callbacks):
    from kiln.transfer.services import account_delete_request

    ana = make_user("ana")
    with django_capture_on_commit_callbacks(execute=True):
        account_delete_request(user=ana, password="pw-Kiln-2026")
    (message,) = mail.outbox
    text, _ = assert_branded(message, subject_has="will be deleted", body_has="@ana")
    assert f"{SITE_URL}/accounts/login/" in text


def test_deletion_with_a_wrong_password_sends_nothing(make_user):
    from django.core.exceptions import ValidationError

    from kiln.transfer.services import account_delete_request

    ana = make_user("ana")
    with pytest.raises(ValidationError):
        account_delete_request(user=ana, password="wrong")
    assert not mail.outbox


def test_moderation_receipt_outcome_and_statement(make_user):
    from kiln.moderation import services, statements

    report = SimpleNamespace(reporter_name="Nia", reporter_email="nia@example.org", url="/x", pk=7)
    services._mail_receipt(report)
    services._mail_outcome([report], "removed")
    ana = make_user("ana")
    action = SimpleNamespace(
        pk=3,
        account=ana,
        account_id=ana.pk,
        rule=None,
        facts="facts",
        target_id=9,
        get_kind_display=lambda: "Removal",
        get_target_kind_display=lambda: "Post",
    )
    statements.statement_mail(action)
    receipt, outcome, statement = mail.outbox
    assert_branded(receipt, subject_has="received your notice", body_has="Nia")
    assert_branded(outcome, subject_has="decision", body_has="removed")
    text, _ = assert_branded(statement, subject_has="Moderation: Removal", body_has="@ana")
    assert f"{SITE_URL}/appeal/" in text
