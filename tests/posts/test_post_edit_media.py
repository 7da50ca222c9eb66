"""Editing a post's images after posting: alt text, removal (files deleted), additions through
the compose path's media pipeline, every change in the edit history and `edited_at` bumped."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kiln.core.access import AccessDenied
from kiln.media.models import MediaAsset
from kiln.posts import services
from kiln.posts.models import Post, PostAttachment, PostEdit

pytestmark = pytest.mark.django_db


@pytest.fixture
def image_post(ana, make_asset):
    return services.post_create(
        author=ana,
        text="Three tiles",
        attachments=[(make_asset(ana), "Red tile"), (make_asset(ana), "Green tile")],
    )


def _png(name="new.png", color=(10, 120, 60)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), "image/png")


def _files(root) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def _state(post):
    """Everything an edit could change, to assert that a refused edit changed nothing."""
    post.refresh_from_db()
    return (
        post.text,
        post.edited_at,
        list(post.attachments.values_list("id", "asset_id", "alt_text", "position")),
        PostEdit.objects.filter(post=post).count(),
        MediaAsset.objects.count(),
    )


def test_changing_alt_text_records_history_and_bumps_edited_at(ana, image_post):
    first, second = image_post.attachments.all()
    assert image_post.edited_at is None
    services.post_edit(
        post=image_post,
        editor=ana,
        text="Three tiles",
        alt_texts={str(first.pk): "A red glazed tile", second.pk: "Green tile"},
    )
    image_post.refresh_from_db()
    assert image_post.edited_at is not None
    assert [a.alt_text for a in image_post.attachments.all()] == ["A red glazed tile", "Green tile"]
    edit = PostEdit.objects.get(post=image_post)
    assert edit.text == "Three tiles"
    assert edit.media == [
        {"id": first.pk, "alt": "Red tile"},
        {"id": second.pk, "alt": "Green tile"},
    ]


def test_alt_text_alone_bumps_edited_at_again(ana, image_post):
    """Cards are cached by edited_at: every later image change must move it."""
    first = image_post.attachments.first()
    services.post_edit(post=image_post, editor=ana, text="Edited once")
    image_post.refresh_from_db()
    before = image_post.edited_at
    services.post_edit(post=image_post, editor=ana, alt_texts={first.pk: "Now described"})
    image_post.refresh_from_db()
    assert image_post.edited_at > before
    assert image_post.text == "Edited once"


def test_saving_without_changes_writes_nothing(ana, image_post):
    first, second = image_post.attachments.all()
    before = _state(image_post)
    services.post_edit(
        post=image_post,
        editor=ana,
        text="Three tiles",
        alt_texts={first.pk: "Red tile", second.pk: " Green tile "},
    )
    assert _state(image_post) == before


def test_removing_an_image_deletes_its_asset_and_files(
    ana, image_post, media_root, django_capture_on_commit_callbacks
):
    first, second = image_post.attachments.select_related("asset")
    files_before = _files(media_root)
    gone = {second.asset.original_key} | set(second.asset.renditions.values_list("key", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        services.post_edit(post=image_post, editor=ana, remove=[second.pk])
    image_post.refresh_from_db()
    assert image_post.edited_at is not None
    assert list(image_post.attachments.values_list("id", "position")) == [(first.pk, 0)]
    assert not MediaAsset.objects.filter(pk=second.asset_id).exists()
    assert MediaAsset.objects.filter(pk=first.asset_id).exists()
    files_after = _files(media_root)
    assert len(files_after) == len(files_before) - 2
    for key in gone:
        assert not any(path.endswith(key) for path in files_after)
    assert PostEdit.objects.get(post=image_post).media[1] == {"id": second.pk, "alt": "Green tile"}


def test_adding_an_image_goes_through_the_media_pipeline_and_screening(
    ana, image_post, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.post_edit(post=image_post, editor=ana, uploads=[(_png(), "A small green square")])
    attachments = list(image_post.attachments.select_related("asset"))
    assert [a.alt_text for a in attachments] == ["Red tile", "Green tile", "A small green square"]
    assert [a.position for a in attachments] == [0, 1, 2]
    added = MediaAsset.objects.get(pk=attachments[2].asset_id)
    assert added.owner_id == ana.pk
    assert added.state == MediaAsset.State.READY  # processed on commit, as at compose time
    from kiln.provenance.models import Screening

    assert Screening.objects.filter(asset=added).exists()  # screened like a composed image
    image_post.refresh_from_db()
    assert image_post.edited_at is not None


def test_eleven_images_are_refused_and_nothing_is_stored(ana, make_asset, media_root):
    post = services.post_create(
        author=ana, text="full", attachments=[(make_asset(ana), f"tile {i}") for i in range(10)]
    )
    before, files = _state(post), _files(media_root)
    with pytest.raises(ValidationError, match="at most 10 images; this one has 11"):
        services.post_edit(post=post, editor=ana, uploads=[(_png(), "one too many")])
    assert _state(post) == before
    assert _files(media_root) == files


def test_a_refused_upload_changes_nothing_and_leaves_no_file(
    ana, image_post, media_root, django_capture_on_commit_callbacks
):
    """The removal and alt change in the same save are rolled back with it."""
    first, second = image_post.attachments.all()
    before, files = _state(image_post), _files(media_root)
    broken = SimpleUploadedFile("broken.png", b"not really a png", "image/png")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.post_edit(
            post=image_post,
            editor=ana,
            alt_texts={first.pk: "changed"},
            remove=[second.pk],
            uploads=[(_png(), "fine"), (broken, "broken")],
        )
    assert _state(image_post) == before
    assert _files(media_root) == files


def test_alt_text_over_the_limit_is_refused(ana, image_post):
    first = image_post.attachments.first()
    before = _state(image_post)
    with pytest.raises(ValidationError, match="description of image 1 is over 1,500"):
        services.post_edit(post=image_post, editor=ana, alt_texts={first.pk: "x" * 1501})
    with pytest.raises(ValidationError, match="description of image 3 is over 1,500"):
        services.post_edit(post=image_post, editor=ana, uploads=[(_png(), "x" * 1501)])
    with pytest.raises(ValidationError, match="Describe image 1"):
        services.post_edit(post=image_post, editor=ana, alt_texts={first.pk: "  "})
    assert _state(image_post) == before


def test_forged_attachment_id_from_another_post_is_refused(ana, ben, image_post, make_asset):
    other = services.post_create(author=ben, text="mine", attachments=[(make_asset(ben), "Bens")])
    foreign = other.attachments.get()
    before, other_before = _state(image_post), _state(other)
    for kwargs in ({"remove": [foreign.pk]}, {"alt_texts": {foreign.pk: "hijacked"}}):
        with pytest.raises(ValidationError, match="That image is not part of this post"):
            services.post_edit(post=image_post, editor=ana, **kwargs)
    with pytest.raises(ValidationError, match="not part of this post"):
        services.post_edit(post=image_post, editor=ana, remove=["1 OR 1=1"])
    assert _state(image_post) == before
    assert _state(other) == other_before


def test_editing_someone_elses_images_is_refused(ana, ben, image_post, media_root):
    first = image_post.attachments.first()
    before, files = _state(image_post), _files(media_root)
    for kwargs in (
        {"alt_texts": {first.pk: "mine now"}},
        {"remove": [first.pk]},
        {"uploads": [(_png(), "sneaky")]},
    ):
        with pytest.raises(AccessDenied, match="Only the author can edit"):
            services.post_edit(post=image_post, editor=ben, **kwargs)
    assert _state(image_post) == before
    assert _files(media_root) == files


def test_removing_every_image_of_an_image_only_post_is_refused(ana, make_asset):
    post = services.post_create(author=ana, text="", attachments=[(make_asset(ana), "Only one")])
    before = _state(post)
    with pytest.raises(ValidationError, match="needs some text or an image"):
        services.post_edit(post=post, editor=ana, text="", remove=[post.attachments.get().pk])
    assert _state(post) == before


def test_deleted_post_images_cannot_be_edited(ana, image_post):
    first = image_post.attachments.first()
    services.post_delete(post=image_post, actor=ana)
    with pytest.raises(ValidationError, match="can't be edited"):
        services.post_edit(post=image_post, editor=ana, alt_texts={first.pk: "late"})


# --- the edit page and the history page ---------------------------------------------------


def test_edit_page_changes_alt_removes_and_adds_then_history_says_so(
    client, ana, image_post, django_capture_on_commit_callbacks
):
    first, second = image_post.attachments.all()
    client.force_login(ana)
    page = client.get(f"/@ana/posts/{image_post.pk}/edit").content.decode()
    assert f'name="attachment_alt_{first.pk}"' in page and "Remove image 2" in page
    assert 'enctype="multipart/form-data"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/@ana/posts/{image_post.pk}/edit",
            {
                "text": "Three tiles",
                f"attachment_alt_{first.pk}": "A red glazed tile",
                f"attachment_alt_{second.pk}": "Green tile",
                "remove": [str(second.pk)],
                "images": [_png()],
                "alt_0": "A fresh green square",
            },
        )
    assert response.status_code == 302
    assert [a.alt_text for a in image_post.attachments.all()] == [
        "A red glazed tile",
        "A fresh green square",
    ]
    post_page = client.get(response["Location"]).content.decode()
    assert ">edited<" in post_page and 'alt="A red glazed tile"' in post_page
    history = client.get(f"/@ana/posts/{image_post.pk}/history").content.decode()
    assert "alt text of image 1 changed; 1 image removed; 1 image added" in history
    assert "2 images, described as:" in history and "Green tile" in history


def test_history_lists_text_and_image_changes_per_version(ana, image_post):
    from kiln.posts.history import edit_versions

    first, second = image_post.attachments.all()
    services.post_edit(post=image_post, editor=ana, text="Two tiles", remove=[second.pk])
    services.post_edit(post=image_post, editor=ana, alt_texts={first.pk: "Red"})
    image_post.refresh_from_db()
    versions = edit_versions(post=image_post, edits=list(image_post.edits.all()))
    assert [v["changes"] for v in versions] == [
        ["alt text of image 1 changed"],
        ["text changed", "1 image removed"],
    ]


def test_edit_page_refusals_show_a_message_and_keep_what_was_typed(
    client, ana, ben, image_post, make_asset
):
    first, second = image_post.attachments.all()
    other = services.post_create(author=ben, text="b", attachments=[(make_asset(ben), "Bens")])
    client.force_login(ana)
    url = f"/@ana/posts/{image_post.pk}/edit"
    before = _state(image_post)
    response = client.post(url, {"text": "Three tiles", f"attachment_alt_{first.pk}": "y" * 1501})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The description of image 1 is over 1,500 characters" in page
    assert "y" * 1501 in page  # what was typed is still there
    forged = client.post(url, {"text": "Three tiles", "remove": [str(other.attachments.get().pk)]})
    assert forged.status_code == 400
    assert "That image is not part of this post." in forged.content.decode()
    eleven = client.post(
        url,
        {
            "text": "x",
            "images": [_png(f"{i}.png") for i in range(9)],
            **{f"alt_{i}": "alt" for i in range(9)},
        },
    )
    assert eleven.status_code == 400
    assert "at most 10 images; this one has 11" in eleven.content.decode()
    assert _state(image_post) == before
    client.force_login(ben)
    assert client.get(url).status_code == 403
    response = client.post(url, {"text": "Three tiles", f"attachment_alt_{first.pk}": "ben's"})
    assert response.status_code == 403
    assert "Only the author can edit this post." in response.content.decode()
    assert _state(image_post) == before
    assert Post.objects.get(pk=image_post.pk).text == "Three tiles"
    assert PostAttachment.objects.filter(post=image_post).count() == 2
