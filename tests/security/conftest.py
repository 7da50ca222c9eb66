"""One small world for the authorisation matrix: Ana's objects, and four readers who may not
see them (anonymous, another user, a user Ana blocked, staff)."""

from dataclasses import dataclass, field

import pytest
from django.apps import apps

from tests.media import images

# Words that appear only in what a role may not see; a response containing one leaked it.
SECRET = {
    "post": "ZqxFollowersOnlyText",
    "draft": "ZqxDraftProjectTitle",
    "collection": "ZqxPrivateCollection",
    "message": "ZqxPrivateMessageBody",
}
PUBLIC = {  # Ana's public things: hidden from the user she blocked, and only from them
    "post": "ZqxPublicPostText",
    "project": "ZqxPublishedProjectTitle",
    "comment": "ZqxCommentOnProject",
}
# Rows a refused request must not change (sessions, rate limits and the like may).
COUNTED_APPS = {"posts", "social", "portfolio", "media", "cloak", "provenance", "notifications"}


@dataclass
class World:
    ana: object
    roles: dict  # role -> user or None
    objects: dict = field(default_factory=dict)  # role-independent: name -> object
    private_for: dict = field(default_factory=dict)  # role -> {param: object}


def row_counts() -> dict:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in COUNTED_APPS
    }


@pytest.fixture
def world(make_user, django_capture_on_commit_callbacks):
    from kiln.cloak.models import CloakJob
    from kiln.media.services import media_asset_create
    from kiln.portfolio.models import Project
    from kiln.posts import bookmarks, services
    from kiln.provenance.models import Appeal, RepostMatch, Screening, TakedownRequest
    from kiln.social.services import block_create

    ana = make_user("ana")
    other = make_user("ben")
    blocked = make_user("carl")
    staff = make_user("dora")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    block_create(blocker=ana, blocked=blocked)

    followers_post = services.post_create(author=ana, text=SECRET["post"], visibility="followers")
    public_post = services.post_create(author=ana, text=PUBLIC["post"])
    draft = Project.objects.create(owner=ana, title=SECRET["draft"])
    published = Project.objects.create(owner=ana, title=PUBLIC["project"], state="published")
    services.project_comment_create(author=ana, project_id=published.pk, text=PUBLIC["comment"])
    collection = bookmarks.bookmark_collection_create(owner=ana, name=SECRET["collection"])
    with django_capture_on_commit_callbacks(execute=False):  # no processing: rows are enough
        asset = media_asset_create(owner=ana, upload=images.png())
        copy = media_asset_create(owner=other, upload=images.png(32, 32))
    job = CloakJob.objects.create(asset=asset, owner=ana, intensity="default")
    screening = Screening.objects.create(asset=asset, policy="hold", state="held", verdict="ai")
    appeal = Appeal.objects.create(screening=screening, author=ana, message="mine")
    match = RepostMatch.objects.create(
        upload=copy, original=asset, original_artist=ana, method="pdq"
    )
    takedown = TakedownRequest.objects.create(match=match, requested_by=ana)
    # A conversation between Ana and a fifth user: private to the two of them.
    from kiln.messages.services import conversation_open_for_context, message_send

    eve = make_user("eve")
    conversation = conversation_open_for_context(
        starter=ana, other=eve, context_key="matrix", subject="private"
    )
    message_send(sender=ana, conversation=conversation, body=SECRET["message"])
    shared = {
        "username": ana.username,
        "asset_id": asset.pk,
        "collection_id": collection.pk,
        "job_id": job.pk,
        "match_id": match.pk,
        "appeal_id": appeal.pk,
        "takedown_id": takedown.pk,
        "conversation_id": conversation.pk,
    }
    hidden = {**shared, "post_id": followers_post.pk, "project_id": draft.pk}
    # The blocked user is refused even what is public: the block is the only reason.
    blocked_ids = {**shared, "post_id": public_post.pk, "project_id": published.pk}
    return World(
        ana=ana,
        roles={"anonymous": None, "other": other, "blocked": blocked, "staff": staff},
        objects={
            "followers_post": followers_post,
            "public_post": public_post,
            "draft": draft,
            "published": published,
            "collection": collection,
        },
        private_for={"anonymous": hidden, "other": hidden, "blocked": blocked_ids, "staff": hidden},
    )


def markers_for(role: str) -> list[str]:
    return list(SECRET.values()) + (list(PUBLIC.values()) if role == "blocked" else [])
