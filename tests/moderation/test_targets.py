"""Messages and job listings plug into reports: who may report them, what removal does."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kiln.hiring.models import JobListing
from kiln.moderation import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(author):
    now = timezone.now()
    return JobListing.objects.create(
        poster=author,
        title="Prompt engineer",
        organisation="GenCo",
        description="Make AI art",
        role_type="contract",
        workplace="remote",
        pay_min=1,
        pay_max=2,
        currency="eur",
        pay_period="month",
        deadline=timezone.localdate() + timedelta(days=30),
        apply_method="kiln",
        state="published",
        published_at=now,
        expires_at=now + timedelta(days=30),
    )


def test_job_listing_report_remove_and_restore(listing, reporter, mod, mod2, rule):
    case = services.report_create(
        reporter=reporter, target_kind="job", target_id=listing.pk, category="ai"
    ).case
    action = services.action_take(
        moderator=mod,
        kind="remove",
        target_kind="job",
        target_id=listing.pk,
        facts="An AI job",
        rule=rule,
        case=case,
    )
    listing.refresh_from_db()
    assert listing.state == "removed" and listing.removed_at is not None
    appeal = services.appeal_create(user=listing.poster, action=action, message="No")
    services.appeal_decide(moderator=mod2, appeal=appeal, reverse=True)
    listing.refresh_from_db()
    assert listing.state == "published" and listing.removed_at is None


def test_drafts_are_not_reportable(listing, reporter):
    JobListing.objects.filter(pk=listing.pk).update(state="draft")
    with pytest.raises(ValidationError, match="doesn't exist"):
        services.report_create(
            reporter=reporter, target_kind="job", target_id=listing.pk, category="spam"
        )


def test_only_a_recipient_reports_a_message_even_after_blocking(
    author, reporter, make_user, mod, rule
):
    from kiln.messages.services import conversation_open_direct, message_send
    from kiln.social.services import block_create, follow_create

    follow_create(follower=reporter, followed=author)  # reporter takes messages from follows
    conversation = conversation_open_direct(sender=author, recipient=reporter)
    message = message_send(sender=author, conversation=conversation, body="You're worthless")
    with pytest.raises(ValidationError, match="doesn't exist"):
        services.report_create(
            reporter=make_user("outsider"),
            target_kind="message",
            target_id=message.pk,
            category="harassment",
        )
    block_create(blocker=reporter, blocked=author)
    report = services.report_create(
        reporter=reporter, target_kind="message", target_id=message.pk, category="harassment"
    )
    assert report.case.account == author
    with pytest.raises(ValidationError, match="can be removed"):
        services.action_take(
            moderator=mod,
            kind="remove",
            target_kind="message",
            target_id=message.pk,
            facts="x",
            rule=rule,
            case=report.case,
        )
    services.action_take(
        moderator=mod,
        kind="warn",
        target_kind="message",
        target_id=message.pk,
        facts="Abuse in a private message",
        rule=rule,
        case=report.case,
    )


def test_a_removed_project_cannot_be_published_again_until_an_appeal_restores_it(
    author, reporter, mod, mod2, rule, django_capture_on_commit_callbacks
):
    from kiln.media.services import media_asset_create
    from kiln.portfolio import services as portfolio
    from kiln.portfolio.models import Project
    from kiln.portfolio.services import ImageInput, ProjectInput

    from ..portfolio.conftest import png_bytes

    with django_capture_on_commit_callbacks(execute=True):
        asset = media_asset_create(owner=author, upload=png_bytes())
    data = ProjectInput(title="Study", images=[ImageInput(asset_id=asset.pk, alt_text="x")])
    project = portfolio.project_publish(
        user=author, project=portfolio.project_create(owner=author, data=data)
    )
    action = services.action_take(
        moderator=mod,
        kind="remove",
        target_kind="project",
        target_id=project.pk,
        facts="Reposted work",
        rule=rule,
    )
    project.refresh_from_db()
    assert project.state == Project.State.DRAFT and project.removed_at is not None
    with pytest.raises(ValidationError, match="moderators removed this project"):
        portfolio.project_publish(user=author, project=project)
    appeal = services.appeal_create(user=author, action=action, message="It is mine")
    services.appeal_decide(moderator=mod2, appeal=appeal, reverse=True)
    project.refresh_from_db()
    assert project.state == Project.State.PUBLISHED and project.removed_at is None
