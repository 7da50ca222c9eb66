"""The feed's view of portfolio projects (shared as cards, liked, commented on).

The portfolio app owns projects; the feed stores project ids and asks the portfolio app for
what it needs through these few functions, so neither app imports the other's internals.
"""

from django.apps import apps
from django.core.exceptions import ValidationError

from kiln.core.hooks import optional_callable


def _project_model():
    try:
        return apps.get_model("portfolio", "Project")
    except LookupError:
        return None


def project_for_feed(*, project_id, viewer):
    """The project if it exists and the viewer may see it; else a clear ValidationError."""
    finder = optional_callable("kiln.portfolio.selectors.project_visible_to")
    model = _project_model()
    try:
        project_id = int(project_id)
    except (TypeError, ValueError):
        raise ValidationError("That project does not exist.") from None
    project = None
    if finder is not None:
        project = finder(project_id=project_id, viewer=viewer)
    elif model is not None:
        project = model.objects.filter(pk=project_id).first()
    if project is None:
        raise ValidationError("That project does not exist or is not visible to you.")
    return project


def project_owner_id(project) -> int:
    for attr in ("owner_id", "author_id", "user_id", "artist_id"):
        if hasattr(project, attr):
            return getattr(project, attr)
    raise ValidationError("That project has no owner.")


def project_cards(ids, viewer) -> dict:
    """{project_id: card} for rich cards; one query (or none when there are no ids)."""
    ids = [i for i in ids if i]
    if not ids:
        return {}
    provider = optional_callable("kiln.portfolio.selectors.project_cards")
    if provider is not None:
        return provider(ids=ids, viewer=viewer)
    model = _project_model()
    if model is None:
        return {}
    return {p.pk: p for p in model.objects.filter(pk__in=ids)}
