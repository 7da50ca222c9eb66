"""Messages: who may write to whom, blocks both ways, images private to the two, unread."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kiln.core.access import AccessDenied
from kiln.messages import selectors, services
from kiln.messages.models import Message, MessageImage
from kiln.social.services import block_create, follow_create
from tests.media.conftest import files_under as files_under_root
from tests.media.images import jpeg, png


def _image(name="a.png", data=None):
    return SimpleUploadedFile(name, data or png(), content_type="image/png")


@pytest.fixture
def pair(make_user):
    ana, ben = make_user("ana"), make_user("ben")
    follow_create(follower=ben, followed=ana)  # ben follows ana: ana may message ben
    return ana, ben


@pytest.fixture
def thread(pair, django_capture_on_commit_callbacks):
    ana, ben = pair
    convo = services.conversation_open_direct(sender=ana, recipient=ben)
    with django_capture_on_commit_callbacks(execute=True):
        services.message_send(
            sender=ana, conversation=convo, body="Hello Ben", images=[_image(data=jpeg(64, 48))]
        )
    return convo


def test_default_setting_is_people_i_follow(pair):
    ana, ben = pair
    assert selectors.direct_message_refusal(sender=ana, recipient=ben) is None
    assert "people they follow" in selectors.direct_message_refusal(sender=ben, recipient=ana)
    with pytest.raises(AccessDenied):
        services.conversation_open_direct(sender=ben, recipient=ana)


def test_everyone_and_nobody_settings(pair, make_user):
    ana, ben = pair
    cleo = make_user("cleo")
    services.message_settings_update(user=ana, allow="everyone")
    assert selectors.direct_message_refusal(sender=cleo, recipient=ana) is None
    services.message_settings_update(user=ben, allow="nobody")
    assert "doesn't take" in selectors.direct_message_refusal(sender=ana, recipient=ben)
    with pytest.raises(ValidationError):
        services.message_settings_update(user=ben, allow="robots")


def test_one_direct_thread_per_pair_and_unread_count(thread, pair):
    ana, ben = pair
    services.message_settings_update(user=ana, allow="everyone")
    assert services.conversation_open_direct(sender=ben, recipient=ana).pk == thread.pk
    assert selectors.unread_conversation_count(user=ben) == 1
    assert selectors.unread_conversation_count(user=ana) == 0
    services.conversation_mark_read(user=ben, conversation=thread)
    assert selectors.unread_conversation_count(user=ben) == 0


@pytest.mark.parametrize(
    ("body", "images", "error"),
    [
        ("   ", 0, "Write a message"),
        ("x" * 5001, 0, "at most 5,000"),
        ("hi", 5, "at most 4 images"),
    ],
)
def test_bad_input_changes_nothing(thread, pair, body, images, error, media_root):
    ana, _ = pair
    before = (Message.objects.count(), len(files_under_root(media_root)))
    with pytest.raises(ValidationError, match=error):
        services.message_send(
            sender=ana, conversation=thread, body=body, images=[_image() for _ in range(images)]
        )
    assert (Message.objects.count(), len(files_under_root(media_root))) == before


def test_a_file_that_is_not_an_image_stores_nothing(thread, pair, media_root):
    ana, _ = pair
    before = (Message.objects.count(), len(files_under_root(media_root)))
    bad = SimpleUploadedFile("x.png", b"<html>not an image</html>", content_type="image/png")
    with pytest.raises(ValidationError):
        services.message_send(sender=ana, conversation=thread, body="look", images=[_image(), bad])
    assert (Message.objects.count(), len(files_under_root(media_root))) == before


def test_block_ends_the_conversation_both_ways(thread, pair):
    ana, ben = pair
    block_create(blocker=ben, blocked=ana)
    for sender in (ana, ben):
        with pytest.raises(AccessDenied):
            services.message_send(sender=sender, conversation=thread, body="hi")
        assert selectors.conversations_for(user=sender) == []
        assert selectors.conversation_for_member(user=sender, conversation_id=thread.pk) is None
    assert selectors.unread_conversation_count(user=ben) == 0


def test_third_party_cannot_send(thread, make_user):
    with pytest.raises(AccessDenied):
        services.message_send(sender=make_user("cleo"), conversation=thread, body="hi")


# --- HTTP: the authorisation matrix ------------------------------------------------------


def _urls(thread):
    asset_id = MessageImage.objects.get(message__conversation=thread).asset_id
    return [f"/messages/{thread.pk}", f"/messages/{thread.pk}/images/{asset_id}"]


def test_members_see_the_thread_and_its_image(client, thread, pair):
    ana, ben = pair
    for member in (ana, ben):
        client.force_login(member)
        page, image = (client.get(url) for url in _urls(thread))
        assert page.status_code == 200 and b"Hello Ben" in page.content
        assert image.status_code == 200
        assert image["Cache-Control"] == "private, no-store"
        assert image["Content-Type"] in ("image/jpeg", "image/webp")


@pytest.mark.parametrize("who", ["anonymous", "third", "staff", "blocked"])
def test_nobody_else_sees_the_thread_or_its_image(client, thread, pair, make_user, who):
    ana, ben = pair
    if who == "third":
        client.force_login(make_user("cleo"))
    elif who == "staff":
        client.force_login(make_user("root"))
        type(ana).objects.filter(username="root").update(is_staff=True, is_superuser=True)
    elif who == "blocked":
        block_create(blocker=ana, blocked=ben)
        client.force_login(ben)
    for url in _urls(thread):
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == 404, url


def test_send_through_the_page_and_the_nav_badge(client, pair):
    ana, ben = pair
    client.force_login(ana)
    response = client.get(f"/messages/new/{ben.username}")
    assert response.status_code == 302
    convo_url = response["Location"]
    assert client.post(convo_url, {"body": "Sketch attached"}).status_code == 302
    client.force_login(ben)
    assert b'aria-label="1 unread conversations"' in client.get("/messages").content
    assert b"Sketch attached" in client.get(convo_url).content
    assert b"unread conversations" not in client.get("/messages").content
    # Ben may not start one with Ana (she does not follow him): a clear refusal, no thread.
    refused = client.get(f"/messages/new/{ana.username}")
    assert refused.status_code == 403 and b"only takes messages" in refused.content


def test_empty_message_through_the_page_is_a_clear_400(client, thread, pair):
    client.force_login(pair[0])
    response = client.post(f"/messages/{thread.pk}", {"body": ""})
    assert response.status_code == 400 and b"Write a message" in response.content


def test_the_nav_badge_is_one_query_for_a_reader_in_no_block(
    thread, pair, django_assert_num_queries
):
    _, ben = pair
    ben.in_any_block = False  # as every request's user carries it (kiln.social reader flags)
    with django_assert_num_queries(1):
        assert selectors.unread_conversation_count(user=ben) == 1


def test_the_inbox_costs_the_same_queries_for_one_or_many(
    make_user, pair, django_assert_num_queries
):
    ana, _ = pair
    services.message_settings_update(user=ana, allow="everyone")
    for i in range(5):
        other = make_user(f"writer{i}")
        convo = services.conversation_open_direct(sender=other, recipient=ana)
        services.message_send(sender=other, conversation=convo, body=f"hello {i}")
    ana.in_any_block = False
    with django_assert_num_queries(2):
        rows = selectors.conversations_for(user=ana)
    assert [row.last_body for row in rows] == [f"hello {i}" for i in reversed(range(5))]
