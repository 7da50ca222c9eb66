"""The signed-in reader's row says whether they block or mute anyone, so the many who don't
have their blocks and mutes answered without a query; anyone who does is still asked."""

import pytest

from kiln.site.auth_backends import fetch_user
from kiln.social import services
from kiln.social.selectors import blocked_user_ids, hidden_author_ids

pytestmark = pytest.mark.django_db


def test_a_reader_who_blocks_and_mutes_nobody_costs_no_query(ana, django_assert_num_queries):
    reader = fetch_user(ana.pk)
    assert reader.in_any_block is False and reader.mutes_anyone is False
    with django_assert_num_queries(0):
        assert blocked_user_ids(reader) == set()
        assert hidden_author_ids(reader) == set()


def test_both_sides_of_a_block_see_it_from_their_next_request(ana, ben, make_user):
    cy = make_user("cy")
    services.block_create(blocker=ana, blocked=ben)

    for user, other in ((ana, ben), (ben, ana)):
        reader = fetch_user(user.pk)
        assert reader.in_any_block is True
        assert blocked_user_ids(reader) == {other.pk}
        assert hidden_author_ids(reader) == {other.pk}
    assert fetch_user(cy.pk).in_any_block is False


def test_a_mute_hides_without_counting_as_a_block(ana, ben, django_assert_num_queries):
    services.mute_create(muter=ana, muted=ben)

    muter, muted = fetch_user(ana.pk), fetch_user(ben.pk)
    assert muter.mutes_anyone is True and muter.in_any_block is False
    assert hidden_author_ids(muter) == {ben.pk}
    with django_assert_num_queries(0):
        assert blocked_user_ids(muter) == set()  # a mute is one-sided and not a block
        assert hidden_author_ids(muted) == set()


def test_undoing_clears_the_flags(ana, ben):
    services.block_create(blocker=ana, blocked=ben)
    services.mute_create(muter=ana, muted=ben)
    services.block_delete(blocker=ana, blocked=ben)
    services.mute_delete(muter=ana, muted=ben)

    reader = fetch_user(ana.pk)
    assert reader.in_any_block is False and reader.mutes_anyone is False


def test_a_user_loaded_some_other_way_is_always_asked(ana, ben, django_assert_num_queries):
    """Only the request's own reader carries the flags: a plain model instance is queried."""
    services.block_create(blocker=ana, blocked=ben)
    with django_assert_num_queries(1):
        assert blocked_user_ids(ana) == {ben.pk}


def test_forged_session_ids_load_nobody():
    assert fetch_user("not-a-number") is None
    assert fetch_user(None) is None
    assert fetch_user(999) is None
