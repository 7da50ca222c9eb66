import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import storages

from kiln.core.access import AccessDenied
from kiln.posts import services
from kiln.posts.models import Post, PostEdit, PostLike, PostTag
from kiln.social.services import block_create, follow_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(make_user):
    return make_user("ana")


@pytest.fixture
def ben(make_user):
    return make_user("ben")


def test_post_create_renders_tags_mentions_and_tells_timelines(
    ana, ben, timeline_calls, django_capture_on_commit_callbacks
):
    post = services.post_create(author=ana, text="New piece #Ink #日本画 for @ben <b>x</b>")
    assert set(PostTag.objects.filter(post=post).values_list("tag", flat=True)) == {"ink", "日本画"}
    assert '<a class="mention" href="/@ben">@ben</a>' in post.text_html
    assert '<a class="hashtag" href="/tags/ink">#Ink</a>' in post.text_html
    assert "&lt;b&gt;x&lt;/b&gt;" in post.text_html
    assert timeline_calls == [("timeline_post_created", {"post": post})]


def test_new_post_tells_timelines_inside_its_transaction(
    ana, monkeypatch, django_capture_on_commit_callbacks
):
    """The timelines' subscriber to `post_created` runs before the post commits, so the author's
    entry and the fan-out task commit with the post: a failing subscriber leaves no post."""
    from kiln.timelines import services as timeline_services

    seen = []
    monkeypatch.setattr(
        timeline_services, "timeline_post_created", lambda *, post: seen.append(post)
    )
    with django_capture_on_commit_callbacks(execute=False):
        post = services.post_create(author=ana, text="hello")
        assert seen == [post]  # before commit

    def failing(*, post):
        raise RuntimeError("the timelines are down")

    monkeypatch.setattr(timeline_services, "timeline_post_created", failing)
    with pytest.raises(RuntimeError):
        services.post_create(author=ana, text="never written")
    assert not Post.objects.filter(text="never written").exists()


def test_deleted_post_tells_timelines_on_commit(
    ana, monkeypatch, django_capture_on_commit_callbacks
):
    from kiln.timelines import services as timeline_services

    post = services.post_create(author=ana, text="hello")
    seen = []
    monkeypatch.setattr(
        timeline_services, "timeline_post_deleted", lambda *, post: seen.append(post)
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.post_delete(post=post, actor=ana)
    assert seen == []  # nothing before commit
    for callback in callbacks:
        callback()
    assert [p.pk for p in seen] == [post.pk]


def test_empty_post_is_refused(ana):
    with pytest.raises(ValidationError, match="needs some text or an image"):
        services.post_create(author=ana, text="   ")
    assert not Post.objects.exists()


def test_2001_characters_are_refused_2000_accepted(ana):
    with pytest.raises(ValidationError, match="at most 2,000 characters; this one has 2,001"):
        services.post_create(author=ana, text="x" * 2001)
    assert not Post.objects.exists()
    assert services.post_create(author=ana, text="x" * 2000).text == "x" * 2000


def test_eleven_images_are_refused(ana, make_asset):
    assets = [(make_asset(ana), f"image {i}") for i in range(11)]
    with pytest.raises(ValidationError, match="at most 10 images; this one has 11"):
        services.post_create(author=ana, text="lots", attachments=assets)
    assert not Post.objects.exists()
    post = services.post_create(author=ana, text="ten", attachments=assets[:10])
    assert post.attachments.count() == 10


def test_images_need_alt_text_and_must_be_your_own(ana, ben, make_asset):
    with pytest.raises(ValidationError, match="Describe image 1"):
        services.post_create(author=ana, text="x", attachments=[(make_asset(ana), " ")])
    with pytest.raises(ValidationError, match="not one of your uploads"):
        services.post_create(author=ana, text="x", attachments=[(make_asset(ben), "alt")])
    assert not Post.objects.exists()


def test_reply_threads_and_counts(ana, ben):
    root = services.post_create(author=ana, text="root")
    reply = services.post_create(author=ben, text="reply", in_reply_to=root)
    deeper = services.post_create(author=ana, text="deeper", in_reply_to=reply.pk)
    assert reply.thread_root_id == root.pk
    assert deeper.thread_root_id == root.pk
    root.refresh_from_db()
    assert root.replies_count == 1


def test_reply_to_deleted_post_is_refused(ana, ben):
    root = services.post_create(author=ana, text="root")
    services.post_delete(post=root, actor=ana)
    with pytest.raises(ValidationError, match="deleted or you can't see it"):
        services.post_create(author=ben, text="late", in_reply_to=root)
    assert Post.objects.count() == 1


def test_reply_to_invisible_followers_only_post_is_refused(ana, ben):
    secret = services.post_create(author=ana, text="friends only", visibility="followers")
    with pytest.raises(ValidationError, match="deleted or you can't see it"):
        services.post_create(author=ben, text="hi", in_reply_to=secret)
    follow_create(follower=ben, followed=ana)
    assert services.post_create(author=ben, text="hi", in_reply_to=secret).in_reply_to == secret


def test_reply_to_missing_post_id_is_refused(ana):
    with pytest.raises(ValidationError, match="does not exist"):
        services.post_create(author=ana, text="hi", in_reply_to=123456789)


def test_like_twice_is_idempotent_and_unlike(ana, ben):
    post = services.post_create(author=ana, text="like me")
    services.post_like(user=ben, post=post)
    liked = services.post_like(user=ben, post=post)
    assert liked.likes_count == 1
    assert PostLike.objects.count() == 1
    assert services.post_unlike(user=ben, post=post).likes_count == 0
    assert services.post_unlike(user=ben, post=post).likes_count == 0


def test_repost_and_undo(ana, ben, timeline_calls):
    post = services.post_create(author=ana, text="share me")
    reblog = services.post_reblog(user=ben, post=post)
    assert services.post_reblog(user=ben, post=reblog) == reblog  # reposting a repost: same
    post.refresh_from_db()
    assert post.reblogs_count == 1
    assert ("timeline_post_created", {"post": reblog}) in timeline_calls
    assert services.post_unreblog(user=ben, post=post) is True
    assert timeline_calls[-1][0] == "timeline_post_deleted"
    assert timeline_calls[-1][1]["post"].pk == reblog.pk
    post.refresh_from_db()
    assert post.reblogs_count == 0
    assert not Post.objects.filter(reblog=post).exists()


def test_followers_only_posts_cannot_be_reposted(ana, ben):
    follow_create(follower=ben, followed=ana)
    post = services.post_create(author=ana, text="friends", visibility="followers")
    with pytest.raises(ValidationError, match="Only public posts"):
        services.post_reblog(user=ben, post=post)


def test_quote(ana, ben):
    post = services.post_create(author=ana, text="original")
    quote = services.post_create(author=ben, text="look at this", quote=post)
    assert quote.quote == post


def test_edit_keeps_history(ana):
    post = services.post_create(author=ana, text="frist #typo")
    services.post_edit(post=post, editor=ana, text="first #fixed")
    post.refresh_from_db()
    assert post.text == "first #fixed" and post.edited_at is not None
    assert list(PostEdit.objects.values_list("text", flat=True)) == ["frist #typo"]
    assert list(post.tags.values_list("tag", flat=True)) == ["fixed"]


def test_edit_or_delete_someone_elses_post_is_refused(ana, ben):
    post = services.post_create(author=ana, text="mine")
    with pytest.raises(AccessDenied, match="Only the author can edit"):
        services.post_edit(post=post, editor=ben, text="yours now")
    with pytest.raises(AccessDenied, match="Only the author can delete"):
        services.post_delete(post=post, actor=ben)
    post.refresh_from_db()
    assert post.text == "mine" and post.deleted_at is None and not PostEdit.objects.exists()


def test_delete_removes_images_from_storage(ana, make_asset, django_capture_on_commit_callbacks):
    from kiln.media.models import MediaAsset

    asset = make_asset(ana)
    public_key = asset.renditions.get().key
    with django_capture_on_commit_callbacks(execute=True):
        post = services.post_create(author=ana, text="pic", attachments=[(asset, "a square")])
    assert storages["default"].exists(public_key)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_delete(post=post, actor=ana)
    post.refresh_from_db()
    assert post.deleted_at is not None and post.text == ""
    assert not MediaAsset.objects.filter(pk=asset.pk).exists()
    assert not storages["default"].exists(public_key)
    assert not storages["private"].exists(asset.original_key)


def test_mentioning_a_blocked_user_is_refused(ana, ben):
    block_create(blocker=ben, blocked=ana)
    with pytest.raises(ValidationError, match="can't mention @ben"):
        services.post_create(author=ana, text="hey @ben")
    block_create(blocker=ana, blocked=ben)
    with pytest.raises(ValidationError, match="can't mention @ben"):
        services.post_create(author=ana, text="hey @ben")
    assert not Post.objects.exists()


def test_blocked_user_cannot_like_reply_repost_or_quote(ana, ben):
    post = services.post_create(author=ana, text="not for ben")
    block_create(blocker=ana, blocked=ben)
    with pytest.raises(AccessDenied, match="can't like posts by @ana"):
        services.post_like(user=ben, post=post)
    with pytest.raises(AccessDenied, match="can't reply to posts by @ana"):
        services.post_create(author=ben, text="hi", in_reply_to=post)
    with pytest.raises(AccessDenied):
        services.post_reblog(user=ben, post=post)
    with pytest.raises(AccessDenied):
        services.post_create(author=ben, text="hi", quote=post)
    assert Post.objects.count() == 1
    assert not PostLike.objects.exists()
