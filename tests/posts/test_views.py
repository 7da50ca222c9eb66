import pytest

from kiln.posts import services
from kiln.posts.models import Post, PostLike
from kiln.social.services import block_create, follow_create

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_compose_creates_a_post_and_redirects_to_its_page(client, ana):
    client.force_login(ana)
    assert client.get("/compose").status_code == 200
    response = client.post("/compose", {"text": "Kiln day #ceramics", "visibility": "public"})
    post = Post.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/@ana/posts/{post.pk}"
    page = client.get(response["Location"]).content.decode()
    assert 'href="/tags/ceramics"' in page
    assert "Ana Ink" in page and "@ana" in page


def test_compose_refuses_empty_and_too_long_posts_with_a_message(client, ana):
    client.force_login(ana)
    response = client.post("/compose", {"text": "  ", "visibility": "public"})
    assert response.status_code == 400
    assert "A post needs some text or an image." in response.content.decode()
    response = client.post("/compose", {"text": "x" * 2001, "visibility": "public"})
    assert response.status_code == 400
    assert "at most 2,000 characters" in response.content.decode()
    assert not Post.objects.exists()


def test_compose_refuses_eleven_images_before_storing_anything(client, ana, media_root):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(ana)
    files = [SimpleUploadedFile(f"{i}.png", b"not really", "image/png") for i in range(11)]
    data = {"text": "many", "visibility": "public", "images": files}
    data.update({f"alt_{i}": "alt" for i in range(11)})
    response = client.post("/compose", data)
    assert response.status_code == 400
    assert "at most 10 images; this one has 11" in response.content.decode()
    assert not Post.objects.exists()
    assert not any(p.is_file() for p in media_root.rglob("*"))


def test_reply_from_the_post_page_and_whole_thread_shown(client, ana, ben):
    root = services.post_create(author=ana, text="root post")
    client.force_login(ben)
    response = client.post("/compose", {"text": "a reply", "in_reply_to": root.pk})
    reply = Post.objects.get(in_reply_to=root)
    assert response["Location"] == f"/@ana/posts/{root.pk}#post-{reply.pk}"
    services.post_create(author=ana, text="reply to reply", in_reply_to=reply)
    page = client.get(f"/@ben/posts/{reply.pk}").content.decode()
    page = page[page.index('id="main"') :]
    # ancestors, the post itself, and replies below
    assert page.index("root post") < page.index("a reply") < page.index("reply to reply")


def test_like_with_htmx_returns_the_action_bar(client, ana, ben):
    post = services.post_create(author=ana, text="like me")
    client.force_login(ben)
    response = client.post(f"/posts/{post.pk}/like", **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'aria-pressed="true"' in body and f"/posts/{post.pk}/unlike" in body
    client.post(f"/posts/{post.pk}/like", **HTMX)
    assert PostLike.objects.count() == 1


def test_forged_like_by_a_blocked_user_is_refused_with_a_clear_error(client, ana, ben):
    post = services.post_create(author=ana, text="mine")
    block_create(blocker=ana, blocked=ben)
    client.force_login(ben)
    response = client.post(f"/posts/{post.pk}/like", **HTMX)
    assert response.status_code == 403
    assert response.content.decode() == "You can't like posts by @ana."
    response = client.post(f"/posts/{post.pk}/like")
    assert response.status_code == 403
    assert "You can&#x27;t like posts by @ana." in response.content.decode()
    assert not PostLike.objects.exists()


def test_forged_reply_by_a_blocked_user_is_refused(client, ana, ben):
    post = services.post_create(author=ana, text="mine")
    block_create(blocker=ana, blocked=ben)
    client.force_login(ben)
    response = client.post("/compose", {"text": "sneaky", "in_reply_to": post.pk})
    assert response.status_code == 403
    assert "can&#x27;t reply to posts by @ana" in response.content.decode()
    assert Post.objects.count() == 1


def test_forged_follow_by_a_blocked_user_is_refused(client, ana, ben):
    from kiln.social.models import Follow

    block_create(blocker=ana, blocked=ben)
    client.force_login(ben)
    response = client.post("/@ana/follow")
    assert response.status_code == 403
    assert "can&#x27;t follow @ana" in response.content.decode()
    assert not Follow.objects.exists()


def test_forged_mention_of_a_blocker_is_refused(client, ana, ben):
    block_create(blocker=ana, blocked=ben)
    client.force_login(ben)
    response = client.post("/compose", {"text": "hey @ana"})
    assert response.status_code == 400
    assert "can&#x27;t mention @ana" in response.content.decode()
    assert not Post.objects.exists()


def test_blocked_viewer_gets_404_on_the_post_page(client, ana, ben):
    post = services.post_create(author=ana, text="hidden from ben")
    block_create(blocker=ben, blocked=ana)
    client.force_login(ben)
    assert client.get(f"/@ana/posts/{post.pk}").status_code == 404


def test_followers_only_post_hidden_from_strangers_and_anonymous(client, ana, ben):
    post = services.post_create(author=ana, text="friends", visibility="followers")
    assert client.get(f"/@ana/posts/{post.pk}").status_code == 404
    client.force_login(ben)
    assert client.get(f"/@ana/posts/{post.pk}").status_code == 404
    follow_create(follower=ben, followed=ana)
    assert client.get(f"/@ana/posts/{post.pk}").status_code == 200


def test_edit_and_history_pages(client, ana, ben):
    post = services.post_create(author=ana, text="first draft")
    client.force_login(ben)
    assert client.post(f"/@ana/posts/{post.pk}/edit", {"text": "hacked"}).status_code == 403
    client.force_login(ana)
    response = client.post(f"/@ana/posts/{post.pk}/edit", {"text": "second draft"})
    assert response.status_code == 302
    page = client.get(f"/@ana/posts/{post.pk}").content.decode()
    assert "second draft" in page and ">edited<" in page
    history = client.get(f"/@ana/posts/{post.pk}/history").content.decode()
    assert "first draft" in history and "second draft" in history


def test_delete_someone_elses_post_via_view_is_refused(client, ana, ben):
    post = services.post_create(author=ana, text="keep")
    client.force_login(ben)
    response = client.post(f"/posts/{post.pk}/delete")
    assert response.status_code == 403
    post.refresh_from_db()
    assert post.deleted_at is None
    client.force_login(ana)
    assert client.post(f"/posts/{post.pk}/delete").status_code == 302
    post.refresh_from_db()
    assert post.deleted_at is not None


def test_profile_posts_tab_lists_posts_and_reposts(client, ana, ben):
    services.post_create(author=ben, text="ben's own")
    original = services.post_create(author=ana, text="ana's original")
    services.post_reblog(user=ben, post=original)
    page = client.get("/@ben/posts").content.decode()
    assert "ben&#x27;s own" in page or "ben's own" in page
    assert "ana&#x27;s original" in page or "ana's original" in page
    assert "reposted" in page


def test_likes_tab_respects_privacy(client, ana, ben):
    post = services.post_create(author=ana, text="liked thing")
    services.post_like(user=ben, post=post)
    assert "liked thing" in client.get("/@ben/likes").content.decode()
    ben.profile.show_likes_publicly = False
    ben.profile.save()
    page = client.get("/@ben/likes").content.decode()
    assert "liked thing" not in page and "keeps their likes private" in page
    client.force_login(ben)
    assert "liked thing" in client.get("/@ben/likes").content.decode()


def test_posts_hydrated_uses_constant_queries(ana, ben, make_asset, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kiln.posts.selectors import posts_hydrated

    def make(n):
        ids = []
        for i in range(n):
            post = services.post_create(
                author=ana, text=f"p{i} #tag", attachments=[(make_asset(ana), "alt")]
            )
            quote = services.post_create(author=ben, text="q", quote=post)
            ids += [post.pk, quote.pk, services.post_reblog(user=ben, post=post).pk]
        return ids

    small, large = make(2), make(8)
    counts = []
    for ids in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            posts = posts_hydrated(ids, ben)
            for post in posts:  # touch what the card template reads
                for a in post.display.attachments.all():
                    list(a.asset.renditions.all())
                _ = post.display.author.profile.name
        counts.append(len(ctx.captured_queries))
        assert len(posts) == len(ids)
    assert counts[0] == counts[1]


def test_post_card_renders_images_with_alt_and_size(client, ana, make_asset):
    asset = make_asset(ana)
    post = services.post_create(author=ana, text="pic", attachments=[(asset, "A red square")])
    page = client.get(f"/@ana/posts/{post.pk}").content.decode()
    assert 'alt="A red square"' in page
    assert 'width="32" height="24"' in page


def test_content_warning_and_mature_posts_are_collapsed(client, ana, ben):
    services.post_create(author=ana, text="spoilers inside", content_warning="Plot spoilers")
    services.post_create(author=ana, text="figure study", is_mature=True)
    page = client.get("/@ana/posts").content.decode()
    assert '<details class="post-cw">' in page and "Plot spoilers" in page
    assert "Mature content" in page
    ben.profile.show_mature = True
    ben.profile.save()
    client.force_login(ben)
    page = client.get("/@ana/posts").content.decode()
    assert page.count('<details class="post-cw" open>') == 1  # mature opens; CW stays shut


def test_images_held_by_screening_are_not_shown(client, ana, make_asset, monkeypatch):
    from kiln.provenance import selectors as provenance

    asset = make_asset(ana)
    post = services.post_create(author=ana, text="pic", attachments=[(asset, "A red square")])
    monkeypatch.setattr(provenance, "held_asset_ids", lambda *, asset_ids: {asset.pk})
    page = client.get(f"/@ana/posts/{post.pk}").content.decode()
    assert "held for review" in page
    assert 'alt="A red square"' not in page


def test_thread_keeps_its_shape_when_a_post_is_deleted(client, ana, ben):
    root = services.post_create(author=ana, text="ROOT")
    middle = services.post_create(author=ben, text="MIDDLE", in_reply_to=root)
    leaf = services.post_create(author=ana, text="LEAF", in_reply_to=middle)
    quote = services.post_create(author=ana, text="QUOTING", quote=middle)
    services.post_delete(post=middle, actor=ben)
    page = client.get(f"/@ana/posts/{leaf.pk}").content.decode()
    main = page[page.index('id="main"') :]
    assert "ROOT" in main and "This post was deleted." in main and "MIDDLE" not in main
    assert main.index("ROOT") < main.index("This post was deleted.") < main.index("LEAF")
    assert "This post is unavailable." in client.get(f"/@ana/posts/{quote.pk}").content.decode()
    root.refresh_from_db()
    assert root.replies_count == 0


def test_feed_assets_are_linked_once_per_page(client, ana):
    for i in range(3):
        services.post_create(author=ana, text=f"post {i}")
    for path in ("/@ana/posts", f"/@ana/posts/{Post.objects.first().pk}"):
        page = client.get(path).content.decode()
        assert page.count("css/feed.css") == 1, path
        assert page.count("js/posts.js") == 1, path
