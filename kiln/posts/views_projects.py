"""Likes and comments on portfolio projects (comments are posts: the same reply code)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from kiln.core.access import AccessDenied
from kiln.core.http import refusal, safe_next
from kiln.posts import services
from kiln.posts.projects import project_for_feed


def _project_page(project) -> str:
    return f"/@{project.owner.username}/projects/{project.pk}"


@login_required
@require_POST
def project_like(request, project_id: int):
    try:
        services.project_like_create(user=request.user, project_id=project_id)
        project = project_for_feed(project_id=project_id, viewer=request.user)
    except (ValidationError, AccessDenied) as exc:
        return refusal(request, exc)
    return redirect(safe_next(request, _project_page(project) + "#project-social"))


@login_required
@require_POST
def project_unlike(request, project_id: int):
    try:
        services.project_like_delete(user=request.user, project_id=project_id)
        project = project_for_feed(project_id=project_id, viewer=request.user)
    except (ValidationError, AccessDenied) as exc:
        return refusal(request, exc)
    return redirect(safe_next(request, _project_page(project) + "#project-social"))


@login_required
@require_POST
def project_comment(request, project_id: int):
    try:
        project = project_for_feed(project_id=project_id, viewer=request.user)
        post = services.project_comment_create(
            author=request.user,
            project_id=project.pk,
            text=request.POST.get("text", ""),
            in_reply_to=request.POST.get("in_reply_to") or None,
        )
    except (ValidationError, AccessDenied) as exc:
        return refusal(request, exc)
    return redirect(f"{_project_page(project)}#post-{post.pk}")
