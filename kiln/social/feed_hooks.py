"""Calls into the timelines app, looked up late so the graph and posts work without it.

Every call runs on commit: a timeline never sees a follow or post that was rolled back.
"""

from django.db import transaction

from kiln.core.hooks import optional_callable


def timelines_on_commit(name: str, **kwargs) -> None:
    """On commit, call kiln.timelines.services.<name>(**kwargs) if the timelines app has it."""

    def call():
        hook = optional_callable(f"kiln.timelines.services.{name}")
        if hook is not None:
            hook(**kwargs)

    transaction.on_commit(call)
