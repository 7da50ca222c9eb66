"""Replies by muted accounts inside a thread: collapsed behind "Show" (a <details>), in place;
the post the viewer opened is shown normally even when its author is muted."""

import re

import pytest

from kiln.posts import selectors, services
from kiln.social.services import mute_create

pytestmark = pytest.mark.django_db

PLACEHOLDER = "This post is from an account you muted."


@pytest.fixture
def people(make_user):
    return make_user("ana"), make_user("ben"), make_user("cat")


@pytest.fixture
def thread(people):
    ana, ben, cat = people
    root = services.post_create(author=ana, text="root by ana")
    muted_reply = services.post_create(author=ben, text="reply by ben", in_reply_to=root)
    under = services.post_create(author=cat, text="cat under ben", in_reply_to=muted_reply)
    later = services.post_create(author=cat, text="cat on root", in_reply_to=root)
    mute_create(muter=ana, muted=ben)
    return root, muted_reply, under, later


def _shape(entries):
    return [(e["post"].pk, e["depth"], e["muted"]) for e in entries]


def test_thread_marks_muted_replies_and_keeps_their_place(people, thread):
    ana, ben, cat = people
    root, muted_reply, under, later = thread
    result = selectors.thread_for(post=root, viewer=ana)
    assert _shape(result["replies"]) == [
        (muted_reply.pk, 1, True),
        (under.pk, 2, False),  # a reply under a muted reply keeps its place
        (later.pk, 1, False),
    ]
    # Mutes are one-sided: ben and cat (and logged-out readers) see nothing collapsed.
    for viewer in (ben, cat, None):
        assert not any(
            e["muted"] for e in selectors.thread_for(post=root, viewer=viewer)["replies"]
        )


def test_focus_post_by_a_muted_account_is_shown_and_muted_ancestors_collapse(people, thread):
    ana, ben, _ = people
    root, muted_reply, under, _ = thread
    opened = selectors.thread_for(post=muted_reply, viewer=ana)
    assert opened["focus"].pk == muted_reply.pk
    assert _shape(opened["replies"]) == [(under.pk, 1, False)]
    below = selectors.thread_for(post=under, viewer=ana)
    assert _shape(below["ancestors"]) == [(root.pk, 0, False), (muted_reply.pk, 0, True)]


def _main(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    return page[page.index('id="main"') :]


def test_thread_page_collapses_muted_reply_in_a_details_element(client, people, thread):
    ana, _, _ = people
    root, muted_reply, under, later = thread
    client.force_login(ana)
    page = _main(client, f"/@ana/posts/{root.pk}")
    assert page.count(PLACEHOLDER) == 1
    collapsed = re.search(r'<details class="post-muted">(.*?)</details>\s*</div>', page, re.S)
    assert collapsed is not None
    block = collapsed.group(1)
    assert "<summary>" in block and ">Show<" in block
    assert "reply by ben" in block and f'id="post-{muted_reply.pk}"' in block  # behind Show
    assert "cat under ben" not in block and "root by ana" not in block
    # order kept: root, the collapsed reply, the reply under it, the later reply
    assert (
        page.index("root by ana")
        < page.index(PLACEHOLDER)
        < page.index("cat under ben")
        < page.index("cat on root")
    )


def test_opening_the_muted_accounts_post_shows_it_normally(client, people, thread):
    ana, _, _ = people
    _, muted_reply, _, _ = thread
    client.force_login(ana)
    page = _main(client, f"/@ben/posts/{muted_reply.pk}")
    assert PLACEHOLDER not in page
    assert "reply by ben" in page and "cat under ben" in page


def test_nothing_collapsed_for_other_viewers(client, people, thread):
    _, ben, _ = people
    root = thread[0]
    assert PLACEHOLDER not in _main(client, f"/@ana/posts/{root.pk}")
    client.force_login(ben)
    assert PLACEHOLDER not in _main(client, f"/@ana/posts/{root.pk}")
