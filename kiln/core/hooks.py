"""Late binding between apps that land at different times.

The profile page and the home page show content that other apps own (portfolio grid, posts,
timelines). They look those providers up by dotted path, so the accounts app never imports
the feed or portfolio apps; a provider that does not exist yet renders an honest placeholder.
"""

from importlib import import_module


def optional_callable(dotted_path: str):
    module_path, _, name = dotted_path.rpartition(".")
    try:
        module = import_module(module_path)
    except ModuleNotFoundError as exc:
        if exc.name and module_path.startswith(exc.name):
            return None
        raise
    return getattr(module, name, None)
