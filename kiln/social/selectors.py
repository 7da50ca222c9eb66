"""Reads for the social graph: who is hidden from whom, relationships, follower lists."""

from django.db.models import Exists, OuterRef, QuerySet

from kiln.accounts.models import User
from kiln.core.fastdb import PreparedQuery
from kiln.social.models import Block, Follow, Mute


def _pk(user) -> int | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.pk


def reader_flag_annotations(user_ref: str = "pk") -> dict:
    """Read with the signed-in user's own row on every request (kiln.site.auth_backends):
    whether they are on either side of any block, and whether they mute anyone. When neither,
    `blocked_user_ids` and `hidden_author_ids` answer without a query of their own. A flag is
    as old as the request: a block made during it is seen from the next request on.
    `user_ref`: the user's id in the annotated query (an API token's row names it user_id)."""
    me = OuterRef(user_ref)
    return {
        "in_any_block": Exists(Block.objects.filter(blocker_id=me))
        | Exists(Block.objects.filter(blocked_id=me)),
        "mutes_anyone": Exists(Mute.objects.filter(muter_id=me)),
    }


def _known_to_block_nobody(viewer) -> bool:
    # Only a user loaded for a request carries the flag; any other user object is asked.
    return getattr(viewer, "in_any_block", None) is False


def blocked_user_ids(viewer) -> set[int]:
    """Users on either side of a block with the viewer (one query, or none: see
    `reader_flag_annotations`)."""
    viewer_id = _pk(viewer)
    if viewer_id is None or _known_to_block_nobody(viewer):
        return set()
    return {row[0] for row in _blocked_either_way(viewer_id)}


def _blocks_either_way(viewer_id):
    return (
        Block.objects.filter(blocker_id=viewer_id)
        .values_list("blocked_id")
        .union(Block.objects.filter(blocked_id=viewer_id).values_list("blocker_id"))
    )


_blocked_either_way = PreparedQuery(_blocks_either_way, "int")


def hidden_author_ids(viewer) -> set[int]:
    """Authors whose posts the viewer's timelines skip: blocked either way, or muted.

    One query (a UNION), so a timeline page can filter a whole page at once.
    """
    viewer_id = _pk(viewer)
    if viewer_id is None:
        return set()
    if _known_to_block_nobody(viewer) and getattr(viewer, "mutes_anyone", None) is False:
        return set()
    return {row[0] for row in _hidden_authors(viewer_id)}


# Read on every timeline page, so prepared once per process (see kiln.core.fastdb).
_hidden_authors = PreparedQuery(
    lambda viewer_id: _blocks_either_way(viewer_id).union(
        Mute.objects.filter(muter_id=viewer_id).values_list("muted_id")
    ),
    "int",
)


def is_blocked_between(a_id: int, b_id: int) -> bool:
    return Block.objects.filter(blocker_id=a_id, blocked_id=b_id).exists() or (
        Block.objects.filter(blocker_id=b_id, blocked_id=a_id).exists()
    )


def has_blocked(*, blocker_id: int, blocked_id: int) -> bool:
    return Block.objects.filter(blocker_id=blocker_id, blocked_id=blocked_id).exists()


def following_ids(user) -> set[int]:
    user_id = _pk(user)
    if user_id is None:
        return set()
    return set(Follow.objects.filter(follower_id=user_id).values_list("followed_id", flat=True))


def follower_ids(user) -> list[int]:
    return list(Follow.objects.filter(followed_id=user.pk).values_list("follower_id", flat=True))


def followers_of(*, owner, viewer) -> QuerySet[Follow]:
    """Follow rows pointing at `owner`, newest first, hiding accounts blocked with the viewer."""
    qs = Follow.objects.filter(followed_id=owner.pk, follower__is_active=True).select_related(
        "follower__profile"
    )
    return _annotate_viewer_follows(qs, viewer, "follower_id").exclude(
        follower_id__in=blocked_user_ids(viewer)
    )


def following_of(*, owner, viewer) -> QuerySet[Follow]:
    qs = Follow.objects.filter(follower_id=owner.pk, followed__is_active=True).select_related(
        "followed__profile"
    )
    return _annotate_viewer_follows(qs, viewer, "followed_id").exclude(
        followed_id__in=blocked_user_ids(viewer)
    )


def _annotate_viewer_follows(qs, viewer, person_field: str):
    viewer_id = _pk(viewer)
    if viewer_id is None:
        return qs
    return qs.annotate(
        viewer_follows=Exists(
            Follow.objects.filter(follower_id=viewer_id, followed_id=OuterRef(person_field))
        )
    )


def profile_relationship_context(*, viewer, owner: User) -> dict:
    """What the profile page shows about the viewer and the owner: counts, follow state and
    the actions template. `blocked` True means the page must hide the profile's details.
    One query (see `_relationship`)."""
    viewer_id = _pk(viewer)
    is_other = viewer_id is not None and viewer_id != owner.pk
    (followers, following, *flags) = _relationship(owner.pk, viewer_id if is_other else 0)
    following_them, followed_by, muting, blocking, blocked_by = (bool(f) for f in flags)
    if blocking or blocked_by:
        return {
            "blocked": True,
            "blocking": blocking,
            "relationship_template": "social/_profile_actions.html",
        }
    return {
        "blocked": False,
        "follower_count": followers,
        "following_count": following,
        "relationship": {
            "following": following_them,
            "followed_by": followed_by,
            "blocking": False,
            "muting": muting,
        },
        "relationship_template": "social/_profile_actions.html",
    }


def _relationship(owner_id: int, viewer_id: int) -> tuple:
    """(followers, following, viewer follows owner, owner follows viewer, viewer mutes owner,
    viewer blocks owner, owner blocks viewer) in one round trip: every profile page asks.
    Hand-written SQL (portable between SQLite and PostgreSQL) because it selects no table."""
    from kiln.core.fastdb import rows

    follow, mute, block = (m._meta.db_table for m in (Follow, Mute, Block))
    sql = f"""
        SELECT
          (SELECT COUNT(*) FROM {follow} WHERE followed_id = %s),
          (SELECT COUNT(*) FROM {follow} WHERE follower_id = %s),
          EXISTS (SELECT 1 FROM {follow} WHERE follower_id = %s AND followed_id = %s),
          EXISTS (SELECT 1 FROM {follow} WHERE follower_id = %s AND followed_id = %s),
          EXISTS (SELECT 1 FROM {mute} WHERE muter_id = %s AND muted_id = %s),
          EXISTS (SELECT 1 FROM {block} WHERE blocker_id = %s AND blocked_id = %s),
          EXISTS (SELECT 1 FROM {block} WHERE blocker_id = %s AND blocked_id = %s)
    """  # noqa: S608 - table names from the models; every value is a parameter
    params = [owner_id, owner_id, viewer_id, owner_id, owner_id, viewer_id]
    params += [viewer_id, owner_id, viewer_id, owner_id, owner_id, viewer_id]
    return rows(sql, params)[0]


def blocks_made(user) -> QuerySet[Block]:
    return Block.objects.filter(blocker=user).select_related("blocked__profile").order_by("-id")


def mutes_made(user) -> QuerySet[Mute]:
    return Mute.objects.filter(muter=user).select_related("muted__profile").order_by("-id")


def relationships_with(*, viewer, other_ids) -> dict[int, dict]:
    """For the client API's Relationship: {other id: following, followed_by, blocking,
    blocked_by, muting}, five small queries whatever the number of accounts."""
    ids = set(other_ids)
    me = viewer.pk

    def column(qs, name: str) -> set[int]:
        return set(qs.values_list(name, flat=True))

    following = column(Follow.objects.filter(follower_id=me, followed_id__in=ids), "followed_id")
    followed_by = column(Follow.objects.filter(followed_id=me, follower_id__in=ids), "follower_id")
    blocking = column(Block.objects.filter(blocker_id=me, blocked_id__in=ids), "blocked_id")
    blocked_by = column(Block.objects.filter(blocked_id=me, blocker_id__in=ids), "blocker_id")
    muting = column(Mute.objects.filter(muter_id=me, muted_id__in=ids), "muted_id")
    return {
        pk: {
            "following": pk in following,
            "followed_by": pk in followed_by,
            "blocking": pk in blocking,
            "blocked_by": pk in blocked_by,
            "muting": pk in muting,
        }
        for pk in ids
    }
