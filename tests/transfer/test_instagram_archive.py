"""Reading Instagram archives, and refusing the bad ones whole with a readable reason."""

import io
import json
import zipfile

import pytest

from kiln.transfer import instagram

from .archives import build_archive


def parse(data: bytes):
    with instagram.open_archive(io.BytesIO(data)) as zf:
        return instagram.parse(zf)


def test_posts_carousels_profile_and_mojibake():
    found = parse(build_archive())
    assert len(found.posts) == 12
    assert [len(p.media) for p in found.posts].count(3) == 3
    first = found.posts[0]
    assert first.caption == "Glaze study 0 — céladon #ceramics #Kiln0"
    assert first.tags == ["ceramics", "kiln0"]
    assert first.location == "Kyōto"
    assert first.taken_at.year == 2019
    assert found.bio == "Potter in Kyōto ✿" and found.website == "https://glaze.example"
    single = found.posts[5]
    assert single.caption.startswith("Glaze study 5") and len(single.media) == 1


def test_the_older_layout_is_read_too():
    assert len(parse(build_archive(old_layout=True)).posts) == 12


def zip_of(entries: dict, compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return out.getvalue()


def refused(data: bytes) -> str:
    with pytest.raises(instagram.ArchiveRefused) as exc:
        parse(data)
    return str(exc.value)


def test_not_a_zip():
    assert "not a ZIP" in refused(b"\x89PNG\r\n\x1a\n" + b"0" * 100)


def test_a_zip_bomb():
    bomb = zip_of({"content/posts_1.json": "[]", "media/posts/x.jpg": b"\0" * (20 * 1024 * 1024)})
    assert "ZIP bomb" in refused(bomb)


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "/abs/path.jpg", "media\\..\\x.jpg", "C:/x.jpg"]
)
def test_path_traversal(name):
    assert "unsafe file name" in refused(zip_of({"content/posts_1.json": "[]", name: b"x"}))


def test_too_many_entries(settings):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("content/posts_1.json", "[]")
        for i in range(200_000):
            zf.writestr(zipfile.ZipInfo(f"m/{i}"), b"")
    message = refused(out.getvalue())
    assert "200,001 files" in message and "100,000" in message


def test_the_html_export():
    html = zip_of({"your_instagram_activity/content/posts_1.html": "<html></html>"})
    assert "HTML export" in refused(html) and "JSON" in refused(html)


def test_no_posts_at_all():
    assert "No posts found" in refused(zip_of({"something.txt": "hi"}))


def test_broken_json():
    assert "could not be read as JSON" in refused(zip_of({"content/posts_1.json": "[{"}))


def test_videos_are_left_out():
    posts = [{"media": [{"uri": "media/reels/a.mp4", "creation_timestamp": 1}]}]
    found = parse(zip_of({"content/posts_1.json": json.dumps(posts)}))
    assert found.posts == [] and found.skipped_videos == 1
