"""Who may find what: the same rules as the rest of Kiln, on both databases."""

import pytest
from django.contrib.auth.models import AnonymousUser

from kiln.posts.models import Post
from kiln.search import selectors
from kiln.social.services import block_create, follow_create, mute_create

pytestmark = pytest.mark.django_db
ANON = AnonymousUser()


def post_ids(viewer, q):
    return [p.pk for p in selectors.search_posts(viewer=viewer, q=q).items]


def artist_ids(viewer, q, **filters):
    return [u.pk for u in selectors.search_artists(viewer=viewer, q=q, **filters).items]


def work_ids(viewer, q, **kw):
    return [p.pk for p in selectors.search_work(viewer=viewer, q=q, **kw).items]


@pytest.fixture
def cast(artist, make_user):
    """An author, a follower, a stranger, a staff member (staff gets nothing extra)."""
    author = artist("ana", name="Ana Ink")
    follower = make_user("fola")
    stranger = make_user("stranger")
    staff = make_user("staffer")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    follow_create(follower=follower, followed=author)
    return author, follower, stranger, staff


def test_public_and_followers_only_posts(cast, write_post):
    author, follower, stranger, staff = cast
    public = write_post(author, "A heron in watercolour")
    private = write_post(author, "Watercolour sketch for followers", visibility="followers")
    assert post_ids(ANON, "watercolour") == [public.pk]
    assert post_ids(stranger, "watercolour") == [public.pk]
    assert post_ids(staff, "watercolour") == [public.pk]
    assert post_ids(follower, "watercolour") == [private.pk, public.pk]
    assert post_ids(author, "watercolour") == [private.pk, public.pk]


def test_followers_only_post_mentioning_the_viewer(cast, write_post):
    author, _, stranger, _ = cast
    post = write_post(author, "@stranger your watercolour tip worked", visibility="followers")
    assert post_ids(stranger, "watercolour") == [post.pk]


def test_blocks_hide_both_ways_and_mutes_hide_for_the_muter(cast, write_post, artist):
    author, follower, stranger, _ = cast
    write_post(author, "watercolour study")
    other = artist("otto", name="Otto Watercolour")
    block_create(blocker=author, blocked=stranger)
    assert post_ids(stranger, "watercolour") == []  # blocked by the author
    assert author.pk not in artist_ids(stranger, "ana")
    assert post_ids(author, "watercolour")  # the author still sees their own
    assert stranger.pk not in artist_ids(author, "stranger")
    block_create(blocker=follower, blocked=other)
    assert other.pk not in artist_ids(follower, "otto")  # blocker's side
    mute_create(muter=follower, muted=author)
    assert post_ids(follower, "watercolour") == []
    assert author.pk not in artist_ids(follower, "ana")


def test_deleted_posts_and_inactive_accounts_are_not_found(cast, write_post):
    from kiln.posts.services import post_delete

    author, *_ = cast
    post = write_post(author, "watercolour one")
    post_delete(post=post, actor=author)  # post_deleted removes the document
    assert Post.objects.get(pk=post.pk).deleted_at is not None
    assert post_ids(ANON, "watercolour") == []
    write_post(author, "watercolour two")
    author.is_active = False
    author.save(update_fields=["is_active"])
    assert post_ids(ANON, "watercolour") == []
    assert artist_ids(ANON, "ana") == []


def test_indexing_consent_hides_from_people_not_logged_in(cast, write_post, published_project):
    from kiln.accounts.services import consent_update

    author, _, stranger, _ = cast
    write_post(author, "watercolour heron")
    published_project(author, "Heron", "watercolour on paper")
    consent_update(
        user=author,
        allow_search_indexing=False,
        allow_image_search=False,
        show_likes_publicly=True,
        show_mature=False,
    )
    assert post_ids(ANON, "watercolour") == []
    assert artist_ids(ANON, "ana") == []
    assert work_ids(ANON, "heron") == []
    assert post_ids(stranger, "watercolour") and artist_ids(stranger, "ana")
    assert work_ids(stranger, "heron")


def test_drafts_are_never_found_and_unpublishing_removes(cast, published_project):
    from kiln.portfolio.models import Project
    from kiln.portfolio.services import ProjectInput, project_create, project_unpublish

    author, *_ = cast
    draft = project_create(owner=author, data=ProjectInput(title="Secret heron"))
    assert work_ids(author, "heron") == []
    shown = published_project(author, "Public heron")
    assert work_ids(ANON, "heron") == [shown.pk]
    project_unpublish(user=author, project=shown)  # project_saved event
    assert work_ids(author, "heron") == []
    assert Project.objects.filter(pk=draft.pk).exists()


def test_held_images_keep_a_project_out(cast, published_project, make_asset):
    from kiln.portfolio.models import ProjectImage
    from kiln.provenance.models import Screening

    author, *_ = cast
    project = published_project(author, "Heron")
    asset = make_asset(author)
    ProjectImage.objects.create(project=project, asset=asset)
    assert work_ids(ANON, "heron") == [project.pk]
    Screening.objects.create(asset=asset, state=Screening.State.HELD, policy="hold")
    assert work_ids(ANON, "heron") == []
    assert work_ids(author, "heron") == []


def test_mature_work_follows_the_viewers_setting(cast, published_project, make_user):
    author, _, stranger, _ = cast
    mature = published_project(author, "Figure study", is_mature=True)
    calm = published_project(author, "Figure in a field")
    opted = make_user("opted", show_mature=True)
    assert work_ids(ANON, "figure") == [calm.pk]
    assert work_ids(stranger, "figure") == [calm.pk]
    assert work_ids(opted, "figure") == [calm.pk, mature.pk]
    assert work_ids(opted, "figure", hide_mature=True) == [calm.pk]
    assert work_ids(author, "figure") == [calm.pk]  # the artist's own setting is off too


def test_suggestions_respect_blocks_and_consent(cast, artist):
    author, _, stranger, _ = cast
    artist("anabel", name="Anabel Moss")
    names = {u.username for u in selectors.suggest_people(viewer=stranger, prefix="@an")}
    assert names == {"ana", "anabel"}
    block_create(blocker=author, blocked=stranger)
    names = {u.username for u in selectors.suggest_people(viewer=stranger, prefix="@an")}
    assert names == {"anabel"}
