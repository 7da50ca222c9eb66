"""Instagram archives built by the tests, in the JSON layout Kiln supports."""

import io
import json
import zipfile

from .helpers import art_bytes

BASE_TS = 1_550_000_000  # 12 February 2019


def mojibake(text: str) -> str:
    """How Instagram writes UTF-8: each byte as a Latin-1 character."""
    return text.encode("utf-8").decode("latin-1")


def jpeg(seed: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.open(io.BytesIO(art_bytes(seed, size=(240, 240)))).convert("RGB").save(out, "JPEG")
    return out.getvalue()


def instagram_posts(count=12, carousels=3, images_per_carousel=3):
    """[(post json, {path: bytes})]: the first `carousels` posts have several images."""
    posts, files = [], {}
    for i in range(count):
        ts = BASE_TS + i * 86400 * 30
        n = images_per_carousel if i < carousels else 1
        media = []
        for j in range(n):
            path = f"media/posts/2019{i:02d}/img_{i}_{j}.jpg"
            files[path] = jpeg(i * 10 + j + 1)
            media.append({"uri": path, "creation_timestamp": ts, "title": ""})
        caption = mojibake(f"Glaze study {i} — céladon #ceramics #Kiln{i}")
        post = {"media": media, "creation_timestamp": ts, "title": caption}
        if n == 1:
            post = {"media": [{**media[0], "title": caption}]}
        if i == 0:
            post["media"][0]["media_metadata"] = {
                "photo_metadata": {"location_name": mojibake("Kyōto")}
            }
        posts.append(post)
    return posts, files


def build_archive(
    *,
    count=12,
    carousels=3,
    old_layout=False,
    drop_files=(),
    corrupt=(),
    extra: dict | None = None,
) -> bytes:
    posts, files = instagram_posts(count, carousels)
    out = io.BytesIO()
    prefix = "" if old_layout else "your_instagram_activity/"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{prefix}content/posts_1.json", json.dumps(posts))
        zf.writestr(
            "personal_information/personal_information/personal_information.json",
            json.dumps(
                {
                    "profile_user": [
                        {
                            "string_map_data": {
                                "Bio": {"value": mojibake("Potter in Kyōto ✿")},
                                "Website": {"value": "https://glaze.example"},
                            }
                        }
                    ]
                }
            ),
        )
        zf.writestr(f"{prefix}content/stories.json", "[]")
        zf.writestr("your_instagram_activity/messages/inbox/friend/message_1.json", "{}")
        for path, data in files.items():
            if path in drop_files:
                continue
            zf.writestr(path, b"not an image at all" if path in corrupt else data)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return out.getvalue()
