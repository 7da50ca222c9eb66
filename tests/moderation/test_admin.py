"""Admins: the rule book, roles, sign-up blocks (domains and IP ranges) and the audit log."""

import pytest

from kiln.accounts.models import SignupBlock, User
from kiln.moderation.access import is_admin, is_moderator
from kiln.moderation.models import AuditEntry, Rule

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"


def _signup(client, email, **extra):
    data = {
        "username": "newbie",
        "email": email,
        "password1": "Sturdy-pass-2026",
        "password2": "Sturdy-pass-2026",
    }
    return client.post(SIGNUP, data, **extra)


@pytest.mark.parametrize("who", ["anonymous", "member", "moderator"])
def test_only_admins_reach_the_admin_pages(client, who, reporter, mod):
    user = {"anonymous": None, "member": reporter, "moderator": mod}[who]
    if user:
        client.force_login(user)
    assert client.get("/moderation/admin").status_code == 404
    assert client.post("/moderation/admin/rules", {"title": "New"}).status_code == 404
    assert (
        client.post(
            "/moderation/admin/roles", {"username": "reporter", "role": "admin"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/moderation/admin/blocks", {"kind": "domain", "value": "x.example"}
        ).status_code
        == 404
    )
    assert not SignupBlock.objects.exists() and not Rule.objects.filter(title="New").exists()
    assert not is_moderator(User.objects.get(username="reporter"))


def test_admin_edits_rules_shown_on_the_rules_page(client, admin_user):
    client.force_login(admin_user)
    client.post("/moderation/admin/rules", {"title": "Credit collaborators", "text": "Always."})
    rule = Rule.objects.get(title="Credit collaborators")
    assert "Credit collaborators" in client.get("/about/rules").content.decode()
    client.post(
        "/moderation/admin/rules",
        {"rule": rule.pk, "title": "Credit collaborators", "active": "off"},
    )
    assert "Credit collaborators" not in client.get("/about/rules").content.decode()
    client.post("/moderation/admin/rules", {"title": ""})  # refused, nothing changes
    assert Rule.objects.count() == 7
    assert AuditEntry.objects.filter(verb="rule.save").count() == 2


def test_admin_grants_and_revokes_roles(client, admin_user, reporter):
    client.force_login(admin_user)
    client.post("/moderation/admin/roles", {"username": "@reporter", "role": "moderator"})
    reporter = User.objects.get(pk=reporter.pk)
    assert is_moderator(reporter) and not is_admin(reporter)
    client.post("/moderation/admin/roles", {"username": "reporter", "role": "none"})
    reporter = User.objects.get(pk=reporter.pk)
    assert not is_moderator(reporter) and not reporter.is_staff
    client.post("/moderation/admin/roles", {"username": "boss", "role": "none"})  # not yourself
    assert is_admin(User.objects.get(pk=admin_user.pk))
    assert list(AuditEntry.objects.values_list("verb", "reason")) == [
        ("role.set", "moderator"),
        ("role.set", "none"),
    ]


@pytest.mark.parametrize("value", ["", "no-dot", "0.0.0.0/1", "::/8", "not an ip/24"])
def test_bad_blocks_are_refused(client, admin_user, value):
    client.force_login(admin_user)
    kind = "ip" if "/" in value else "domain"
    client.post("/moderation/admin/blocks", {"kind": kind, "value": value})
    assert not SignupBlock.objects.exists()


def test_domain_and_ip_blocks_stop_sign_ups(client, admin_user):
    client.force_login(admin_user)
    client.post("/moderation/admin/blocks", {"kind": "domain", "value": "@Spam.Example"})
    client.post("/moderation/admin/blocks", {"kind": "ip", "value": "203.0.113.7/24"})
    assert set(SignupBlock.objects.values_list("value", flat=True)) == {
        "spam.example",
        "203.0.113.0/24",
    }
    client.logout()
    resp = _signup(client, "a@mail.spam.example")
    assert resp.status_code == 200 and b"email domain are not accepted" in resp.content
    resp = _signup(client, "a@fine.example", REMOTE_ADDR="203.0.113.99")
    assert resp.status_code == 200 and b"network are not accepted" in resp.content
    assert not User.objects.filter(username="newbie").exists()
    assert _signup(client, "a@fine.example", REMOTE_ADDR="198.51.100.1").status_code == 302
    assert User.objects.filter(username="newbie").exists()


def test_audit_log_page_for_admins(client, admin_user, mod):
    AuditEntry.objects.create(actor=mod, verb="action.warn", reason="Because")
    client.force_login(admin_user)
    page = client.get("/moderation/audit").content.decode()
    assert "action.warn" in page and "@mod" in page and "Because" in page


def test_demo_seed_gives_two_demo_artists_roles_idempotently(make_user):
    import io

    from kiln.moderation.seed import seed_moderation

    artists = [make_user(n) for n in ("a1", "a2", "a3")]
    for _ in range(2):
        seed_moderation(artists=artists, stdout=io.StringIO())
    fresh = [User.objects.get(pk=a.pk) for a in artists]
    assert [is_moderator(u) for u in fresh] == [False, True, True]
    assert [is_admin(u) for u in fresh] == [False, True, False]
