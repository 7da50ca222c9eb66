"""Keeps the index in step with the lower apps' writes, in their transactions (kiln.core.events)."""

from kiln.accounts.events import ProfileSaved, profile_saved
from kiln.portfolio.events import ProjectChanged, project_deleted, project_saved
from kiln.posts import events as posts_events
from kiln.search import services


def _post_created(payload: posts_events.PostCreated) -> None:
    services.search_post_index(post=payload.post, created=True)


def _post_edited(payload: posts_events.PostEdited) -> None:
    services.search_post_index(post=payload.post)


def _post_deleted(payload: posts_events.PostDeleted) -> None:
    services.search_post_remove(post_id=payload.post.pk)


def _profile_saved(payload: ProfileSaved) -> None:
    services.search_artist_index(user_id=payload.user_id)


def _project_saved(payload: ProjectChanged) -> None:
    services.search_project_index(project_id=payload.project_id)


def _project_deleted(payload: ProjectChanged) -> None:
    services.search_project_remove(project_id=payload.project_id)


def subscribe_all() -> None:
    posts_events.post_created.subscribe(_post_created)
    posts_events.post_edited.subscribe(_post_edited)
    posts_events.post_deleted.subscribe(_post_deleted)
    profile_saved.subscribe(_profile_saved)
    project_saved.subscribe(_project_saved)
    project_deleted.subscribe(_project_deleted)
