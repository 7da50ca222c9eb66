"""Thin views for the social graph: follow, block, mute, and the follower lists."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kiln.accounts.selectors import user_by_username
from kiln.core.access import AccessDenied
from kiln.core.http import is_htmx, refusal, safe_next
from kiln.core.pagination import paginate_by_id, parse_cursor
from kiln.social import selectors, services

ACTIONS = {
    "follow": (services.follow_create, "follower", "followed", "You follow @{name}."),
    "unfollow": (services.follow_delete, "follower", "followed", "You unfollowed @{name}."),
    "block": (
        services.block_create,
        "blocker",
        "blocked",
        "You blocked @{name}. Neither of you can see the other now.",
    ),
    "unblock": (services.block_delete, "blocker", "blocked", "You unblocked @{name}."),
    "mute": (
        services.mute_create,
        "muter",
        "muted",
        "You muted @{name}. Their posts and notifications are hidden from you.",
    ),
    "unmute": (services.mute_delete, "muter", "muted", "You unmuted @{name}."),
}


@login_required
@require_POST
def relationship_action(request, username: str, action: str):
    if action not in ACTIONS:
        raise Http404("No such action.")
    service, actor_arg, other_arg, done = ACTIONS[action]
    other = user_by_username(username)
    try:
        service(**{actor_arg: request.user, other_arg: other})
    except (ValidationError, AccessDenied) as exc:
        return refusal(request, exc)
    if is_htmx(request):
        context = selectors.profile_relationship_context(viewer=request.user, owner=other)
        return render(request, "social/_profile_actions.html", {"owner": other, **context})
    messages.success(request, done.format(name=other.username))
    return redirect(safe_next(request, f"/@{other.username}"))


def _people_page(request, username: str, which: str):
    owner = user_by_username(username)
    context = selectors.profile_relationship_context(viewer=request.user, owner=owner)
    if context.get("blocked"):
        return render(request, "accounts/profile_blocked.html", {"owner": owner})
    if which == "followers":
        qs = selectors.followers_of(owner=owner, viewer=request.user)
        person_attr = "follower"
    else:
        qs = selectors.following_of(owner=owner, viewer=request.user)
        person_attr = "followed"
    page = paginate_by_id(qs, before=parse_cursor(request.GET.get("before")), size=40)
    people = []
    for row in page.items:
        person = getattr(row, person_attr)
        person.viewer_follows = getattr(row, "viewer_follows", False)
        people.append(person)
    return render(
        request,
        "social/people.html",
        {
            "owner": owner,
            "which": which,
            "people": people,
            "next_cursor": page.next_cursor,
            **context,
        },
    )


def followers(request, username: str):
    return _people_page(request, username, "followers")


def following(request, username: str):
    return _people_page(request, username, "following")


@login_required
def blocked_and_muted(request):
    return render(
        request,
        "social/blocked_and_muted.html",
        {
            "blocks": selectors.blocks_made(request.user),
            "mutes": selectors.mutes_made(request.user),
        },
    )
