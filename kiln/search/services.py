"""Writes to the search index, called in the writer's own transaction (through the events in
kiln/search/subscribers.py), so a post is findable exactly when it exists.

Atomic without savepoints: an index write fails together with the write it belongs to
(nothing to recover on its own), and a savepoint costs two more round trips per post."""

import unicodedata
from collections import Counter

from django.db import connection, transaction
from django.db.models import F

from kiln.accounts.choices import FIELD_LABELS
from kiln.accounts.models import Profile
from kiln.portfolio.models import Project, ProjectTag
from kiln.posts.models import Post
from kiln.posts.text import extract_hashtags
from kiln.search import engines
from kiln.search.models import ArtistDocument, PostDocument, ProjectDocument, TagCount


def fold(text: str) -> str:
    """Lower case without accents ("Inês" -> "ines"), as the engines compare names."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _count_tags(*, field: str, old: set[str], new: set[str]) -> None:
    """Move TagCount by the difference between what a document counted and counts now."""
    added, removed = new - old, old - new
    if added:
        # One upsert statement (SQLite 3.24+ and PostgreSQL), in a fixed order so that two
        # writers touching the same tags lock them in the same order.
        table = TagCount._meta.db_table
        rows = ", ".join(["(%s, %s, %s)"] * len(added))
        params = []
        for tag in sorted(added):
            params += [tag, int(field == "posts"), int(field == "projects")]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (tag, posts, projects) VALUES {rows} "  # noqa: S608
                f"ON CONFLICT (tag) DO UPDATE SET {field} = {table}.{field} + 1",
                params,
            )
    if removed:
        TagCount.objects.filter(tag__in=removed, **{f"{field}__gt": 0}).update(
            **{field: F(field) - 1}
        )


# --- posts -----------------------------------------------------------------------------------


def _post_fields(post: Post) -> tuple[str, set[str]] | None:
    """(body, tags it counts) or None when the post is not searchable at all."""
    if post.reblog_id is not None or post.deleted_at is not None:
        return None
    body = "\n".join(part for part in (post.content_warning, post.text) if part)
    tags = set(extract_hashtags(post.text)) if post.visibility == Post.Visibility.PUBLIC else set()
    return body, tags


_POST_DOCUMENT = PostDocument._meta.db_table


@transaction.atomic(savepoint=False)
def search_post_index(*, post: Post, created: bool = False) -> None:
    """Add or refresh a post's document (a deleted post or a repost is removed instead).
    `created`: the post was written in this transaction, so there is no document to read.

    Plain statements, not Model.save(): on every new post the ORM's save machinery cost more
    CPU than the insert itself (and the FTS5 trigger it fires), bench/search.py's write cost."""
    fields = _post_fields(post)
    if fields is None:
        if not created:
            search_post_remove(post_id=post.pk)
        return
    body, tags = fields
    counted = " ".join(sorted(tags))
    with connection.cursor() as cursor:
        if created:
            cursor.execute(
                f"INSERT INTO {_POST_DOCUMENT} (post_id, body, counted_tags) "  # noqa: S608
                "VALUES (%s, %s, %s)",
                [post.pk, body, counted],
            )
            old_tags: set[str] = set()
        else:
            cursor.execute(
                f"SELECT body, counted_tags FROM {_POST_DOCUMENT} WHERE post_id = %s",  # noqa: S608
                [post.pk],
            )
            row = cursor.fetchone()
            if row is None:
                cursor.execute(
                    f"INSERT INTO {_POST_DOCUMENT} (post_id, body, counted_tags) "  # noqa: S608
                    "VALUES (%s, %s, %s)",
                    [post.pk, body, counted],
                )
            elif row != (body, counted):  # unchanged text: leave the engine's index alone
                cursor.execute(
                    f"UPDATE {_POST_DOCUMENT} SET body = %s, counted_tags = %s "  # noqa: S608
                    "WHERE post_id = %s",
                    [body, counted, post.pk],
                )
            old_tags = set(row[1].split()) if row and row[1] else set()
    _count_tags(field="posts", old=old_tags, new=tags)


@transaction.atomic(savepoint=False)
def search_post_remove(*, post_id: int) -> None:
    old = PostDocument.objects.filter(pk=post_id).values_list("counted_tags", flat=True).first()
    if old is None:
        return
    PostDocument.objects.filter(pk=post_id).delete()
    _count_tags(field="posts", old=set(old.split()), new=set())


# --- projects --------------------------------------------------------------------------------


def _project_fields(project: Project) -> tuple[str, str, set[str]] | None:
    if project.state != Project.State.PUBLISHED:
        return None  # drafts are never found, not even by their artist
    labels = list(project.labels.all())
    body = "\n".join([project.description, *(label.name for label in labels)])
    tags = {label.slug for label in labels if label.kind == ProjectTag.Kind.TAG}
    return project.title, body, tags


@transaction.atomic(savepoint=False)
def search_project_index(*, project_id: int) -> None:
    """Add, refresh or remove a project's document, and refresh its artist's (whose software
    comes from their published work)."""
    project = Project.objects.filter(pk=project_id).first()
    fields = _project_fields(project) if project is not None else None
    if fields is None:
        search_project_remove(project_id=project_id)
    else:
        title, body, tags = fields
        old = (
            ProjectDocument.objects.filter(pk=project_id)
            .values_list("counted_tags", flat=True)
            .first()
        )
        document = ProjectDocument(
            project_id=project_id, title=title, body=body, counted_tags=" ".join(sorted(tags))
        )
        document.save(force_insert=old is None, force_update=old is not None)
        _count_tags(field="projects", old=set(old.split()) if old else set(), new=tags)
    if project is not None:
        search_artist_index(user_id=project.owner_id)


@transaction.atomic(savepoint=False)
def search_project_remove(*, project_id: int) -> None:
    old = (
        ProjectDocument.objects.filter(pk=project_id).values_list("counted_tags", flat=True).first()
    )
    if old is None:
        return
    ProjectDocument.objects.filter(pk=project_id).delete()
    _count_tags(field="projects", old=set(old.split()), new=set())


# --- artists ---------------------------------------------------------------------------------


def _artist_document(profile: Profile, software: list[str]) -> ArtistDocument:
    fields = [f for f in profile.fields_of_work if f in FIELD_LABELS]
    body = "\n".join([profile.bio, profile.location, *(FIELD_LABELS[f] for f in fields), *software])
    return ArtistDocument(
        user_id=profile.user_id,
        name=fold(f"{profile.display_name} {profile.user.username}"),
        body=body,
        fields="|" + "|".join(fields) + "|" if fields else "",
    )


def _software_of(user_id: int) -> list[str]:
    return sorted(
        set(
            ProjectTag.objects.filter(
                project__owner_id=user_id,
                project__state=Project.State.PUBLISHED,
                kind=ProjectTag.Kind.SOFTWARE,
            ).values_list("name", flat=True)
        )
    )


@transaction.atomic(savepoint=False)
def search_artist_index(*, user_id: int) -> None:
    """Add or refresh an artist's document. Whether they may be found (active, consent,
    blocks) is decided when searching, so switching consent needs no reindex."""
    profile = Profile.objects.select_related("user").filter(user_id=user_id).first()
    if profile is None:
        ArtistDocument.objects.filter(pk=user_id).delete()
        return
    document = _artist_document(profile, _software_of(user_id))
    exists = ArtistDocument.objects.filter(pk=user_id).exists()
    document.save(force_insert=not exists, force_update=exists)


# --- rebuilding everything -------------------------------------------------------------------


def search_rebuild(*, batch: int = 2000) -> dict[str, int]:
    """Recreate every document and tag count from the source rows, in batches (after a
    restore, or to index content written before search existed)."""
    counts = {"posts": 0, "projects": 0, "artists": 0}
    tags: dict[str, Counter] = {"posts": Counter(), "projects": Counter()}
    with transaction.atomic(), engines.bulk_load():
        # One DELETE a table: nothing refers to these rows, so there is nothing to collect.
        with connection.cursor() as cursor:
            for model in (PostDocument, ProjectDocument, ArtistDocument, TagCount):
                cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608
        posts = Post.objects.filter(reblog__isnull=True, deleted_at__isnull=True).order_by("pk")
        documents = []
        fields = ("pk", "text", "content_warning", "visibility", "reblog_id", "deleted_at")
        for post in posts.only(*fields).iterator(batch):
            body, post_tags = _post_fields(post)
            tags["posts"].update(post_tags)
            documents.append(
                PostDocument(post_id=post.pk, body=body, counted_tags=" ".join(sorted(post_tags)))
            )
            if len(documents) >= batch:
                counts["posts"] += len(PostDocument.objects.bulk_create(documents))
                documents = []
        counts["posts"] += len(PostDocument.objects.bulk_create(documents))
        projects = Project.objects.filter(state=Project.State.PUBLISHED).prefetch_related("labels")
        documents = []
        for project in projects.order_by("pk").iterator(batch):
            title, body, project_tags = _project_fields(project)
            tags["projects"].update(project_tags)
            documents.append(
                ProjectDocument(
                    project_id=project.pk,
                    title=title,
                    body=body,
                    counted_tags=" ".join(sorted(project_tags)),
                )
            )
        counts["projects"] = len(ProjectDocument.objects.bulk_create(documents, batch_size=batch))
        software: dict[int, set[str]] = {}
        for owner_id, name in ProjectTag.objects.filter(
            project__state=Project.State.PUBLISHED, kind=ProjectTag.Kind.SOFTWARE
        ).values_list("project__owner_id", "name"):
            software.setdefault(owner_id, set()).add(name)
        artists = [
            _artist_document(profile, sorted(software.get(profile.user_id, ())))
            for profile in Profile.objects.select_related("user").iterator(batch)
        ]
        counts["artists"] = len(ArtistDocument.objects.bulk_create(artists, batch_size=batch))
        names = set(tags["posts"]) | set(tags["projects"])
        TagCount.objects.bulk_create(
            [TagCount(tag=t, posts=tags["posts"][t], projects=tags["projects"][t]) for t in names],
            batch_size=batch,
        )
    return counts
