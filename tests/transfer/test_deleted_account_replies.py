"""Other people's replies outlive a deleted account: they stay readable, still say they
answered someone ("in reply to a deleted account"), and nothing of the deleted person stays."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kiln.posts.models import Post
from kiln.posts.services import post_create
from kiln.transfer import services
from kiln.transfer.tasks import transfer_sweep
from tests.api.conftest import api_client, client_app, make_token  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

PLACEHOLDER = "This post was removed when its author deleted their account."


@pytest.fixture
def threads(make_user):
    """Two threads through Ana's posts, then Ana's account deleted and purged.

    ben: "a question"          ana: "my drawing"  (a thread root of hers)
      ana: "ana's answer"        ben: "ben likes it"
        ben: "ben answers ana"     cat: "cat agrees"
          cat: "cat follows up"
    """
    ana = make_user("ana", display_name="Ana Leaving")
    ben = make_user("ben", display_name="Ben Staying")
    cat = make_user("cat", display_name="Cat Staying")
    question = post_create(author=ben, text="a question")
    answer = post_create(author=ana, text="ana's answer", in_reply_to=question)
    ben_reply = post_create(author=ben, text="ben answers ana", in_reply_to=answer)
    cat_reply = post_create(author=cat, text="cat follows up", in_reply_to=ben_reply)
    drawing = post_create(author=ana, text="my drawing")
    ben_likes = post_create(author=ben, text="ben likes it", in_reply_to=drawing)
    cat_agrees = post_create(author=cat, text="cat agrees", in_reply_to=ben_likes)
    services.account_delete_request(user=ana, password="pw-Kiln-2026")
    assert transfer_sweep(now=timezone.now() + timedelta(days=31)) == 1
    posts = {
        "question": question,
        "ben_reply": ben_reply,
        "cat_reply": cat_reply,
        "ben_likes": ben_likes,
        "cat_agrees": cat_agrees,
    }
    for post in posts.values():
        post.refresh_from_db()
    return {"ana": ana, "ben": ben, "cat": cat, **posts}


def test_the_replies_stay_marked_and_their_threads_are_re_rooted(threads):
    ben_reply, ben_likes = threads["ben_reply"], threads["ben_likes"]
    assert ben_reply.in_reply_to_id is None and ben_reply.in_reply_to_deleted_account
    assert ben_likes.in_reply_to_id is None and ben_likes.in_reply_to_deleted_account
    # Ben's question survives as the root of its thread; her drawing's thread now starts
    # at Ben's reply, and Cat's reply to him belongs to it.
    assert ben_reply.thread_root_id == threads["question"].pk
    assert threads["cat_reply"].thread_root_id == threads["question"].pk
    assert ben_likes.thread_root_id is None
    assert threads["cat_agrees"].thread_root_id == ben_likes.pk
    assert not threads["cat_agrees"].in_reply_to_deleted_account  # its parent still exists
    assert threads["question"].replies_count == 0  # her answer no longer counts


def page_text(client, post) -> str:
    response = client.get(f"/@{post.author.username}/posts/{post.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('<div class="thread">') :]  # the thread, not the page title


def test_the_thread_page_shows_a_placeholder_where_her_post_was(client, threads):
    for viewer in (None, threads["cat"]):
        if viewer is not None:
            client.force_login(viewer)
        html = page_text(client, threads["ben_reply"])
        assert PLACEHOLDER in html and "ben answers ana" in html
        assert "In reply to a deleted account" in html  # the focus card says so too
        assert "cat follows up" in html  # the replies below stay
        for trace in ("ana&#x27;s answer", "ana's answer", "Ana Leaving", "@ana"):
            assert trace not in html
        # Deeper in the thread: the placeholder sits above the first post that survived.
        html = page_text(client, threads["cat_reply"])
        assert html.index(PLACEHOLDER) < html.index("ben answers ana") < html.index("cat follows")
        # The new root of her drawing's thread: placeholder, Ben's reply, Cat's below it.
        html = page_text(client, threads["ben_likes"])
        assert PLACEHOLDER in html and "cat agrees" in html and "my drawing" not in html


def test_a_thread_that_never_touched_her_has_no_placeholder(client, threads):
    html = page_text(client, threads["question"])
    assert PLACEHOLDER not in html and "In reply to a deleted account" not in html


def test_the_card_elsewhere_says_in_reply_to_a_deleted_account(client, threads):
    html = client.get("/@ben/posts").content.decode()
    assert "ben answers ana" in html and "In reply to a deleted account" in html
    assert "Ana Leaving" not in html and "@ana" not in html


def test_a_reply_does_not_turn_into_a_top_level_post(threads):
    from kiln.timelines.selectors import public_posts

    public = set(public_posts(None).values_list("pk", flat=True))
    assert threads["question"].pk in public
    assert threads["ben_likes"].pk not in public and threads["ben_reply"].pk not in public


def test_the_api_has_null_reply_ids_and_stays_schema_valid(
    api_client,  # noqa: F811
    make_token,  # noqa: F811
    threads,
):
    api = api_client(make_token(threads["cat"]))
    for key in ("ben_reply", "ben_likes"):
        status = api.get(f"/api/v1/statuses/{threads[key].pk}").json()
        assert status["in_reply_to_id"] is None and status["in_reply_to_account_id"] is None
    context = api.get(f"/api/v1/statuses/{threads['cat_reply'].pk}/context").json()
    assert [s["id"] for s in context["ancestors"]] == [str(threads["ben_reply"].pk)]
    ben_id = threads["ben"].pk
    statuses = api.get(f"/api/v1/accounts/{ben_id}/statuses?exclude_replies=true").json()
    assert [s["id"] for s in statuses] == [str(threads["question"].pk)]


def test_nothing_of_hers_remains_in_the_posts_table(threads):
    assert not Post.objects.filter(author_id=threads["ana"].pk).exists()
    assert not Post.objects.filter(text__contains="ana's answer").exists()
