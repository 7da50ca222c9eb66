"""Events the portfolio sends for higher layers (kiln.core.events)."""

from dataclasses import dataclass

from kiln.core.events import Event


@dataclass(frozen=True)
class ProjectChanged:
    project_id: int
    owner_id: int


# Sent in the writer's transaction: after a project is created, edited, published or
# unpublished; and just before it is deleted (its row still readable).
project_saved: Event[ProjectChanged, None] = Event("project_saved")
project_deleted: Event[ProjectChanged, None] = Event("project_deleted")
