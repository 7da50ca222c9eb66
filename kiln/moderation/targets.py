"""The reportable things, behind one small interface: load a target by (kind, id), say whose it
is, link to it, show it as evidence, and hide or restore it. A new kind plugs in with a
loader in LOADERS and a rule in `visible_to`."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone

from kiln.accounts.models import User
from kiln.hiring.models import JobListing
from kiln.media.models import MediaAsset
from kiln.messages.models import ConversationMember, Message, MessageImage
from kiln.portfolio.models import Project, ProjectImage
from kiln.portfolio.selectors import can_view_project
from kiln.posts.models import Post, PostAttachment
from kiln.posts.selectors import can_view_post
from kiln.provenance import selectors as provenance_selectors

from .models import TargetKind


@dataclass
class Target:
    kind: str
    id: int
    account: User
    url: str
    label: str
    text: str = ""
    asset_ids: list[int] = field(default_factory=list)
    obj: object = None


def _post(pk: int) -> Target:
    post = Post.objects.select_related("author").filter(pk=pk, reblog__isnull=True).first()
    if post is None:
        raise ValidationError("That post doesn't exist.")
    assets = list(PostAttachment.objects.filter(post=post).values_list("asset_id", flat=True))
    return Target(
        TargetKind.POST,
        post.pk,
        post.author,
        f"/@{post.author.username}/posts/{post.pk}",
        f"Post by @{post.author.username}",
        post.text,
        assets,
        post,
    )


def _project(pk: int) -> Target:
    project = Project.objects.select_related("owner").filter(pk=pk).first()
    if project is None or project.published_at is None:
        raise ValidationError("That project doesn't exist.")
    assets = list(ProjectImage.objects.filter(project=project).values_list("asset_id", flat=True))
    return Target(
        TargetKind.PROJECT,
        project.pk,
        project.owner,
        f"/@{project.owner.username}/projects/{project.pk}",
        f"Project “{project.title or 'untitled'}” by @{project.owner.username}",
        project.description,
        assets,
        project,
    )


def image_parent(asset_id: int) -> tuple[str, int] | None:
    """The post or project that shows an image: an image is removed by removing its parent."""
    image = ProjectImage.objects.filter(asset_id=asset_id).values_list("project_id", flat=True)
    if image:
        return TargetKind.PROJECT, image[0]
    post = PostAttachment.objects.filter(asset_id=asset_id).values_list("post_id", flat=True)
    if post:
        return TargetKind.POST, post[0]
    return None


def _image(pk: int) -> Target:
    asset = MediaAsset.objects.select_related("owner").filter(pk=pk).first()
    parent = image_parent(pk) if asset else None
    if asset is None or parent is None:
        raise ValidationError("That image doesn't exist.")
    url = load(*parent).url
    return Target(
        TargetKind.IMAGE, asset.pk, asset.owner, url, f"Image by @{asset.owner.username}", "", [pk]
    )


def _profile(pk: int) -> Target:
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise ValidationError("That account doesn't exist.")
    return Target(
        TargetKind.PROFILE, user.pk, user, f"/@{user.username}", f"Profile of @{user.username}"
    )


def _message(pk: int) -> Target:
    message = Message.objects.select_related("sender").filter(pk=pk).first()
    if message is None:
        raise ValidationError("That message doesn't exist.")
    return Target(
        TargetKind.MESSAGE,
        message.pk,
        message.sender,
        f"/messages/{message.conversation_id}",
        f"Message from @{message.sender.username}",
        message.body,
        list(MessageImage.objects.filter(message=message).values_list("asset_id", flat=True)),
        message,
    )


def _job(pk: int) -> Target:
    listing = JobListing.objects.select_related("poster").filter(pk=pk).first()
    if listing is None or listing.published_at is None:
        raise ValidationError("That job listing doesn't exist.")
    return Target(
        TargetKind.JOB,
        listing.pk,
        listing.poster,
        f"/jobs/{listing.pk}",
        f"Job “{listing.title}” by @{listing.poster.username}",
        listing.description,
        [],
        listing,
    )


LOADERS = {
    TargetKind.POST: _post,
    TargetKind.PROJECT: _project,
    TargetKind.IMAGE: _image,
    TargetKind.PROFILE: _profile,
    TargetKind.MESSAGE: _message,
    TargetKind.JOB: _job,
}


def visible_to(target: Target, viewer) -> bool:
    """Whether the viewer may see the item: nobody can report (or probe) what they can't see."""
    if target.kind == TargetKind.POST:
        return not target.obj.is_deleted and can_view_post(target.obj, viewer)
    if target.kind == TargetKind.PROJECT:
        return can_view_project(target.obj, viewer)
    if target.kind == TargetKind.IMAGE:
        parent = image_parent(target.id)
        return parent is not None and visible_to(load(*parent), viewer)
    if target.kind == TargetKind.MESSAGE:
        # Only its recipients, even after they blocked the sender: block, then report.
        return bool(
            getattr(viewer, "is_authenticated", False)
            and ConversationMember.objects.filter(
                conversation_id=target.obj.conversation_id, user_id=viewer.pk
            ).exists()
        )
    if target.kind == TargetKind.JOB:
        return target.obj.state == JobListing.State.PUBLISHED and target.account.is_active
    return target.account.is_active


def load(kind: str, pk) -> Target:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise ValidationError("Say which item you are reporting.") from None
    loader = LOADERS.get(kind)
    if loader is None:
        raise ValidationError("That kind of item can't be reported.")
    return loader(pk)


def previews(asset_ids: list[int]) -> list[str]:
    """Rendition URLs of the images under report: the only private originals a moderator sees
    are these (renditions of them, never the original file)."""
    assets = MediaAsset.objects.filter(pk__in=asset_ids).prefetch_related("renditions")
    return [url for url in (provenance_selectors.preview_url(a) for a in assets) if url]


# --- what actions do to content; each returns the previous value so it can be reversed -----


def set_removed(kind: str, pk: int, removed: bool) -> None:
    """Removal hides content without wiping it: kept for appeal and legal hold."""
    if kind == TargetKind.IMAGE:
        parent = image_parent(pk)
        if parent is None:
            return
        kind, pk = parent
    if kind == TargetKind.POST:
        Post.objects.filter(pk=pk).update(deleted_at=timezone.now() if removed else None)
    elif kind == TargetKind.JOB:
        # The board's own "removed by moderators" state; restoring publishes it again (the
        # board still hides it once it has expired).
        if removed:
            JobListing.objects.filter(pk=pk).update(
                state=JobListing.State.REMOVED,
                removed_at=timezone.now(),
                removed_reason="See the statement of reasons in Settings → Account status.",
                featured=False,
            )
        else:
            JobListing.objects.filter(pk=pk).update(
                state=JobListing.State.PUBLISHED, removed_at=None, removed_reason=""
            )
    elif kind == TargetKind.PROJECT:
        # A removed project goes back to draft: its owner still sees it, nobody else does,
        # and it can't be published again until an appeal restores it (`removed_at`).
        state = Project.State.DRAFT if removed else Project.State.PUBLISHED
        Project.objects.filter(pk=pk).update(
            state=state, removed_at=timezone.now() if removed else None
        )
    else:
        # Messages have no hidden state: warn, limit or suspend their sender instead.
        raise ValidationError("Only posts, projects, images and job listings can be removed.")


def set_mature(kind: str, pk: int, mature: bool) -> None:
    if kind == TargetKind.IMAGE:
        parent = image_parent(pk)
        if parent is None:
            return
        kind, pk = parent
    if kind == TargetKind.POST:
        Post.objects.filter(pk=pk).update(is_mature=mature)
    elif kind == TargetKind.PROJECT:
        Project.objects.filter(pk=pk).update(is_mature=mature)
    else:
        raise ValidationError("Only posts, projects and images can be marked as mature.")
