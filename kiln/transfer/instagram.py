"""Reading an Instagram "Download your information" archive (JSON format), safely.

Supported layout (docs/decisions.md, "Instagram import"):
- posts: `your_instagram_activity/content/posts_1.json` (older exports: `content/posts_1.json`;
  `posts_2.json`… are read too): a list of posts, each `{"media": [{"uri", "creation_timestamp",
  "title"}], "title"?, "creation_timestamp"?}`. The post's caption is its `title`, or its only
  media's `title`; several media make a carousel. A media's `media_metadata` may name a place
  (`location_name`); so may a post's `string_map_data.Location.value`.
- profile: `personal_information/personal_information/personal_information.json`
  (`profile_user[0].string_map_data` {"Bio": {"value"}, "Website": {"value"}}).
- strings are UTF-8 bytes written as Latin-1 code points ("mojibake"): decoded back.
Stories, reels, messages and anything about other people are not read.

Nothing is extracted to disk: members are read from the ZIP in memory, one at a time, with
their size capped. The archive is refused whole, with a message, when it is not a ZIP, has too
many entries, unsafe names, a suspicious compression ratio, or is the HTML-format export.
"""

import datetime
import json
import posixpath
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings

POSTS_JSON = re.compile(r"^(?:your_instagram_activity/)?content/posts_\d+\.json$")
POSTS_HTML = re.compile(r"^(?:your_instagram_activity/)?content/posts_\d+\.html$")
PROFILE_JSON = "personal_information/personal_information/personal_information.json"
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp", ".heic", ".gif"}
MAX_JSON_BYTES = 64 * 1024 * 1024
TAG = re.compile(r"(?<![\w#])#(\w{1,100})")


class ArchiveRefused(ValueError):
    """The whole archive is refused; the message says why, for the artist."""


@dataclass
class FoundMedia:
    path: str
    taken_at: datetime.datetime | None
    title: str = ""


@dataclass
class FoundPost:
    key: str  # stable across two downloads of the same account: dedupes a second import
    taken_at: datetime.datetime | None
    caption: str
    location: str
    media: list[FoundMedia] = field(default_factory=list)

    @property
    def tags(self) -> list[str]:
        return list(dict.fromkeys(t.lower() for t in TAG.findall(self.caption)))


@dataclass
class FoundArchive:
    posts: list[FoundPost]
    bio: str = ""
    website: str = ""
    skipped_videos: int = 0


def fix_mojibake(value: str) -> str:
    """Instagram writes UTF-8 bytes as if each were a Latin-1 character."""
    if not isinstance(value, str):
        return ""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def _when(value) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromtimestamp(int(value), tz=datetime.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _unsafe(name: str) -> bool:
    if name.startswith(("/", "\\")) or "\\" in name or re.match(r"^[A-Za-z]:", name):
        return True
    return ".." in name.split("/")


def open_archive(path) -> zipfile.ZipFile:
    """The ZIP, checked as a whole; raises ArchiveRefused with a readable reason."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise ArchiveRefused(
            "This file is not a ZIP archive. Upload the .zip file Instagram sent you, unchanged."
        ) from None
    try:
        _check(zf)
    except ArchiveRefused:
        zf.close()
        raise
    return zf


def _check(zf: zipfile.ZipFile) -> None:
    infos = zf.infolist()
    limit = settings.KILN_IMPORT_MAX_ENTRIES
    if len(infos) > limit:
        raise ArchiveRefused(
            f"This archive has {len(infos):,} files; Kiln reads at most {limit:,}. "
            "An Instagram export of posts has far fewer: is this the right file?"
        )
    total = 0
    for info in infos:
        if _unsafe(info.filename):
            raise ArchiveRefused(
                f"This archive contains an unsafe file name ({info.filename[:80]!r}); "
                "nothing was read from it."
            )
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and ratio > settings.KILN_IMPORT_MAX_RATIO:
            raise ArchiveRefused(
                "This archive expands far more than real photos can (a “ZIP bomb”); "
                "nothing was read from it."
            )
    if total > settings.KILN_IMPORT_MAX_UNPACKED_BYTES:
        raise ArchiveRefused(
            f"This archive would unpack to {total / 1024**3:.1f} GB, over Kiln's "
            f"{settings.KILN_IMPORT_MAX_UNPACKED_BYTES / 1024**3:.0f} GB limit."
        )
    names = [i.filename for i in infos]
    if not any(POSTS_JSON.match(n) for n in names):
        if any(POSTS_HTML.match(n) for n in names):
            raise ArchiveRefused(
                "This is Instagram's HTML export. Kiln needs the JSON one: in Instagram, "
                "Accounts Center → Your information and permissions → Download your "
                "information, choose Format: JSON."
            )
        raise ArchiveRefused(
            "No posts found: this archive has no content/posts_1.json. Is it an Instagram "
            "“Download your information” export in JSON format?"
        )


def read_member(zf: zipfile.ZipFile, name: str, max_bytes: int) -> bytes:
    """One member's bytes, never more than `max_bytes` (the sizes in a ZIP can lie)."""
    try:
        with zf.open(name) as fh:
            data = fh.read(max_bytes + 1)
    except KeyError:
        raise FileNotFoundError(name) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise ValueError(f"{name} is damaged inside the archive ({exc}).") from None
    if len(data) > max_bytes:
        raise ValueError(f"{posixpath.basename(name)} is over the {max_bytes // 1024**2} MB limit.")
    return data


def _json(zf: zipfile.ZipFile, name: str):
    try:
        return json.loads(read_member(zf, name, MAX_JSON_BYTES))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ArchiveRefused(f"{name} could not be read as JSON ({str(exc)[:120]}).") from None


def _location(raw: dict, media: list[dict]) -> str:
    loc = (raw.get("string_map_data") or {}).get("Location", {}).get("value")
    if not loc:
        for m in media:
            meta = m.get("media_metadata") or {}
            loc = (meta.get("photo_metadata") or {}).get("location_name") or meta.get(
                "location_name"
            )
            if loc:
                break
    return fix_mojibake(loc or "")


def parse(zf: zipfile.ZipFile) -> FoundArchive:
    names = sorted(n for n in zf.namelist() if POSTS_JSON.match(n))
    found = FoundArchive(posts=[])
    for name in names:
        data = _json(zf, name)
        if not isinstance(data, list):
            raise ArchiveRefused(f"{name} is not a list of posts.")
        for raw in data:
            if not isinstance(raw, dict) or not isinstance(raw.get("media"), list):
                continue
            media = [m for m in raw["media"] if isinstance(m, dict) and m.get("uri")]
            images = []
            for m in media:
                uri = str(m["uri"]).lstrip("/")
                if posixpath.splitext(uri)[1].lower() not in IMAGE_EXTENSIONS:
                    found.skipped_videos += 1
                    continue
                images.append(
                    FoundMedia(
                        uri, _when(m.get("creation_timestamp")), fix_mojibake(m.get("title", ""))
                    )
                )
            if not images:
                continue
            caption = fix_mojibake(raw.get("title", "")) or (
                images[0].title if len(images) == 1 else ""
            )
            taken = _when(raw.get("creation_timestamp")) or images[0].taken_at
            stamp = int(taken.timestamp()) if taken else 0
            found.posts.append(
                FoundPost(
                    key=f"{stamp}:{posixpath.basename(images[0].path)}"[:200],
                    taken_at=taken,
                    caption=caption,
                    location=_location(raw, media),
                    media=images,
                )
            )
    if PROFILE_JSON in zf.namelist():
        profile = _json(zf, PROFILE_JSON)
        try:
            strings = profile["profile_user"][0]["string_map_data"]
        except (KeyError, IndexError, TypeError):
            strings = {}
        found.bio = fix_mojibake((strings.get("Bio") or {}).get("value", ""))
        found.website = fix_mojibake((strings.get("Website") or {}).get("value", ""))
    found.posts.sort(key=lambda p: p.taken_at or datetime.datetime.min.replace(tzinfo=datetime.UTC))
    return found
