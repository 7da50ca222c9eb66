"""Writes for accounts and profiles."""

from django.core.exceptions import ValidationError
from django.db import transaction

from kiln.accounts.choices import FIELD_LABELS
from kiln.accounts.events import ProfileSaved, profile_saved
from kiln.accounts.models import Profile, ProfileLink, User

MAX_PROFILE_LINKS = 5


def profile_ensure(*, user: User) -> Profile:
    profile, created = Profile.objects.get_or_create(user=user)
    if created:
        profile_saved.send(ProfileSaved(user_id=user.pk))
    return profile


@transaction.atomic
def profile_update(
    *,
    user: User,
    display_name: str,
    bio: str,
    pronouns: str,
    location: str,
    fields_of_work: list[str],
    status: str,
    links: list[str],
) -> Profile:
    unknown = [f for f in fields_of_work if f not in FIELD_LABELS]
    if unknown:
        raise ValidationError(f"Unknown field of work: {', '.join(unknown)}.")
    if len(links) > MAX_PROFILE_LINKS:
        raise ValidationError(f"A profile can show at most {MAX_PROFILE_LINKS} links.")
    profile = profile_ensure(user=user)
    profile.display_name = display_name
    profile.bio = bio
    profile.pronouns = pronouns
    profile.location = location
    profile.fields_of_work = fields_of_work
    profile.status = status
    profile.full_clean(exclude=["user", "avatar", "banner"])
    profile.save(
        update_fields=[
            "display_name",
            "bio",
            "pronouns",
            "location",
            "fields_of_work",
            "status",
            "updated_at",
        ]
    )
    profile.links.all().delete()
    ProfileLink.objects.bulk_create(
        ProfileLink(profile=profile, url=url, position=i) for i, url in enumerate(links)
    )
    profile_saved.send(ProfileSaved(user_id=user.pk))
    return profile


def _marked(upload, *, profile: Profile, kind: str):
    """The upload as the apps above mark it (rights XMP, EXIF, C2PA), same name."""
    from django.core.files.base import ContentFile

    from kiln.accounts.events import ProfileImage, profile_image_saving

    upload.seek(0)
    payload = ProfileImage(
        username=profile.user.username,
        display_name=profile.display_name,
        kind=kind,
        data=upload.read(),
    )
    answers = [a for a in profile_image_saving.send(payload) if a is not None]
    if not answers:
        upload.seek(0)
        return upload
    return ContentFile(answers[-1], name=upload.name)


@transaction.atomic
def profile_images_update(*, user: User, avatar=None, banner=None, clear_avatar=False) -> Profile:
    """Replace avatar/banner files; the old files are deleted once the new row is committed."""
    profile = profile_ensure(user=user)
    if avatar is not None:
        avatar = _marked(avatar, profile=profile, kind="avatar")
    if banner is not None:
        banner = _marked(banner, profile=profile, kind="banner")
    old_files = []
    fields = ["updated_at"]
    if clear_avatar and profile.avatar:
        old_files.append(profile.avatar.name)
        profile.avatar = ""
        fields.append("avatar")
    if avatar is not None:
        if profile.avatar:
            old_files.append(profile.avatar.name)
        profile.avatar = avatar
        fields.append("avatar")
    if banner is not None:
        if profile.banner:
            old_files.append(profile.banner.name)
        profile.banner = banner
        fields.append("banner")
    profile.save(update_fields=fields)
    storage = profile.avatar.storage

    def delete_old():
        for name in old_files:
            storage.delete(name)

    transaction.on_commit(delete_old)
    return profile


@transaction.atomic
def consent_update(
    *,
    user: User,
    allow_search_indexing: bool,
    allow_image_search: bool,
    show_likes_publicly: bool,
    show_mature: bool,
) -> Profile:
    profile = profile_ensure(user=user)
    profile.allow_search_indexing = allow_search_indexing
    profile.allow_image_search = allow_image_search
    profile.show_likes_publicly = show_likes_publicly
    profile.show_mature = show_mature
    profile.save(
        update_fields=[
            "allow_search_indexing",
            "allow_image_search",
            "show_likes_publicly",
            "show_mature",
            "updated_at",
        ]
    )
    return profile
