"""Mastodon"s OAuth scopes: the top-level ones (`read`, `write`, `follow`, `push`) grant
their sub-scopes (`read:statuses`...), and `follow` the follow, block and mute ones."""

from oauth2_provider.scopes import BaseScopes

READ = [
    "accounts",
    "blocks",
    "bookmarks",
    "favourites",
    "filters",
    "follows",
    "lists",
    "mutes",
    "notifications",
    "search",
    "statuses",
]
WRITE = [
    "accounts",
    "blocks",
    "bookmarks",
    "conversations",
    "favourites",
    "filters",
    "follows",
    "lists",
    "media",
    "mutes",
    "notifications",
    "reports",
    "statuses",
]
FOLLOW = (
    "read:follows",
    "write:follows",
    "read:blocks",
    "write:blocks",
    "read:mutes",
    "write:mutes",
)

SCOPES = {
    "read": "Read everything your account can see",
    "write": "Post, edit, like, boost and change your account",
    "follow": "Follow, block and mute accounts",
    "push": "Receive push notifications",
    "profile": "Know who you are (your public profile only)",
    **{f"read:{s}": f"Read your {s}" for s in READ},
    **{f"write:{s}": f"Change your {s}" for s in WRITE},
}


def expand(scopes) -> set[str]:
    """Every scope these grant, themselves included."""
    granted = set(scopes)
    for scope in scopes:
        if scope in ("read", "write"):
            granted.update(s for s in SCOPES if s.startswith(scope + ":"))
        elif scope == "follow":
            granted.update(FOLLOW)
    return granted


def unknown(scopes) -> list[str]:
    return [s for s in scopes if s not in SCOPES]


def allows(granted, required: str) -> bool:
    """Whether a token with `granted` scopes may do what `required` guards."""
    return required in expand(granted)


class AppScopes(BaseScopes):
    """DOT"s scope backend: an app may ask for what it registered, and those scopes"
    sub-scopes; without a `scope` parameter a token gets `read`, as on Mastodon."""

    def get_all_scopes(self):
        return SCOPES

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        if application is None:
            return list(SCOPES)
        return sorted(expand(application.scope_list))

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        registered = application.scope_list if application is not None else ["read"]
        return ["read"] if "read" in registered else registered
