"""The URLconf, walked: every route that takes an object's id or a user's name, with the
object each role may not see (issue 25, points 2, 5 and 8). Nothing here names a route, so a
route added later is covered the day it lands."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# Parameters that name an object; a route with any of them is in the matrix. A route with a
# parameter not listed here (a token, a slug) is not, and `test_every_route_is_classified`
# fails until it is added to one of the two sets.
OBJECT_PARAMS = {
    "post_id",
    "project_id",
    "asset_id",
    "collection_id",
    "job_id",
    "match_id",
    "appeal_id",
    "takedown_id",
    "listing_id",
    "application_id",
    "tier_id",
    "request_id",
    "delivery_id",
    "conversation_id",
    "app_id",  # an OAuth app the user authorised (kiln.api)
    "export_id",  # the user's own data export (kiln.transfer)
    "batch_id",  # the user's own Instagram import
    "item_id",  # one item of it
    "case_id",  # moderation
    "action_id",
    "block_id",
    "hold_id",  # a legal hold (moderation staff only)
    "username",
}
OTHER_PARAMS = {"tag", "slug", "kind", "token", "name", "key", "uidb36", "action"}
HOSTILE_IDS = ["0", "-1", str(1 << 63), str(1 << 64), "abc", "1e3", "٣"]


@dataclass(frozen=True)
class Route:
    name: str  # namespaced
    route: str  # as written, for messages
    params: tuple[str, ...]


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            params = tuple(pattern.pattern.regex.groupindex)
            yield Route(name, prefix + str(pattern.pattern), params)


def all_routes() -> list[Route]:
    return [r for r in _walk(get_resolver().url_patterns) if not r.name.startswith("admin:")]


def object_routes() -> list[Route]:
    return [r for r in all_routes() if set(r.params) & OBJECT_PARAMS]


def id_routes() -> list[Route]:
    return [r for r in object_routes() if any(p.endswith("_id") for p in r.params)]
