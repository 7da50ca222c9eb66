"""The authorisation matrix, generated from the URLconf (tests/security/routes.py).

Every route that takes an object's id or a user's name is requested (GET and POST) by four
readers who may not see Ana's object: anonymous, another user, a user Ana blocked, staff. Each
must be refused: no 2xx, no 5xx, none of the object's words in the answer, no row written.
Routes whose object is a user (`@<username>/...`) are public pages: there the check is that
nothing hidden shows, and that the blocked user can start nothing with Ana.
"""

import re

import pytest
from django.urls import reverse

from tests.security.conftest import markers_for, row_counts
from tests.security.routes import (
    HOSTILE_IDS,
    OBJECT_PARAMS,
    OTHER_PARAMS,
    all_routes,
    id_routes,
    object_routes,
)

# Values for the parameters that don't name an object, where a route has both.
OTHER_VALUES = {"kind": "after", "tag": "art", "slug": "art", "action": "accept"}
# Object kinds the world (conftest.py) does not build yet (hiring's): an id that names
# nothing, so these routes are still walked for 5xx, leaks and writes. Build one to do better.
UNBUILT_ID = 4_242_424_242
ROLES = ("anonymous", "other", "blocked", "staff")
# Staff review queues and held screenings: staff are meant to open them (everyone else is
# still checked).
STAFF_ROUTES = re.compile(r"^provenance/(review/|assets/<id:asset_id>$)")
# What a blocked user may still do about the person who blocked them.
SELF_PROTECTIVE = {
    "social:block",
    "social:unblock",
    "social:mute",
    "social:unmute",
    "social:unfollow",
}


def _request(client, method: str, url: str):
    if method == "GET":
        return client.get(url)
    return client.post(url, {"text": "hello", "collection": "", "new_name": "x", "message": "m"})


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return ""
    return response.content.decode("utf-8", "replace")


def _check(client, world, route, role, method) -> str | None:
    """None when the request was refused as it must be; otherwise what went wrong."""
    user = world.roles[role]
    client.logout()
    if user is not None:
        client.force_login(user)
    kwargs = {
        p: world.private_for[role].get(p, OTHER_VALUES.get(p, UNBUILT_ID)) for p in route.params
    }
    url = reverse(route.name, kwargs=kwargs)
    before = row_counts()
    response = _request(client, method, url)
    body = _body(response)
    problems = []
    if response.status_code >= 500:
        problems.append(f"{response.status_code}")
    leaked = [m for m in markers_for(role) if m in body]
    if leaked:
        problems.append(f"shows {leaked}")
    is_user_page = not any(p.endswith("_id") for p in route.params)
    if not is_user_page and 200 <= response.status_code < 300:
        problems.append(f"answers {response.status_code}")
    after = row_counts()
    changed = {k: (v, after[k]) for k, v in before.items() if after[k] != v}
    writes_checked = not is_user_page or (role == "blocked" and route.name not in SELF_PROTECTIVE)
    if changed and writes_checked:
        problems.append(f"wrote {changed}")
    if problems:
        return f"{method} {url} as {role}: {', '.join(problems)}"
    return None


def test_every_route_is_classified():
    unknown = {p for r in all_routes() for p in r.params} - OBJECT_PARAMS - OTHER_PARAMS
    assert unknown == set(), "add each new URL parameter to OBJECT_PARAMS or OTHER_PARAMS"
    assert len(object_routes()) >= 40  # the walk found the app's routes


@pytest.mark.django_db
def test_every_route_refuses_whoever_may_not_see_the_object(client, world):
    # One test over every route (the world is built once: 49 builds took 45 s); the failure
    # message lists every route and role that let something through.
    failures, requests = [], 0
    for route in object_routes():
        for role in ROLES:
            if role == "staff" and STAFF_ROUTES.match(route.route):
                continue
            for method in ("GET", "POST"):
                requests += 1
                failure = _check(client, world, route, role, method)
                if failure:
                    failures.append(failure)
    assert failures == []
    assert requests >= 350


def _hostile_paths(route):
    for value in HOSTILE_IDS:
        path = route.route
        for param in route.params:
            replacement = "ana" if param == "username" else value
            path = re.sub(rf"<[^>]*:{param}>", replacement, path)
        yield "/" + path


@pytest.mark.django_db
def test_every_route_answers_hostile_ids_without_a_server_error(client, make_user):
    client.force_login(make_user("ben"))
    failures = []
    for route in id_routes():
        for path in _hostile_paths(route):
            for method in ("GET", "POST"):
                response = _request(client, method, path)
                if response.status_code >= 500 or 200 <= response.status_code < 300:
                    failures.append(f"{method} {path}: {response.status_code}")
    assert failures == []


# Ids that arrive in query strings and forms rather than in the path.
FORM_ID_PARAMS = {"in_reply_to": "post_id", "quote": "post_id", "project": "project_id"}


@pytest.mark.django_db
@pytest.mark.parametrize("param", sorted(FORM_ID_PARAMS))
def test_compose_refuses_to_show_or_use_a_post_or_project_the_author_may_not_see(
    client, world, param
):
    failures = []
    for role in ("other", "blocked", "staff"):
        client.force_login(world.roles[role])
        target = world.private_for[role][FORM_ID_PARAMS[param]]
        for method in ("GET", "POST"):
            before = row_counts()
            if method == "GET":
                response = client.get("/compose", {param: target})
            else:
                response = client.post("/compose", {param: target, "text": "hello"})
            body = _body(response)
            leaked = [m for m in markers_for(role) if m in body]
            wrote = row_counts() != before
            if leaked or wrote or response.status_code >= 500:
                failures.append(f"{method} {param} as {role}: {response.status_code} {leaked}")
    assert failures == []


@pytest.mark.django_db
@pytest.mark.parametrize("param", sorted(FORM_ID_PARAMS))
def test_compose_answers_hostile_form_ids_without_a_server_error(client, make_user, param):
    client.force_login(make_user("ben"))
    failures = []
    for value in HOSTILE_IDS:
        for method in ("GET", "POST"):
            send = client.get if method == "GET" else client.post
            response = send("/compose", {param: value, "text": "hello"})
            if response.status_code >= 500:
                failures.append(f"{method} {param}={value}: {response.status_code}")
    assert failures == []
