"""The hostile-upload corpus (tests/security/corpus.py) against every upload path: the JSON
upload (portfolio and media), compose's images, the avatar and the banner (together).

Each file is either accepted or refused with a message; never a 5xx, and a refused file
leaves no row and no file behind. The corpus runs in-process; the memory cap itself is
checked against a real gunicorn in test_memory_cap.py.
"""

import resource

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kiln.accounts.choices import AvailabilityStatus
from kiln.media.models import MediaAsset
from kiln.posts.models import Post
from tests.media.conftest import files_under
from tests.security.corpus import corpus

CORPUS = corpus()


def _send(client, path: str, data: bytes):
    upload = SimpleUploadedFile("upload.png", data, content_type="image/png")
    if path == "media":
        return client.post("/media/upload", {"file": upload}), 201
    if path == "post":
        return client.post("/compose", {"text": "hi", "images": upload, "alt_0": "a"}), 302
    # The avatar and the banner in one request (each is checked on its own): half the pages.
    form = {"display_name": "Ana", "status": AvailabilityStatus.values[0], "links": ""}
    banner = SimpleUploadedFile("banner.png", data, content_type="image/png")
    return client.post("/settings/profile", {**form, "avatar": upload, "banner": banner}), 302


def _state(user, media_root):
    from kiln.accounts.models import Profile

    profile = Profile.objects.get(user=user)
    return (
        MediaAsset.objects.count(),
        Post.objects.count(),
        str(profile.avatar),
        str(profile.banner),
        len(files_under(media_root)),
    )


def test_the_corpus_is_large_and_varied():
    assert len(CORPUS) >= 200
    kinds = {name.split("-")[0] for name in CORPUS}
    assert {"bomb", "polyglot", "truncated", "bitflip", "valid", "tiny"} <= kinds


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["media", "post", "profile"])
def test_every_hostile_file_is_refused_cleanly_or_accepted(client, make_user, media_root, path):
    user = make_user("ana")
    client.force_login(user)
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    failures, accepted = [], 0
    for name, data in CORPUS.items():
        before = _state(user, media_root)
        response, success = _send(client, path, data)
        if response.status_code >= 500:
            failures.append(f"{name}: {response.status_code}")
        elif response.status_code == success:
            accepted += 1
        elif _state(user, media_root) != before:
            failures.append(f"{name}: refused ({response.status_code}) but left rows or files")
    assert failures == []
    assert 0 < accepted < len(CORPUS) / 2  # the valid files pass; most of the corpus doesn't
    # In-process, so only a bound: the whole corpus added under 400 MB to this process's peak.
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) / 1024
    assert grown_mb < 400
