"""A brand-new user's home suggests artists by field instead of an empty feed (and never
says "welcome back"); once they follow someone or post, home is the Following feed."""

import pytest

from kiln.posts.services import post_create
from kiln.social.services import follow_create

pytestmark = pytest.mark.django_db


def test_a_newcomer_gets_artists_grouped_by_field(client, make_user):
    make_user("mira", display_name="Mira", fields_of_work=["illustration"])
    make_user("oskar", display_name="Oskar", fields_of_work=["ceramics", "illustration"])
    make_user("quiet")  # no fields: not suggested
    client.force_login(make_user("newbie", fields_of_work=["illustration"]))
    html = client.get("/").content.decode()
    assert "Welcome to Kiln" in html and "Welcome back" not in html
    assert html.count('action="/@mira/follow"') == 1  # once, under Illustration
    assert html.count('action="/@oskar/follow"') == 2  # Ceramics and Illustration
    assert "@quiet" not in html and 'action="/@newbie/follow"' not in html


def test_following_someone_brings_the_feed(client, make_user):
    mira, newbie = make_user("mira"), make_user("newbie")
    follow_create(follower=newbie, followed=mira)
    client.force_login(newbie)
    html = client.get("/").content.decode()
    assert "Welcome to Kiln" not in html and "<h1>Following</h1>" in html


def test_a_user_who_posted_keeps_the_feed(client, make_user):
    newbie = make_user("newbie")
    post_create(author=newbie, text="hello")
    client.force_login(newbie)
    assert "Welcome to Kiln" not in client.get("/").content.decode()


def test_the_follow_button_follows_and_comes_home(client, make_user):
    make_user("mira", fields_of_work=["illustration"])
    client.force_login(make_user("newbie"))
    response = client.post("/@mira/follow", {"next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Welcome to Kiln" not in client.get("/").content.decode()
