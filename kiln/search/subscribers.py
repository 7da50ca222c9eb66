"""Keeps the index in step with the lower apps' writes, in their transactions (kiln.core.events)."""

from kiln.accounts.events import ProfileSaved, profile_saved
from kiln.portfolio.events import ProjectChanged, project_deleted, project_saved
from kiln.search import services


def _profile_saved(payload: ProfileSaved) -> None:
    services.search_artist_index(user_id=payload.user_id)


def _project_saved(payload: ProjectChanged) -> None:
    services.search_project_index(project_id=payload.project_id)


def _project_deleted(payload: ProjectChanged) -> None:
    services.search_project_remove(project_id=payload.project_id)


def subscribe_all() -> None:
    profile_saved.subscribe(_profile_saved)
    project_saved.subscribe(_project_saved)
    project_deleted.subscribe(_project_deleted)
