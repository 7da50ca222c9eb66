"""The edit history page: each earlier version and what the next edit changed in it.

PostEdit rows hold the version an edit replaced (text, warning, mature flag and, since images
became editable, the images with their alt text), so what changed is read by comparing each
row with the version after it: the next newer row, or the post as it is now.
"""

from kiln.posts.models import Post, PostEdit


def _numbers(places: list[int]) -> str:
    words = [str(p) for p in places]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " and " + words[-1]


def media_changes(before: list[dict], after: list[dict]) -> list[str]:
    """What happened to the images between two versions, in words."""
    after_alt = {m["id"]: m["alt"] for m in after}
    before_ids = {m["id"] for m in before}
    described = [
        place
        for place, m in enumerate(before, start=1)
        if m["id"] in after_alt and after_alt[m["id"]] != m["alt"]
    ]
    removed = sum(1 for m in before if m["id"] not in after_alt)
    added = sum(1 for m in after if m["id"] not in before_ids)
    changes = []
    if described:
        noun = "image" if len(described) == 1 else "images"
        changes.append(f"alt text of {noun} {_numbers(described)} changed")
    if removed:
        changes.append(f"{removed} image{'' if removed == 1 else 's'} removed")
    if added:
        changes.append(f"{added} image{'' if added == 1 else 's'} added")
    return changes


def edit_versions(*, post: Post, edits: list[PostEdit]) -> list[dict]:
    """[{edit, changes, media}] newest first; `changes` says what the edit that replaced this
    version changed. Image changes are only known for edits that recorded images."""
    after_text = (post.text, post.content_warning, post.is_mature)
    after_media: list[dict] | None = [
        {"id": a.pk, "alt": a.alt_text} for a in post.attachments.all()
    ]
    versions = []
    for edit in edits:
        changes = []
        if edit.text != after_text[0]:
            changes.append("text changed")
        if edit.content_warning != after_text[1]:
            changes.append("content warning changed")
        if edit.is_mature != after_text[2]:
            changes.append("mature flag changed")
        if edit.media is not None and after_media is not None:
            changes += media_changes(edit.media, after_media)
        versions.append({"edit": edit, "changes": changes, "media": edit.media or []})
        after_text = (edit.text, edit.content_warning, edit.is_mature)
        after_media = edit.media
    return versions
