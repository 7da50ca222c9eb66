"""The one rule for who sees a post, pinned once: the queryset form (`visible_posts`, used by
listings) and the in-memory form (`can_view_post`, used by single-post pages and every
interaction) must answer the same for every kind of viewer and post."""

import itertools

import pytest
from django.contrib.auth.models import AnonymousUser

from kiln.posts.models import Post
from kiln.posts.selectors import can_view_post, visible_posts
from kiln.posts.services import post_create, post_delete
from kiln.social.services import block_create, follow_create

pytestmark = pytest.mark.django_db

VIEWERS = ("anonymous", "author", "follower", "mentioned", "stranger", "blocked", "blocker")
# (visibility, author active, deleted) -> viewers who may see the post
EXPECTED = {
    ("public", True, False): {"anonymous", "author", "follower", "mentioned", "stranger"},
    ("followers", True, False): {"author", "follower", "mentioned"},
}


@pytest.fixture
def people(make_user):
    author = make_user("author")
    viewers = {name: make_user(name) for name in VIEWERS if name not in ("anonymous", "author")}
    viewers["anonymous"] = AnonymousUser()
    viewers["author"] = author
    follow_create(follower=viewers["follower"], followed=author)
    block_create(blocker=author, blocked=viewers["blocked"])
    block_create(blocker=viewers["blocker"], blocked=author)
    return author, viewers


def test_a_limited_account_is_seen_by_its_followers_only(people):
    author, viewers = people
    post = post_create(author=author, text="hello @mentioned")
    author.is_limited = True
    author.save(update_fields=["is_limited"])
    post = Post.objects.select_related("author").get(pk=post.pk)
    for name, viewer in viewers.items():
        expected = name in ("author", "follower")
        assert visible_posts(viewer).filter(pk=post.pk).exists() == expected, name
        assert can_view_post(post, viewer) == expected, name


@pytest.mark.parametrize(
    ("visibility", "active", "deleted"),
    list(itertools.product(("public", "followers"), (True, False), (False, True))),
)
def test_listing_and_single_post_follow_one_rule(people, visibility, active, deleted):
    author, viewers = people
    post = post_create(author=author, text="hello @mentioned", visibility=visibility)
    if deleted:
        post_delete(post=post, actor=author)
    if not active:
        author.is_active = False
        author.save(update_fields=["is_active"])
    post = Post.objects.select_related("author").get(pk=post.pk)
    expected = EXPECTED.get((visibility, active, deleted), set())
    for name, viewer in viewers.items():
        listed = visible_posts(viewer).filter(pk=post.pk).exists()
        single = can_view_post(post, viewer)
        assert listed == single == (name in expected), (name, listed, single)
