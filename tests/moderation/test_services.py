"""Reports, actions with statements of reasons, appeals and the append-only audit log."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from kiln.moderation import services
from kiln.moderation.models import Action, Appeal, AuditEntry, Case, Report
from kiln.notifications.models import Notification
from kiln.posts.models import Post

pytestmark = pytest.mark.django_db


def _report(reporter, post, **kw):
    fields = {"category": "ai", "comment": "Has SD metadata"} | kw
    return services.report_create(
        reporter=reporter, target_kind="post", target_id=post.pk, **fields
    )


def test_default_rules_and_roles_exist(rule, mod, admin_user, reporter):
    from kiln.moderation.access import is_admin, is_moderator

    assert rule.is_active
    assert is_moderator(mod) and not is_admin(mod)
    assert is_admin(admin_user)
    assert not is_moderator(reporter)


def test_reports_of_one_item_merge_into_one_case(post, reporter, make_user, rule):
    first = _report(reporter, post, rule_ids=[rule.pk])
    again = _report(reporter, post)  # the same member twice: the same report
    other = _report(make_user("other"), post, category="stolen")
    assert again.pk == first.pk
    case = Case.objects.get()
    assert case.reports_count == 2 and {first.case_id, other.case_id} == {case.pk}
    assert list(first.rules.all()) == [rule]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"category": "bogus"}, "Choose what's wrong"),
        ({"rule_ids": ["999999"]}, "Pick rules"),
        ({"comment": "x" * 2001}, "under 2000"),
    ],
)
def test_bad_reports_change_nothing(post, reporter, kw, message):
    with pytest.raises(ValidationError, match=message):
        _report(reporter, post, **kw)
    assert not Case.objects.exists() and not Report.objects.exists()


def test_unknown_or_future_targets_are_refused(reporter):
    with pytest.raises(ValidationError, match="doesn't exist"):
        services.report_create(reporter=reporter, target_kind="post", target_id=1, category="spam")
    with pytest.raises(ValidationError, match="doesn't exist"):
        services.report_create(reporter=reporter, target_kind="job", target_id=1, category="spam")
    with pytest.raises(ValidationError, match="can't be reported"):
        services.report_create(reporter=reporter, target_kind="x", target_id=1, category="spam")


def test_no_reporting_yourself(post, author):
    with pytest.raises(ValidationError, match="your own"):
        _report(author, post)


def test_extra_items_must_come_from_the_same_account(post, reporter, make_user):
    from kiln.posts.services import post_create

    other = post_create(author=make_user("someone"), text="unrelated")
    with pytest.raises(ValidationError, match="same account"):
        _report(reporter, post, extra_items=[("post", other.pk)])
    more = post_create(author=post.author, text="another one")
    report = _report(reporter, post, extra_items=[("post", more.pk)])
    assert report.extra_items == [{"kind": "post", "id": more.pk}]


def test_public_notice_needs_contact_and_good_faith_and_is_confirmed(
    post, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError, match="good faith"):
        services.report_create(
            reporter=None,
            target_kind="post",
            target_id=post.pk,
            category="illegal",
            comment="why",
            reporter_name="N",
            reporter_email="n@example.org",
        )
    with pytest.raises(ValidationError):
        services.report_create(
            reporter=None,
            target_kind="post",
            target_id=post.pk,
            category="illegal",
            comment="why",
            reporter_name="N",
            reporter_email="not-an-email",
            good_faith=True,
        )
    assert not Report.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_create(
            reporter=None,
            target_kind="post",
            target_id=post.pk,
            category="illegal",
            comment="why",
            reporter_name="N",
            reporter_email="n@example.org",
            good_faith=True,
        )
    assert report.reporter is None
    assert len(mail.outbox) == 1 and "received your notice" in mail.outbox[0].subject
    assert mail.outbox[0].to == ["n@example.org"]


def test_report_floods_are_rate_limited(post, reporter, make_user, settings):
    from kiln.posts.services import post_create

    settings.KILN_MODERATION_REPORTS_PER_HOUR = 3
    posts = [post_create(author=post.author, text=f"p{i}") for i in range(4)]
    for p in posts[:3]:
        _report(reporter, p)
    with pytest.raises(ValidationError, match="Too many reports"):
        _report(reporter, posts[3])
    assert Report.objects.count() == 3


def test_remove_then_appeal_reversed_by_another_moderator(
    post, reporter, mod, mod2, rule, django_capture_on_commit_callbacks
):
    case = _report(reporter, post).case
    services.case_assign(moderator=mod, case=case)
    action = services.action_take(
        moderator=mod,
        kind="remove",
        target_kind="post",
        target_id=post.pk,
        facts="The file carries Stable Diffusion parameters.",
        rule=rule,
        case=case,
    )
    post.refresh_from_db()
    assert post.deleted_at is not None and post.text  # hidden, kept for appeal
    case.refresh_from_db()
    assert case.state == "resolved" and case.outcome == "Content removed"
    kinds = set(Notification.objects.values_list("recipient__username", "kind"))
    assert ("author", "moderation") in kinds and ("reporter", "report_outcome") in kinds

    appeal = services.appeal_create(user=post.author, action=action, message="I painted it.")
    with pytest.raises(PermissionDenied, match="did not take"):
        services.appeal_decide(moderator=mod, appeal=appeal, reverse=True)
    services.appeal_decide(moderator=mod2, appeal=appeal, reverse=True, note="Process video")
    post.refresh_from_db()
    action.refresh_from_db()
    assert post.deleted_at is None and action.reversed_at is not None
    assert Appeal.objects.get().state == "reversed"
    verbs = list(AuditEntry.objects.order_by("id").values_list("verb", flat=True))
    assert verbs == [
        "report.create",
        "case.assign",
        "action.remove",
        "appeal.create",
        "appeal.reverse",
    ]


def test_limit_suspend_and_their_reversal(post, reporter, mod, mod2, rule):
    author = post.author
    limit = services.action_take(
        moderator=mod,
        kind="limit",
        target_kind="profile",
        target_id=author.pk,
        facts="Spam run",
        rule=rule,
    )
    author.refresh_from_db()
    assert author.is_limited
    suspend = services.action_take(
        moderator=mod,
        kind="suspend",
        target_kind="profile",
        target_id=author.pk,
        facts="Ban evasion",
        rule=rule,
    )
    author.refresh_from_db()
    assert not author.is_active
    for action in (limit, suspend):
        appeal = services.appeal_create(user=author, action=action, message="Please")
        services.appeal_decide(moderator=mod2, appeal=appeal, reverse=True)
    author.refresh_from_db()
    assert author.is_active and not author.is_limited


def test_suspension_signs_the_account_out(
    post, mod, rule, client, django_capture_on_commit_callbacks
):
    client.force_login(post.author)
    assert client.get("/settings/account-status").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        services.action_take(
            moderator=mod,
            kind="suspend",
            target_kind="profile",
            target_id=post.author.pk,
            facts="x",
            rule=rule,
        )
    from django.contrib.sessions.models import Session

    assert not Session.objects.exists()
    assert client.get("/settings/account-status").status_code == 302  # to the login page


def test_moderators_cannot_act_on_their_own_report_or_account(post, mod, mod2, rule):
    case = _report(mod, post).case
    with pytest.raises(PermissionDenied, match="You reported"):
        services.action_take(
            moderator=mod,
            kind="warn",
            target_kind="post",
            target_id=post.pk,
            facts="x",
            rule=rule,
            case=case,
        )
    from kiln.posts.services import post_create

    own = post_create(author=mod, text="mine")
    with pytest.raises(PermissionDenied, match="your own account"):
        services.action_take(
            moderator=mod, kind="remove", target_kind="post", target_id=own.pk, facts="x", rule=rule
        )
    assert not Action.objects.exists()
    assert not AuditEntry.objects.exclude(verb="report.create").exists()


def test_actions_need_facts_and_a_rule_and_a_moderator(post, mod, reporter, rule):
    with pytest.raises(ValidationError, match="facts"):
        services.action_take(
            moderator=mod,
            kind="remove",
            target_kind="post",
            target_id=post.pk,
            facts=" ",
            rule=rule,
        )
    with pytest.raises(ValidationError, match="Cite the rule"):
        services.action_take(
            moderator=mod, kind="remove", target_kind="post", target_id=post.pk, facts="x"
        )
    with pytest.raises(PermissionDenied):
        services.action_take(
            moderator=reporter,
            kind="remove",
            target_kind="post",
            target_id=post.pk,
            facts="x",
            rule=rule,
        )
    assert Post.objects.get(pk=post.pk).deleted_at is None


def test_mark_mature_and_uphold(post, mod, mod2, rule):
    action = services.action_take(
        moderator=mod,
        kind="mature",
        target_kind="post",
        target_id=post.pk,
        facts="Nudity",
        rule=rule,
    )
    assert Post.objects.get(pk=post.pk).is_mature
    appeal = services.appeal_create(user=post.author, action=action, message="It's art")
    services.appeal_decide(moderator=mod2, appeal=appeal, reverse=False)
    assert Post.objects.get(pk=post.pk).is_mature
    with pytest.raises(ValidationError, match="already reviewed"):
        services.appeal_create(user=post.author, action=action, message="again")


def test_only_the_affected_account_appeals(post, mod, reporter, rule):
    action = services.action_take(
        moderator=mod, kind="warn", target_kind="post", target_id=post.pk, facts="x", rule=rule
    )
    with pytest.raises(PermissionDenied):
        services.appeal_create(user=reporter, action=action, message="hm")


def test_audit_log_is_append_only(mod):
    entry = AuditEntry.objects.create(actor=mod, verb="test")
    entry.reason = "changed"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="x")
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().reason == ""


def test_what_the_reporter_cannot_see_cannot_be_reported(author, reporter, client):
    from kiln.posts.services import post_create

    private = post_create(author=author, text="for followers", visibility="followers")
    with pytest.raises(ValidationError, match="doesn't exist"):
        services.report_create(
            reporter=reporter, target_kind="post", target_id=private.pk, category="spam"
        )
    client.force_login(reporter)
    assert client.get(f"/report?kind=post&id={private.pk}").status_code == 400
    assert not Report.objects.exists()
