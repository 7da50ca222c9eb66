"""Demo roles for `seed_demo`: the second demo artist is an admin and the third a moderator,
so the queue (and an appeal, which needs a second moderator) can be tried by hand."""

from .defaults import defaults_ensure


def seed_moderation(*, artists, stdout) -> None:
    if len(artists) < 3:
        return
    moderators, admins = defaults_ensure()
    for user, group in ((artists[1], admins), (artists[2], moderators)):
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        user.groups.add(group)
    stdout.write(
        f"Demo moderation: @{artists[1].username} admin, @{artists[2].username} moderator."
    )
