"""What goes into a data export: one generator of JSON-ready records per kind of data.

Each reads in pages by id, so an account with years of posts is never loaded at once.
"""

from collections.abc import Iterator

from django.conf import settings
from django.urls import reverse

from kiln.accounts.models import Profile
from kiln.hiring.models_commissions import CommissionSheet, CommissionTier
from kiln.media.models import MediaAsset
from kiln.messages.models import Message
from kiln.notifications.models import NotificationPreference
from kiln.portfolio.models import Project
from kiln.posts.models import Bookmark, Post, PostLike, ProjectLike
from kiln.social.models import Block, Follow, Mute

PAGE = 500


def site_url(path: str = "") -> str:
    return settings.KILN_SITE_URL.rstrip("/") + path


def paged(queryset) -> Iterator:
    """Rows in id order, PAGE at a time (keyset, never OFFSET)."""
    last = None
    while True:
        page = queryset.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        rows = list(page[:PAGE])
        if not rows:
            return
        yield from rows
        last = rows[-1].pk


def iso(value) -> str | None:
    return value.isoformat() if value else None


def original_name(asset: MediaAsset) -> str:
    ext = asset.original_key.rsplit(".", 1)[-1] if "." in asset.original_key else "bin"
    return f"originals/{asset.pk}.{ext}"


def assets(user) -> Iterator[MediaAsset]:
    return paged(MediaAsset.objects.filter(owner=user))


def profile(user) -> dict:
    p = Profile.objects.filter(user=user).prefetch_related("links").first()
    return {
        "username": user.username,
        "email": user.email,
        "joined": iso(user.date_joined),
        "display_name": p.display_name if p else "",
        "bio": p.bio if p else "",
        "pronouns": p.pronouns if p else "",
        "location": p.location if p else "",
        "fields_of_work": p.fields_of_work if p else [],
        "links": [link.url for link in p.links.all()] if p else [],
        "consent": {
            "allow_search_indexing": p.allow_search_indexing,
            "allow_image_search": p.allow_image_search,
            "show_likes_publicly": p.show_likes_publicly,
            "ai_training": "refused",
        }
        if p
        else {},
    }


def post_url(post: Post) -> str:
    return site_url(f"/@{post.author.username}/posts/{post.pk}")


def posts(user) -> Iterator[dict]:
    qs = (
        Post.objects.filter(author=user, deleted_at__isnull=True)
        .select_related("author", "in_reply_to__author")
        .prefetch_related("attachments__asset", "tags")
    )
    for post in paged(qs):
        yield {
            "id": str(post.pk),
            "url": post_url(post),
            "created_at": iso(post.created_at),
            "text": post.text,
            "content_warning": post.content_warning,
            "visibility": post.visibility,
            "is_reply": post.in_reply_to_id is not None,
            "in_reply_to": post_url(post.in_reply_to) if post.in_reply_to_id else None,
            "is_repost_of": str(post.reblog_id) if post.reblog_id else None,
            "tags": [t.tag for t in post.tags.all()],
            "images": [
                {"file": original_name(a.asset), "alt_text": a.alt_text}
                for a in post.attachments.all()
            ],
        }


def projects(user) -> Iterator[dict]:
    qs = Project.objects.filter(owner=user).prefetch_related("images__asset", "labels")
    for project in paged(qs):
        yield {
            "id": str(project.pk),
            "url": site_url(f"/@{user.username}/projects/{project.pk}"),
            "title": project.title,
            "description": project.description,
            "state": project.state,
            "created_on": iso(project.created_on),
            "published_at": iso(project.published_at),
            "labels": [{"kind": label.kind, "name": label.name} for label in project.labels.all()],
            "images": [
                {"file": original_name(i.asset), "alt_text": i.alt_text}
                for i in project.images.all()
            ],
        }


def likes(user) -> Iterator[str]:
    for like in paged(PostLike.objects.filter(user=user).select_related("post__author")):
        yield post_url(like.post)
    for like in paged(ProjectLike.objects.filter(user=user)):
        yield site_url(f"/projects/{like.project_id}")


def bookmarks(user) -> Iterator[dict]:
    qs = Bookmark.objects.filter(collection__owner=user).select_related(
        "collection", "post__author"
    )
    for b in paged(qs):
        url = post_url(b.post) if b.post_id else site_url(f"/projects/{b.project_id}")
        yield {"collection": b.collection.name, "url": url, "saved_at": iso(b.created_at)}


def people(user) -> dict:
    def names(qs, field):
        return [getattr(row, field).username for row in paged(qs.select_related(field))]

    return {
        "following": names(Follow.objects.filter(follower=user), "followed"),
        "followers": names(Follow.objects.filter(followed=user), "follower"),
        "blocks": names(Block.objects.filter(blocker=user), "blocked"),
        "mutes": names(Mute.objects.filter(muter=user), "muted"),
    }


def notification_settings(user) -> dict:
    off = NotificationPreference.objects.filter(user=user, enabled=False)
    return {"switched_off": sorted(off.values_list("kind", flat=True))}


def commission_sheet(user) -> dict:
    sheet = CommissionSheet.objects.filter(artist=user).first()
    tiers = CommissionTier.objects.filter(artist=user).order_by("position", "pk")
    return {
        "status": sheet.status if sheet else None,
        "slots": sheet.slots if sheet else None,
        "terms": sheet.terms if sheet else "",
        "payment_url": sheet.payment_url if sheet else "",
        "tiers": [
            {
                "name": t.name,
                "description": t.description,
                "price_from": t.price_from,
                "currency": t.currency,
                "turnaround_days": t.turnaround_days,
            }
            for t in tiers
        ],
    }


def messages_sent(user) -> Iterator[dict]:
    qs = Message.objects.filter(sender=user).select_related("conversation")
    for m in paged(qs.prefetch_related("images__asset")):
        yield {
            "sent_at": iso(m.created_at),
            "conversation": str(m.conversation_id),
            "subject": m.conversation.subject,
            "body": m.body,
            "images": [original_name(i.asset) for i in m.images.all()],
        }


# --- ActivityStreams, in the layout of Mastodon's archive (actor.json, outbox.json) ---------

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"


def actor(user, prof: dict) -> dict:
    url = site_url(reverse("accounts:profile", args=[user.username]))
    return {
        "@context": AS_CONTEXT,
        "id": url,
        "type": "Person",
        "preferredUsername": user.username,
        "name": prof["display_name"] or user.username,
        "summary": prof["bio"],
        "url": url,
        "published": prof["joined"],
        "outbox": "outbox.json",
        "likes": "likes.json",
        "bookmarks": "bookmarks.json",
    }


def outbox_activity(user, post: dict) -> dict:
    actor_url = site_url(reverse("accounts:profile", args=[user.username]))
    public = "https://www.w3.org/ns/activitystreams#Public"
    note = {
        "id": post["url"],
        "type": "Note",
        "attributedTo": actor_url,
        "content": post["text"],
        "summary": post["content_warning"] or None,
        "published": post["created_at"],
        "inReplyTo": post["in_reply_to"],
        "to": [public] if post["visibility"] == "public" else [actor_url + "/followers"],
        "tag": [{"type": "Hashtag", "name": f"#{t}"} for t in post["tags"]],
        "attachment": [
            {"type": "Document", "url": i["file"], "name": i["alt_text"]} for i in post["images"]
        ],
    }
    return {
        "id": post["url"] + "/activity",
        "type": "Create",
        "actor": actor_url,
        "published": post["created_at"],
        "to": note["to"],
        "object": note,
    }
