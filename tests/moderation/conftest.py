"""People and content for moderation tests: an author, a reporter, two moderators, an admin."""

import pytest


def _staff(user, group: str):
    from kiln.moderation.defaults import defaults_ensure

    moderators, admins = defaults_ensure()  # flushed by transaction=True tests
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(moderators if group == "Moderators" else admins)
    # A fresh instance: Django caches permissions on the object.
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def author(make_user):
    return make_user("author")


@pytest.fixture
def reporter(make_user):
    return make_user("reporter")


@pytest.fixture
def mod(make_user):
    return _staff(make_user("mod"), "Moderators")


@pytest.fixture
def mod2(make_user):
    return _staff(make_user("mod2"), "Moderators")


@pytest.fixture
def admin_user(make_user):
    return _staff(make_user("boss"), "Admins")


@pytest.fixture
def post(author):
    from kiln.posts.services import post_create

    return post_create(author=author, text="A painting I definitely made by hand")


@pytest.fixture
def rule(db):
    from kiln.moderation.models import Rule

    return Rule.objects.get(title="No AI-generated work")
