"""Legal holds: staff place and lift them with a reason (each an audit entry); a deletion
that comes due under a hold keeps everything of the account, hidden, until the hold is lifted,
then finishes, even when interrupted. The account itself is never told of the hold."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kiln.accounts.models import User
from kiln.core.access import AccessDenied
from kiln.media.models import MediaAsset
from kiln.moderation.models import AuditEntry, LegalHold
from kiln.moderation.services_holds import legal_hold_lift, legal_hold_place
from kiln.portfolio.models import Project
from kiln.posts.models import Post
from kiln.transfer import purge, services
from kiln.transfer.models import AccountClosure
from kiln.transfer.tasks import transfer_sweep
from tests.moderation.conftest import _staff

from .helpers import files_under
from .test_purge import Killed, rows_pointing_at

pytestmark = pytest.mark.django_db

REASON = "Preservation order, Landgericht Berlin 15 O 123/26 (copyright claim by @ben)"


@pytest.fixture
def mod(make_user):
    return _staff(make_user("mod"), "Moderators")


@pytest.fixture
def boss(make_user):
    return _staff(make_user("boss"), "Admins")


def oauth_tokens(user_id) -> int:
    from oauth2_provider.models import get_access_token_model

    return get_access_token_model().objects.filter(user_id=user_id).count()


# --- Placing and lifting -------------------------------------------------------------------


def test_placing_and_lifting_need_a_reason_and_are_audited(make_user, mod):
    ana = make_user("ana")
    with pytest.raises(ValidationError, match="legal reason"):
        legal_hold_place(moderator=mod, account=ana, reason="   ")
    hold = legal_hold_place(moderator=mod, account=ana, reason=REASON)
    with pytest.raises(ValidationError, match="already under a legal hold"):
        legal_hold_place(moderator=mod, account=ana, reason=REASON)
    with pytest.raises(ValidationError, match="Say why"):
        legal_hold_lift(moderator=mod, hold=hold, reason="")
    assert LegalHold.objects.get().is_active
    legal_hold_lift(moderator=mod, hold=hold, reason="Claim settled")
    with pytest.raises(ValidationError, match="already lifted"):
        legal_hold_lift(moderator=mod, hold=hold, reason="again")
    entries = list(AuditEntry.objects.filter(account_id=ana.pk).order_by("id"))
    assert [(e.verb, e.actor_id, e.reason) for e in entries] == [
        ("legal_hold.place", mod.pk, REASON),
        ("legal_hold.lift", mod.pk, "Claim settled"),
    ]
    # A new hold may follow a lifted one.
    assert legal_hold_place(moderator=mod, account=ana, reason="another claim").is_active


def test_members_cannot_place_holds_and_staff_cannot_hold_themselves(make_user, mod):
    ana, ben = make_user("ana"), make_user("ben")
    with pytest.raises(AccessDenied):
        legal_hold_place(moderator=ben, account=ana, reason=REASON)
    with pytest.raises(ValidationError, match="Another member of staff"):
        legal_hold_place(moderator=mod, account=mod, reason=REASON)
    assert not LegalHold.objects.exists() and not AuditEntry.objects.exists()


# --- Authorisation matrix: anonymous, a member, the account itself, moderator, admin -------


@pytest.mark.parametrize("role", ["anonymous", "member", "itself", "moderator", "admin"])
def test_who_may_see_place_and_lift_holds(client, make_user, mod, boss, role):
    ana = make_user("ana")  # the account held
    other = make_user("ben")
    held = legal_hold_place(moderator=mod, account=ana, reason=REASON)
    target = make_user("cat")
    actor = {"anonymous": None, "member": other, "itself": ana, "moderator": mod, "admin": boss}
    if actor[role] is not None:
        client.force_login(actor[role])
    staff = role in ("moderator", "admin")

    page = client.get("/moderation/holds")
    queue = client.get("/moderation?type=holds")
    placed = client.post("/moderation/holds", {"username": "cat", "reason": REASON})
    lifted = client.post(f"/moderation/holds/{held.pk}/lift", {"reason": "settled"})
    held.refresh_from_db()
    if staff:
        assert page.status_code == 200 and REASON in page.content.decode()
        assert queue.status_code == 200 and "@ana" in queue.content.decode()
        assert placed.status_code == 302 and LegalHold.objects.filter(account=target).exists()
        assert lifted.status_code == 302 and not held.is_active
    else:
        for response in (page, queue, placed, lifted):
            assert response.status_code == 404
        assert not LegalHold.objects.filter(account=target).exists() and held.is_active
        assert AuditEntry.objects.count() == 1  # only the moderator's placing


def test_the_account_itself_sees_nothing_of_its_hold(client, make_user, mod):
    ana = make_user("ana")
    legal_hold_place(moderator=mod, account=ana, reason=REASON)
    client.force_login(ana)
    for path in ("/settings/data", "/settings/account-status", "/reports", "/"):
        html = client.get(path, follow=True).content.decode()
        assert "legal hold" not in html.lower() and "Landgericht" not in html, path


def test_bad_placing_input_is_refused_and_changes_nothing(client, make_user, mod):
    make_user("ana")
    client.force_login(mod)
    for form in (
        {"username": "nobody", "reason": REASON},
        {"username": "ana", "reason": ""},
        {"username": "", "reason": REASON},
        {"username": "ana", "reason": "x" * 2001},
    ):
        response = client.post("/moderation/holds", form)
        assert response.status_code == 400
    assert not LegalHold.objects.exists() and not AuditEntry.objects.exists()
    assert client.post("/moderation/holds/999999/lift", {"reason": "x"}).status_code == 404


# --- The purge under a hold ----------------------------------------------------------------


def test_a_held_deletion_keeps_everything_hidden_then_finishes_when_lifted(
    client, leaving, media_root, mod
):
    ana, ben, life = leaving
    hold = legal_hold_place(moderator=mod, account=ana, reason=REASON)
    files = files_under(media_root)
    counts = (
        Post.objects.filter(author=ana).count(),
        Project.objects.filter(owner=ana).count(),
        MediaAsset.objects.filter(owner=ana).count(),
    )
    assert oauth_tokens(ana.pk) == 1

    later = timezone.now() + timedelta(days=31)
    assert transfer_sweep(now=later) == 1
    closure = AccountClosure.objects.get(user=ana)
    assert closure.state == "held"
    # Kept: every file, post, project and image; only sign-in went.
    assert files_under(media_root) == files
    assert (
        Post.objects.filter(author=ana).count(),
        Project.objects.filter(owner=ana).count(),
        MediaAsset.objects.filter(owner=ana).count(),
    ) == counts
    assert oauth_tokens(ana.pk) == 0
    assert Post.objects.get(pk=life["reply"].pk).in_reply_to_id == life["post"].pk
    hold.refresh_from_db()
    assert hold.deletion_waiting_since == later
    # Hidden from everyone but staff, username still taken.
    assert client.get("/@ana").status_code == 404
    assert client.get(f"/@ana/posts/{life['post'].pk}").status_code == 404
    client.force_login(mod)
    html = client.get("/moderation?type=holds").content.decode()
    assert "@ana" in html and "waiting for this hold" in html
    client.logout()
    # Sweeps while the hold stands do nothing; the artist cannot cancel any more.
    assert transfer_sweep(now=later + timedelta(days=1)) == 0
    assert not services.account_reactivate(user=ana)
    assert files_under(media_root) == files

    legal_hold_lift(moderator=mod, hold=hold, reason="Claim settled")
    assert transfer_sweep(now=later + timedelta(days=2)) == 1
    assert files_under(media_root) == set()
    assert rows_pointing_at(ana.pk) == {}
    assert not User.objects.filter(pk=ana.pk).exists()
    assert services.username_is_retired("ana", now=later + timedelta(days=2 + 29))
    # The audit trail of the hold stays, pseudonymised to a plain account id.
    verbs = set(AuditEntry.objects.filter(account_id=ana.pk).values_list("verb", flat=True))
    assert verbs == {"legal_hold.place", "legal_hold.lift"}


def test_the_artist_sees_only_that_the_deletion_is_pending(client, leaving, mod):
    ana, _, _ = leaving
    legal_hold_place(moderator=mod, account=ana, reason=REASON)
    transfer_sweep(now=timezone.now() + timedelta(days=31))
    response = client.post("/accounts/login/", {"login": "ana", "password": "pw-Kiln-2026"})
    assert response["Location"] == "/account/deletion"
    assert "_auth_user_id" not in client.session
    page = client.get("/account/deletion").content.decode()
    assert "is pending" in page and "can no longer be cancelled" in page
    assert "legal" not in page.lower() and "Landgericht" not in page
    assert 'value="cancel"' not in page
    client.post("/account/deletion", {"action": "cancel"})  # refused: nothing changes
    assert AccountClosure.objects.get(user=ana).state == "held"
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("stop_after", ["interactions", "posts", "media"])
def test_hold_lift_purge_again_is_kill_safe(leaving, media_root, mod, stop_after):
    """Purge with a hold (parked), lift, purge again killed halfway, then the sweep resumes:
    no orphaned rows, no files left."""
    ana, _, _ = leaving
    hold = legal_hold_place(moderator=mod, account=ana, reason=REASON)
    closure = AccountClosure.objects.get(user=ana)
    later = timezone.now() + timedelta(days=31)
    files = files_under(media_root)
    assert not purge.account_purge(closure_id=closure.pk, now=later)
    assert AccountClosure.objects.get(pk=closure.pk).state == "held"
    assert files_under(media_root) == files
    legal_hold_lift(moderator=mod, hold=hold, reason="Claim settled")

    def die(name):
        if name == stop_after:
            raise Killed

    with pytest.raises(Killed):
        purge.account_purge(closure_id=closure.pk, now=later, after_step=die)
    assert AccountClosure.objects.get(pk=closure.pk).state == "purging"
    assert transfer_sweep(now=later + timedelta(hours=1)) == 1
    assert files_under(media_root) == set()
    assert rows_pointing_at(ana.pk) == {}


def test_a_hold_placed_while_the_purge_runs_stops_it_at_the_next_step(leaving, media_root, mod):
    ana, _, _ = leaving
    closure = AccountClosure.objects.get(user=ana)
    later = timezone.now() + timedelta(days=31)

    def hold_after_interactions(name):
        if name == "interactions":
            legal_hold_place(moderator=mod, account=ana, reason=REASON)

    files = files_under(media_root)
    assert not purge.account_purge(
        closure_id=closure.pk, now=later, after_step=hold_after_interactions
    )
    assert AccountClosure.objects.get(pk=closure.pk).state == "held"
    assert Post.objects.filter(author=ana).exists() and files_under(media_root) == files
    legal_hold_lift(moderator=mod, hold=LegalHold.objects.get(), reason="Order withdrawn")
    assert transfer_sweep(now=later + timedelta(minutes=5)) == 1
    assert files_under(media_root) == set() and rows_pointing_at(ana.pk) == {}
