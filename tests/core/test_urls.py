"""The root URLconf lists the hottest apps first; no app's pattern may shadow another's."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.converters import IntConverter

from kiln.core.converters import IdConverter

SAMPLE_KWARGS = {
    # re_path routes, whose groups have no converters to read samples from
    "media:rendition": {"token": "12-0123456789abcdef0123", "name": "a" * 40 + ".webp"},
    "core:profile_image": {"kind": "avatars", "name": "a1b2.webp"},
}


def named_routes(patterns=None, namespace=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_routes(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def sample_kwargs(name: str, pattern: URLPattern) -> dict:
    if name in SAMPLE_KWARGS:
        return SAMPLE_KWARGS[name]
    converters = getattr(pattern.pattern, "converters", {})
    return {
        key: 7 if isinstance(conv, IntConverter | IdConverter) else "sample"
        for key, conv in converters.items()
    }


def test_every_named_kiln_route_resolves_to_itself():
    checked = 0
    for name, pattern in named_routes():
        if name.startswith(("admin:", "account_", "socialaccount_")) or ":" not in name:
            continue  # Django's and allauth's own routes live under their own prefixes
        path = reverse(name, kwargs=sample_kwargs(name, pattern) or None)
        match = resolve(path)
        assert match.view_name == name, f"{path} resolves to {match.view_name}, not {name}"
        checked += 1
    assert checked > 60


@pytest.mark.parametrize(
    ("path", "view_name"),
    [
        ("/", "core:home"),
        ("/media/avatars/x.webp", "core:profile_image"),
        ("/media/12/status", "media:status"),
        ("/media/upload", "media:upload"),
        ("/@ana/posts", "accounts:profile_posts"),
        ("/@ana/posts/12", "posts:detail"),
    ],
)
def test_paths_that_look_alike_reach_their_own_views(path, view_name):
    assert resolve(path).view_name == view_name
