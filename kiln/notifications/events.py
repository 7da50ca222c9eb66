"""What the notifications app tells the apps above it (the API's streaming).

Sent from `kiln/notifications/services.py` inside the write's transaction, only when a new
notification row was made (a deduplicated repeat sends nothing)."""

from dataclasses import dataclass

from kiln.core.events import Event
from kiln.notifications.models import Notification


@dataclass(frozen=True)
class NotificationCreated:
    notification: Notification


notification_created: Event[NotificationCreated, None] = Event("notification_created")
