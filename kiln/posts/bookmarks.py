"""Bookmarks: private, named collections of posts and projects. Only the owner ever sees them.

Writes (`bookmark_*`, `bookmark_collection_*`) and reads live together here because they are
small; every function takes the owner and checks ownership itself.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.http import Http404

from kiln.core.access import AccessDenied
from kiln.core.converters import parse_id
from kiln.posts.models import Bookmark, BookmarkCollection, Post
from kiln.posts.selectors import can_view_post

MAX_COLLECTIONS = 100
DEFAULT_COLLECTION = "Saved"


def _owned_collection(*, owner, collection_id) -> BookmarkCollection:
    collection_id = parse_id(collection_id)
    if collection_id is None:
        raise Http404("No such collection.")
    collection = BookmarkCollection.objects.filter(pk=collection_id, owner_id=owner.pk).first()
    if collection is None:  # someone else's id is a 404: collections don't leak
        raise Http404("No such collection.")
    return collection


@transaction.atomic
def bookmark_collection_create(*, owner, name: str) -> BookmarkCollection:
    if not owner.is_authenticated:
        raise AccessDenied("Log in to bookmark.")
    name = (name or "").strip()
    if not name:
        raise ValidationError("Give the collection a name.")
    if len(name) > 60:
        raise ValidationError("A collection name can be at most 60 characters.")
    if BookmarkCollection.objects.filter(owner=owner, name__iexact=name).exists():
        raise ValidationError(f"You already have a collection called “{name}”.")
    if BookmarkCollection.objects.filter(owner=owner).count() >= MAX_COLLECTIONS:
        raise ValidationError(f"You can have at most {MAX_COLLECTIONS} collections.")
    try:
        with transaction.atomic():
            return BookmarkCollection.objects.create(owner=owner, name=name)
    except IntegrityError:
        raise ValidationError(f"You already have a collection called “{name}”.") from None


@transaction.atomic
def bookmark_collection_delete(*, owner, collection_id) -> None:
    _owned_collection(owner=owner, collection_id=collection_id).delete()


def _collection_for_add(*, owner, collection_id=None, new_name: str = "") -> BookmarkCollection:
    if new_name and new_name.strip():
        return bookmark_collection_create(owner=owner, name=new_name)
    if collection_id:
        return _owned_collection(owner=owner, collection_id=collection_id)
    existing = BookmarkCollection.objects.filter(owner=owner, name__iexact=DEFAULT_COLLECTION)
    return existing.first() or bookmark_collection_create(owner=owner, name=DEFAULT_COLLECTION)


@transaction.atomic
def bookmark_post_add(*, owner, post_id, collection_id=None, new_name: str = "") -> Bookmark:
    if not owner.is_authenticated:
        raise AccessDenied("Log in to bookmark.")
    post = Post.objects.select_related("author", "reblog__author").filter(pk=post_id).first()
    if post is not None and post.reblog_id:
        post = post.reblog
    if post is None or not can_view_post(post, owner):
        raise ValidationError("That post was deleted or you can't see it.")
    collection = _collection_for_add(owner=owner, collection_id=collection_id, new_name=new_name)
    bookmark, _ = Bookmark.objects.get_or_create(collection=collection, post=post)
    return bookmark


@transaction.atomic
def bookmark_project_add(*, owner, project_id, collection_id=None, new_name: str = "") -> Bookmark:
    from kiln.posts.projects import project_for_feed

    if not owner.is_authenticated:
        raise AccessDenied("Log in to bookmark.")
    project = project_for_feed(project_id=project_id, viewer=owner)
    collection = _collection_for_add(owner=owner, collection_id=collection_id, new_name=new_name)
    bookmark, _ = Bookmark.objects.get_or_create(collection=collection, project_id=project.pk)
    return bookmark


@transaction.atomic
def bookmark_remove(*, owner, collection_id, post_id=None, project_id=None) -> bool:
    collection = _owned_collection(owner=owner, collection_id=collection_id)
    qs = Bookmark.objects.filter(collection=collection)
    if post_id is not None:
        qs = qs.filter(post_id=post_id)
    elif project_id is not None:
        qs = qs.filter(project_id=project_id)
    else:
        return False
    deleted, _ = qs.delete()
    return bool(deleted)


@transaction.atomic
def bookmark_remove_everywhere(*, owner, post_id=None, project_id=None) -> int:
    """Un-save: the one-tap bookmark's undo and the Mastodon API's unbookmark. The item leaves
    every collection of the owner's, since a one-tap user never chose one."""
    qs = Bookmark.objects.filter(collection__owner_id=owner.pk)
    if post_id is not None:
        qs = qs.filter(post_id=post_id)
    elif project_id is not None:
        qs = qs.filter(project_id=project_id)
    else:
        return 0
    deleted, _ = qs.delete()
    return deleted


@transaction.atomic
def bookmark_move(*, owner, collection_id, post_id=None, project_id=None) -> Bookmark:
    """Move a saved item into one collection (leaving the others), e.g. out of "Saved"."""
    if post_id is not None:
        bookmark = bookmark_post_add(owner=owner, post_id=post_id, collection_id=collection_id)
        others = Bookmark.objects.filter(collection__owner_id=owner.pk, post_id=post_id)
    else:
        bookmark = bookmark_project_add(
            owner=owner, project_id=project_id, collection_id=collection_id
        )
        others = Bookmark.objects.filter(collection__owner_id=owner.pk, project_id=project_id)
    others.exclude(pk=bookmark.pk).delete()
    return bookmark


# --- reads ---------------------------------------------------------------------------------


def collections_for(*, owner) -> QuerySet[BookmarkCollection]:
    return BookmarkCollection.objects.filter(owner_id=owner.pk).annotate(size=Count("bookmarks"))


def collection_for_owner(*, owner, collection_id) -> BookmarkCollection:
    return _owned_collection(owner=owner, collection_id=collection_id)


def collection_items(*, collection: BookmarkCollection, viewer) -> dict:
    """Posts (hydrated) and projects (cards) in the collection, newest bookmark first."""
    from kiln.posts.projects import project_cards
    from kiln.posts.selectors import posts_hydrated

    rows = list(collection.bookmarks.order_by("-id").values_list("post_id", "project_id")[:200])
    post_ids = [post_id for post_id, _ in rows if post_id]
    cards = project_cards([project_id for _, project_id in rows if project_id], viewer)
    return {
        "posts": posts_hydrated(post_ids, viewer),
        "projects": [cards[pid] for _, pid in rows if pid and pid in cards],
    }


def collections_containing_post(*, owner, post_id) -> set[int]:
    return set(
        Bookmark.objects.filter(collection__owner_id=owner.pk, post_id=post_id).values_list(
            "collection_id", flat=True
        )
    )


def collections_containing_project(*, owner, project_id) -> set[int]:
    return set(
        Bookmark.objects.filter(collection__owner_id=owner.pk, project_id=project_id).values_list(
            "collection_id", flat=True
        )
    )
