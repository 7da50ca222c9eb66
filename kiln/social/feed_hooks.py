"""Calls into the timelines app, looked up late so the graph and posts work without it.

A timeline never sees a follow or post that was rolled back: most calls run on commit, and a
new post's runs inside its transaction (`timelines_in_transaction`), so they roll back with it.
"""

from django.db import transaction

from kiln.core.hooks import optional_callable


def timelines_on_commit(name: str, **kwargs) -> None:
    """On commit, call kiln.timelines.services.<name>(**kwargs) if the timelines app has it."""
    transaction.on_commit(lambda: timelines_in_transaction(name, **kwargs))


def timelines_in_transaction(name: str, **kwargs) -> None:
    """Call kiln.timelines.services.<name>(**kwargs) now, inside the caller's transaction, if
    the timelines app has it. For a new post: its author's entry and its fan-out task commit
    with it (neither exists without the other), in one commit instead of two."""
    hook = optional_callable(f"kiln.timelines.services.{name}")
    if hook is not None:
        hook(**kwargs)
