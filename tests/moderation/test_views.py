"""Pages: rules, transparency, the report dialog and public form, account status, the queue,
and the authorisation matrix over every staff page and action."""

import pytest
from django.core import mail

from kiln.moderation import services
from kiln.moderation.models import Action, AuditEntry, Case, Report

pytestmark = pytest.mark.django_db


def test_rules_page_lists_the_default_rules(client):
    page = client.get("/about/rules").content.decode()
    for title in (
        "No AI-generated work",
        "No reposting",
        "No harassment",
        "Label mature work",
        "No spam",
        "Follow the law",
    ):
        assert title in page


def test_member_reports_a_post_through_the_dialog(client, reporter, post, rule):
    client.force_login(reporter)
    dialog = client.get(f"/report?kind=post&id={post.pk}", HTTP_HX_REQUEST="true")
    assert b"<dialog" in dialog.content and b"No AI-generated work" in dialog.content
    resp = client.post(
        "/report",
        {"kind": "post", "id": post.pk, "category": "ai", "rules": [rule.pk], "comment": "SD"},
        HTTP_HX_REQUEST="true",
    )
    assert resp.status_code == 200 and b"received your report" in resp.content
    report = Report.objects.get()
    assert report.reporter == reporter and report.case.target_id == post.pk
    mine = client.get("/reports").content.decode()
    assert "Open" in mine


def test_report_form_bad_input(client, reporter, post):
    client.force_login(reporter)
    assert client.get("/report?kind=post&id=nope").status_code == 400
    assert client.get("/report").status_code == 400
    resp = client.post("/report", {"kind": "post", "id": post.pk, "category": "nope"})
    assert resp.status_code == 400 and b"Choose what" in resp.content
    resp = client.post("/report", {"kind": "post", "id": post.pk}, HTTP_HX_REQUEST="true")
    assert resp.status_code == 200  # htmx swaps only 2xx: the dialog shows the error
    assert b"<dialog" in resp.content and b"Choose what" in resp.content
    assert not Report.objects.exists()


def test_public_notice_form_without_an_account(client, post, django_capture_on_commit_callbacks):
    form = client.get(f"/report?kind=post&id={post.pk}").content.decode()
    assert "good faith" in form and 'name="email"' in form
    data = {
        "kind": "post",
        "id": post.pk,
        "category": "illegal",
        "comment": "Stolen from me",
        "name": "Nia",
        "email": "nia@example.org",
        "good_faith": "on",
    }
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post("/report", data)
    assert resp.status_code == 200
    assert mail.outbox and mail.outbox[0].to == ["nia@example.org"]
    report = Report.objects.get()
    assert report.reporter is None and report.reporter_email == "nia@example.org"


def test_statement_of_reasons_on_account_status_and_appeal(client, post, mod, rule, reporter):
    report = services.report_create(
        reporter=reporter, target_kind="post", target_id=post.pk, category="ai"
    )
    action = services.action_take(
        moderator=mod,
        kind="remove",
        target_kind="post",
        target_id=post.pk,
        facts="SD parameters in the PNG",
        rule=rule,
        case=report.case,
    )
    client.force_login(post.author)
    page = client.get("/settings/account-status").content.decode()
    assert "SD parameters in the PNG" in page and "No AI-generated work" in page
    assert "a moderator decided" in page
    assert "reporter" not in page  # the reporter's identity is never shown
    resp = client.post(f"/settings/account-status/{action.pk}/appeal", {"message": "Hand-made"})
    assert resp.status_code == 302
    assert action.appeals.get().message == "Hand-made"


def test_nobody_else_can_appeal_a_statement(client, post, mod, rule, reporter):
    action = services.action_take(
        moderator=mod, kind="warn", target_kind="post", target_id=post.pk, facts="x", rule=rule
    )
    client.force_login(reporter)
    assert (
        client.post(f"/settings/account-status/{action.pk}/appeal", {"message": "hm"}).status_code
        == 404
    )
    assert not action.appeals.exists()


def test_transparency_counts_from_the_log(client, post, mod, rule, reporter):
    report = services.report_create(
        reporter=reporter, target_kind="post", target_id=post.pk, category="ai"
    )
    services.action_take(
        moderator=mod,
        kind="remove",
        target_kind="post",
        target_id=post.pk,
        facts="x",
        rule=rule,
        case=report.case,
    )
    t = client.get("/about/transparency").context["t"]
    assert t["by_action"] == {"Content removed": 1}
    assert t["by_category"] == {"AI-generated work": 1}


# --- the authorisation matrix -----------------------------------------------------------


@pytest.fixture
def case(post, reporter):
    return services.report_create(
        reporter=reporter, target_kind="post", target_id=post.pk, category="ai"
    ).case


def _pages(case):
    return [
        ("get", "/moderation", {}),
        ("get", f"/moderation/cases/{case.pk}", {}),
        ("post", f"/moderation/cases/{case.pk}/assign", {}),
        ("post", f"/moderation/cases/{case.pk}/act", {"kind": "dismiss", "facts": "fine"}),
        ("get", "/moderation/audit", {}),
    ]


@pytest.mark.parametrize("who", ["anonymous", "member", "author", "moderator", "admin"])
def test_authorisation_matrix(client, who, case, reporter, mod, admin_user):
    user = {
        "anonymous": None,
        "member": reporter,
        "author": case.account,
        "moderator": mod,
        "admin": admin_user,
    }[who]
    if user is not None:
        client.force_login(user)
    for method, url, data in _pages(case):
        status = getattr(client, method)(url, data).status_code
        if who in ("anonymous", "member", "author"):
            assert status == 404, (who, url)
        elif url.endswith("/audit"):
            assert status == (200 if who == "admin" else 404), (who, url)
        else:
            assert status in (200, 302), (who, url)
    case.refresh_from_db()
    if who in ("moderator", "admin"):
        assert case.state == "resolved"
        assert AuditEntry.objects.filter(verb="action.dismiss").count() == 1
    else:
        assert case.state == "open" and case.assignee is None
        assert not Action.objects.exists()
        assert list(AuditEntry.objects.values_list("verb", flat=True)) == ["report.create"]


def test_queue_filters_and_assignment(client, case, mod, mod2):
    client.force_login(mod)
    client.post(f"/moderation/cases/{case.pk}/assign")
    assert Case.objects.get().assignee == mod
    assert f"case-{case.pk}" in client.get("/moderation?assignee=me").content.decode()
    client.force_login(mod2)
    assert f"case-{case.pk}" not in client.get("/moderation?assignee=me").content.decode()
    assert f"case-{case.pk}" not in client.get("/moderation?state=resolved").content.decode()
    assert f"case-{case.pk}" in client.get("/moderation?type=reports").content.decode()


def test_case_page_shows_evidence_but_a_reporter_cannot_decide(client, case, mod, post):
    client.force_login(mod)
    page = client.get(f"/moderation/cases/{case.pk}").content.decode()
    assert post.text in page and "@reporter" in page and "Take the decision" in page
    services.report_create(reporter=mod, target_kind="post", target_id=post.pk, category="ai")
    page = client.get(f"/moderation/cases/{case.pk}").content.decode()
    assert "another moderator must decide" in page
    resp = client.post(f"/moderation/cases/{case.pk}/act", {"kind": "dismiss", "facts": "x"})
    assert resp.status_code == 302
    assert Case.objects.get().state == "open"


def test_appeal_decision_from_the_queue(client, post, mod, mod2, rule):
    action = services.action_take(
        moderator=mod, kind="remove", target_kind="post", target_id=post.pk, facts="x", rule=rule
    )
    appeal = services.appeal_create(user=post.author, action=action, message="mine")
    client.force_login(mod)
    assert "another moderator must review" in client.get("/moderation").content.decode()
    client.post(f"/moderation/appeals/{appeal.pk}", {"decision": "reverse"})
    appeal.refresh_from_db()
    assert appeal.state == "open"
    client.force_login(mod2)
    client.post(f"/moderation/appeals/{appeal.pk}", {"decision": "bogus"})
    appeal.refresh_from_db()
    assert appeal.state == "open"
    client.post(f"/moderation/appeals/{appeal.pk}", {"decision": "reverse", "note": "ok"})
    appeal.refresh_from_db()
    assert appeal.state == "reversed"


def test_suspended_account_appeals_through_the_emailed_link(
    client, post, mod, mod2, rule, django_capture_on_commit_callbacks
):
    import re

    with django_capture_on_commit_callbacks(execute=True):
        action = services.action_take(
            moderator=mod,
            kind="suspend",
            target_kind="profile",
            target_id=post.author.pk,
            facts="Ban evasion",
            rule=rule,
        )
    sent = [m for m in mail.outbox if m.to == [post.author.email]]
    assert (
        len(sent) == 1
        and "Ban evasion" in sent[0].body
        and "no part of it was automated" in sent[0].body
    )
    path = re.search(r"http://\S+(/appeal/\S+)", sent[0].body).group(1)
    assert client.get(path[:-3] + "xyz").status_code == 404  # a forged token
    page = client.get(path).content.decode()
    assert "Ban evasion" in page
    client.post(path, {"message": "It was my sister's account"})
    appeal = action.appeals.get()
    services.appeal_decide(moderator=mod2, appeal=appeal, reverse=True)
    post.author.refresh_from_db()
    assert post.author.is_active


def test_a_project_report_can_name_one_of_its_images(client, reporter, author):
    from django.utils import timezone

    from kiln.media.models import MediaAsset
    from kiln.portfolio.models import Project, ProjectImage

    project = Project.objects.create(
        owner=author, title="Series", state="published", published_at=timezone.now()
    )
    asset = MediaAsset.objects.create(
        owner=author,
        state="ready",
        original_key="k",
        original_format="png",
        original_sha256="0" * 64,
    )
    ProjectImage.objects.create(project=project, asset=asset)
    client.force_login(reporter)
    form = client.get(f"/report?kind=project&id={project.pk}").content.decode()
    assert f'value="image:{asset.pk}"' in form
    client.post(
        "/report",
        {"kind": "project", "id": project.pk, "category": "stolen", "extra": f"image:{asset.pk}"},
    )
    assert Report.objects.get().extra_items == [{"kind": "image", "id": asset.pk}]


@pytest.mark.parametrize("who", ["anonymous", "member", "author"])
def test_non_moderators_cannot_decide_appeals_or_provenance_items(
    client, who, post, mod, rule, reporter
):
    action = services.action_take(
        moderator=mod, kind="remove", target_kind="post", target_id=post.pk, facts="x", rule=rule
    )
    appeal = services.appeal_create(user=post.author, action=action, message="mine")
    user = {"anonymous": None, "member": reporter, "author": post.author}[who]
    if user:
        client.force_login(user)
    assert (
        client.post(f"/moderation/appeals/{appeal.pk}", {"decision": "reverse"}).status_code == 404
    )
    assert (
        client.post("/moderation/provenance/appeals/1", {"decision": "accept"}).status_code == 404
    )
    assert (
        client.post("/moderation/provenance/takedowns/1", {"decision": "remove"}).status_code == 404
    )
    appeal.refresh_from_db()
    assert appeal.state == "open"


def test_a_reported_moderator_never_sees_their_reporter(client, mod, reporter):
    from kiln.posts.services import post_create

    own = post_create(author=mod, text="a moderator's post")
    case = services.report_create(
        reporter=reporter, target_kind="post", target_id=own.pk, category="spam"
    ).case
    client.force_login(mod)
    assert f"case-{case.pk}" not in client.get("/moderation").content.decode()
    assert client.get(f"/moderation/cases/{case.pk}").status_code == 404
