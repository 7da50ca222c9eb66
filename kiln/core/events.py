"""Kiln's one event registry: how a lower layer triggers a higher one without importing it.

A lower app declares its events in its own `events.py` (`post_created = Event("post_created")`)
and sends them from its services; a higher app subscribes in its `AppConfig.ready()`.
`grep -rn "\\.subscribe(" kiln` lists every subscriber. Subscribers run synchronously, in the
sender's transaction, in the order they subscribed: a subscriber that must wait for the commit
calls `transaction.on_commit` itself, and one that raises rolls the sender's write back.
"""

from collections.abc import Callable
from typing import Generic, TypeVar

Payload = TypeVar("Payload")
Result = TypeVar("Result")


class Event(Generic[Payload, Result]):
    """A named, typed list of subscribers."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._subscribers: list[Callable[[Payload], Result]] = []

    def subscribe(self, subscriber: Callable[[Payload], Result]) -> Callable[[Payload], Result]:
        """Add a subscriber once (a second `ready()` adds nothing); usable as a decorator."""
        if subscriber not in self._subscribers:
            self._subscribers.append(subscriber)
        return subscriber

    def send(self, payload: Payload) -> list[Result]:
        """Call every subscriber with the payload, in order; their results, in the same order."""
        return [subscriber(payload) for subscriber in self._subscribers]

    @property
    def subscribers(self) -> tuple[Callable[[Payload], Result], ...]:
        return tuple(self._subscribers)

    def __repr__(self) -> str:
        return f"<Event {self.name}: {len(self._subscribers)} subscribers>"
