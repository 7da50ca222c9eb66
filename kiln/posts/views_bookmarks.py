"""Bookmark pages: collections list, one collection, and the "save to…" picker."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from kiln.core.access import AccessDenied
from kiln.core.http import is_htmx, refusal, safe_next
from kiln.posts import bookmarks
from kiln.posts.templatetags.kiln_posts import post_url
from kiln.posts.views import visible_post_hydrated


@login_required
@require_http_methods(["GET", "POST"])
def collections(request):
    error = None
    if request.method == "POST":
        try:
            collection = bookmarks.bookmark_collection_create(
                owner=request.user, name=request.POST.get("name", "")
            )
        except ValidationError as exc:
            error = exc
        else:
            return redirect("posts:bookmark_collection", collection_id=collection.pk)
    return render(
        request,
        "posts/bookmarks.html",
        {"collections": bookmarks.collections_for(owner=request.user), "error": error},
        status=400 if error else 200,
    )


@login_required
def collection(request, collection_id: int):
    found = bookmarks.collection_for_owner(owner=request.user, collection_id=collection_id)
    return render(
        request,
        "posts/bookmark_collection.html",
        {
            "collection": found,
            **bookmarks.collection_items(collection=found, viewer=request.user),
        },
    )


@login_required
@require_POST
def collection_delete(request, collection_id: int):
    bookmarks.bookmark_collection_delete(owner=request.user, collection_id=collection_id)
    messages.success(request, "Collection deleted.")
    return redirect("posts:bookmarks")


@login_required
@require_POST
def post_save(request, post_id: int):
    """One tap: into the default "Saved" collection, no naming first; moving is offered after."""
    try:
        saved = bookmarks.bookmark_post_add(owner=request.user, post_id=post_id)
    except (ValidationError, AccessDenied) as exc:
        return refusal(request, exc)
    return _after_save(request, post_id, f"Saved to “{saved.collection.name}”.")


@login_required
@require_POST
def post_unsave(request, post_id: int):
    post = visible_post_hydrated(post_id, request.user)
    if post is None:
        return refusal(request, ValidationError("That post was deleted or you can't see it."))
    bookmarks.bookmark_remove_everywhere(owner=request.user, post_id=post.display.pk)
    return _after_save(request, post_id, "Removed from your bookmarks.")


def _after_save(request, post_id: int, message: str):
    post = visible_post_hydrated(post_id, request.user)
    if is_htmx(request):
        if post is None:
            return render(request, "posts/_gone.html")
        return render(request, "posts/_actions.html", {"p": post.display, "post": post})
    messages.success(request, message)
    return redirect(safe_next(request, post_url(post.display) if post is not None else "/"))


@login_required
@require_POST
def project_save(request, project_id: int):
    try:
        saved = bookmarks.bookmark_project_add(owner=request.user, project_id=project_id)
    except (ValidationError, AccessDenied) as exc:
        return refusal(request, exc)
    messages.success(request, f"Saved to “{saved.collection.name}”.")
    return redirect(safe_next(request, f"/projects/{project_id}/bookmark"))


@login_required
@require_POST
def project_unsave(request, project_id: int):
    bookmarks.bookmark_remove_everywhere(owner=request.user, project_id=project_id)
    messages.success(request, "Removed from your bookmarks.")
    return redirect(safe_next(request, f"/projects/{project_id}/bookmark"))


@login_required
@require_http_methods(["GET", "POST"])
def post_bookmark(request, post_id: int):
    """Pick a collection (or name a new one) for a post; POST adds or removes."""
    post = visible_post_hydrated(post_id, request.user)
    if post is None:
        return refusal(request, ValidationError("That post was deleted or you can't see it."))
    if request.method == "POST":
        try:
            if request.POST.get("remove"):
                bookmarks.bookmark_remove(
                    owner=request.user,
                    collection_id=request.POST.get("collection"),
                    post_id=post.display.pk,
                )
                messages.success(request, "Removed from the collection.")
            elif request.POST.get("move"):
                saved = bookmarks.bookmark_move(
                    owner=request.user,
                    collection_id=request.POST.get("collection"),
                    post_id=post.display.pk,
                )
                messages.success(request, f"Moved to “{saved.collection.name}”.")
            else:
                saved = bookmarks.bookmark_post_add(
                    owner=request.user,
                    post_id=post.display.pk,
                    collection_id=request.POST.get("collection"),
                    new_name=request.POST.get("new_name", ""),
                )
                messages.success(request, f"Saved to “{saved.collection.name}”.")
        except (ValidationError, AccessDenied) as exc:
            return refusal(request, exc)
        return redirect(safe_next(request, request.path))
    return render(
        request,
        "posts/bookmark_pick.html",
        {
            "post": post,
            "collections": bookmarks.collections_for(owner=request.user),
            "containing": bookmarks.collections_containing_post(
                owner=request.user, post_id=post.display.pk
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_bookmark(request, project_id: int):
    from kiln.posts.projects import project_cards

    cards = project_cards([project_id], request.user)
    project = cards.get(project_id)
    if project is None:
        return refusal(request, ValidationError("That project does not exist."))
    if request.method == "POST":
        try:
            if request.POST.get("remove"):
                bookmarks.bookmark_remove(
                    owner=request.user,
                    collection_id=request.POST.get("collection"),
                    project_id=project_id,
                )
                messages.success(request, "Removed from the collection.")
            elif request.POST.get("move"):
                saved = bookmarks.bookmark_move(
                    owner=request.user,
                    collection_id=request.POST.get("collection"),
                    project_id=project_id,
                )
                messages.success(request, f"Moved to “{saved.collection.name}”.")
            else:
                saved = bookmarks.bookmark_project_add(
                    owner=request.user,
                    project_id=project_id,
                    collection_id=request.POST.get("collection"),
                    new_name=request.POST.get("new_name", ""),
                )
                messages.success(request, f"Saved to “{saved.collection.name}”.")
        except (ValidationError, AccessDenied) as exc:
            return refusal(request, exc)
        return redirect(safe_next(request, request.path))
    return render(
        request,
        "posts/bookmark_pick.html",
        {
            "project": project,
            "collections": bookmarks.collections_for(owner=request.user),
            "containing": bookmarks.collections_containing_project(
                owner=request.user, project_id=project_id
            ),
        },
    )
