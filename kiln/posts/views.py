"""Thin views for posts: compose, the post page (whole thread), actions, edit history, tabs."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from kiln.core.access import AccessDenied
from kiln.core.converters import parse_id
from kiln.core.http import is_htmx, refusal, safe_next
from kiln.core.jsonresponse import FastJsonResponse
from kiln.core.pagination import parse_cursor, parse_page_size
from kiln.posts import cards, selectors, services
from kiln.posts.cards import post_cards
from kiln.posts.limits import MAX_ALT_TEXT, MAX_IMAGES, MAX_TEXT_LENGTH
from kiln.posts.models import Post
from kiln.posts.templatetags.kiln_posts import post_url
from kiln.social.selectors import blocked_user_ids

PAGE_SIZE = 20


def _compose_context(request, *, values=None, error=None, in_reply_to=None, quote=None):
    values = values or {}
    shared_project = None
    if values.get("project"):
        from kiln.posts.projects import project_cards

        project_id = parse_id(values["project"])
        if project_id is not None:
            shared_project = project_cards([project_id], request.user).get(project_id)
    return {
        "shared_project": shared_project,
        "values": values,
        "error": error,
        "in_reply_to": in_reply_to,
        "quote": quote,
        "max_text": MAX_TEXT_LENGTH,
        "max_images": MAX_IMAGES,
        "visibilities": Post.Visibility.choices,
    }


def visible_post_hydrated(post_id, viewer):
    """The post, hydrated for display, only if the viewer may see it and what it reposts.

    Every view that shows, quotes, replies to or bookmarks a post by id comes through here:
    `posts_hydrated` only leaves out deleted and blocked posts, so on its own it showed
    followers-only posts to anyone signed in (issue 25). The rule is `can_view_post`'s.
    """
    post_id = parse_id(post_id)
    found = selectors.posts_hydrated([post_id], viewer) if post_id else []
    if not found:
        return None
    post = found[0]
    for shown in {post, post.display}:
        if not selectors.can_view_post(shown, viewer):
            return None
    return post


def _target(raw, viewer):
    """A post referenced by a form (reply or quote), hydrated for display; None if unusable."""
    return visible_post_hydrated(raw, viewer)


@login_required
@require_http_methods(["GET", "POST"])
def compose(request):
    source = request.POST if request.method == "POST" else request.GET
    in_reply_to = _target(source.get("in_reply_to"), request.user)
    quote = _target(source.get("quote"), request.user)
    if request.method == "GET":
        values = {"visibility": "public", "project": request.GET.get("project", "")}
        return render(
            request,
            "posts/compose.html",
            _compose_context(request, values=values, in_reply_to=in_reply_to, quote=quote),
        )
    data = request.POST
    files = request.FILES.getlist("images")
    uploads = [(f, data.get(f"alt_{i}", "")) for i, f in enumerate(files)]
    values = {
        "text": data.get("text", ""),
        "visibility": data.get("visibility", "public"),
        "content_warning": data.get("content_warning", ""),
        "is_mature": bool(data.get("is_mature")),
        "project": data.get("project", ""),
    }
    try:
        post = services.post_compose(
            author=request.user,
            uploads=uploads,
            text=values["text"],
            visibility=values["visibility"],
            content_warning=values["content_warning"],
            is_mature=values["is_mature"],
            in_reply_to=data.get("in_reply_to") or None,
            quote=data.get("quote") or None,
            project=values["project"] or None,
        )
    except (ValidationError, AccessDenied) as exc:
        if isinstance(exc, AccessDenied):
            return refusal(request, exc)
        context = _compose_context(
            request, values=values, error=exc, in_reply_to=in_reply_to, quote=quote
        )
        return render(request, "posts/compose.html", context, status=400)
    if post.in_reply_to_id:
        return redirect(f"{post_url(post.in_reply_to)}#post-{post.pk}")
    return redirect(post_url(post))


def post_detail(request, username: str, post_id: int):
    post = selectors.post_for_page(username=username, post_id=post_id, viewer=request.user)
    if post is None:
        raise Http404("No such post.")
    thread = selectors.thread_for(post=post, viewer=request.user)
    if thread["focus"] is None:
        raise Http404("No such post.")
    return render(
        request,
        "posts/detail.html",
        {
            "thread": thread,
            "focus": thread["focus"],
            # A reply to a followers-only post stays followers-only unless changed.
            "reply_values": {"visibility": thread["focus"].display.visibility},
            **_compose_context(request),
        },
    )


def post_history(request, username: str, post_id: int):
    post = selectors.post_for_page(username=username, post_id=post_id, viewer=request.user)
    if post is None:
        raise Http404("No such post.")
    hydrated = visible_post_hydrated(post.pk, request.user)
    if hydrated is None:
        raise Http404("No such post.")
    hydrated = [hydrated]
    from kiln.posts.history import edit_versions

    edits = selectors.post_edits(post=post)
    return render(
        request,
        "posts/history.html",
        {
            "post": hydrated[0],
            "edits": edits,
            "versions": edit_versions(post=hydrated[0], edits=edits),
        },
    )


ALT_FIELD = "attachment_alt_"


def _edit_images(post, *, data=None) -> list[dict]:
    """The post's images for the edit form, with the submitted alt text and removal after a
    refused save (so nothing typed is lost)."""
    hydrated = selectors.posts_hydrated([post.pk], post.author, hidden=set())
    attachments = hydrated[0].attachments.all() if hydrated else []
    removed = set(data.getlist("remove")) if data is not None else set()
    return [
        {
            "attachment": a,
            "alt_text": data.get(f"{ALT_FIELD}{a.pk}", a.alt_text)
            if data is not None
            else a.alt_text,
            "removed": str(a.pk) in removed,
        }
        for a in attachments
    ]


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request, username: str, post_id: int):
    post = selectors.post_for_page(username=username, post_id=post_id, viewer=request.user)
    if post is None:
        raise Http404("No such post.")
    error = None
    data = request.POST
    if request.method == "POST":
        files = request.FILES.getlist("images")
        try:
            services.post_edit(
                post=post,
                editor=request.user,
                text=data.get("text", ""),
                content_warning=data.get("content_warning", ""),
                is_mature=bool(data.get("is_mature")),
                alt_texts={
                    key.removeprefix(ALT_FIELD): value
                    for key, value in data.items()
                    if key.startswith(ALT_FIELD)
                },
                remove=data.getlist("remove"),
                uploads=[(f, data.get(f"alt_{i}", "")) for i, f in enumerate(files)],
            )
        except AccessDenied as exc:
            return refusal(request, exc)
        except ValidationError as exc:
            error = exc
            post.refresh_from_db()
        else:
            return redirect(post_url(post))
    elif post.author_id != request.user.pk:
        return refusal(request, AccessDenied("Only the author can edit this post."))
    values = {
        "text": data.get("text", post.text) if error else post.text,
        "content_warning": data.get("content_warning", "") if error else post.content_warning,
        "is_mature": bool(data.get("is_mature")) if error else post.is_mature,
    }
    images = _edit_images(post, data=data if error else None)
    return render(
        request,
        "posts/edit.html",
        {
            "post": post,
            "values": values,
            "error": error,
            "images": images,
            "max_text": MAX_TEXT_LENGTH,
            "max_alt": MAX_ALT_TEXT,
            "max_images": MAX_IMAGES,
            "free_slots": max(MAX_IMAGES - len(images), 0),
        },
        status=400 if error else 200,
    )


def _action(request, post_id: int, action):
    try:
        action(user=request.user, post=post_id)
    except (ValidationError, AccessDenied) as exc:
        return refusal(request, exc)
    post = visible_post_hydrated(post_id, request.user)
    if is_htmx(request):
        if post is None:
            return render(request, "posts/_gone.html")
        return render(request, "posts/_actions.html", {"p": post.display, "post": post})
    default = post_url(post.display) if post is not None else "/"
    return redirect(safe_next(request, default))


@login_required
@require_POST
def like(request, post_id: int):
    return _action(request, post_id, services.post_like)


@login_required
@require_POST
def unlike(request, post_id: int):
    return _action(request, post_id, services.post_unlike)


@login_required
@require_POST
def repost(request, post_id: int):
    return _action(request, post_id, services.post_reblog)


@login_required
@require_POST
def unrepost(request, post_id: int):
    return _action(request, post_id, services.post_unreblog)


@login_required
@require_POST
def delete(request, post_id: int):
    try:
        services.post_delete(post=post_id, actor=request.user)
    except (ValidationError, AccessDenied) as exc:
        return refusal(request, exc)
    from django.contrib import messages

    messages.success(request, "Post deleted.")
    return redirect(f"/@{request.user.username}/posts")


# --- profile tabs (wired by accounts.views.PROFILE_TABS) -----------------------------------


def _profile_posts_page(request, owner):
    return selectors.profile_post_ids(
        owner=owner,
        viewer=request.user,
        before=parse_cursor(request.GET.get("before")),
        size=parse_page_size(request.GET.get("size")),
    )


def profile_tab(request, owner):
    """The Posts tab: the owner's posts and reposts, newest first, paged by cursor, as shared
    cached cards (kiln.posts.cards)."""
    page = _profile_posts_page(request, owner)
    # Reposts of work by someone blocked either way with the reader are left out.
    cards = post_cards(
        page.items, request.user, hidden=blocked_user_ids(request.user), request=request
    )
    return "posts/_profile_tab.html", {
        "tab_cards": cards,
        "tab_next_cursor": page.next_cursor,
        "tab_empty": "No posts yet.",
    }


def profile_tab_json(request, owner):
    """`/@name/posts?format=json`: the same page as Mastodon-Status-shaped JSON. A block
    either way hides the whole profile (403), as the HTML page does."""
    blocked = blocked_user_ids(request.user)
    if owner.pk in blocked:
        return FastJsonResponse({"error": "This profile is not available to you."}, status=403)
    statuses, next_cursor = cards.profile_statuses_page(
        owner=owner,
        viewer=request.user,
        hidden=blocked,
        before=parse_cursor(request.GET.get("before")),
        size=parse_page_size(request.GET.get("size")),
    )
    return FastJsonResponse({"items": statuses, "next": str(next_cursor) if next_cursor else None})


def likes_tab(request, owner):
    """The Likes tab; private unless the owner shows likes publicly (the owner always sees)."""
    is_owner = request.user.is_authenticated and request.user.pk == owner.pk
    if not owner.profile.show_likes_publicly and not is_owner:
        return "posts/_profile_tab.html", {
            "tab_cards": [],
            "tab_empty": f"@{owner.username} keeps their likes private.",
        }
    blocked = blocked_user_ids(request.user)
    page = selectors.liked_post_page(
        owner=owner,
        viewer=request.user,
        before=parse_cursor(request.GET.get("before")),
        size=parse_page_size(request.GET.get("size")),
        blocked=blocked,
    )
    cards = post_cards(
        [like.post_id for like in page.items], request.user, hidden=blocked, request=request
    )
    return "posts/_profile_tab.html", {
        "tab_cards": cards,
        "tab_next_cursor": page.next_cursor,
        "tab_empty": "No likes yet.",
    }
