"""The search index: one document row per searchable thing, written by kiln.search.services.

Each row holds the text to match; the engine's own index is built from it inside the
database, in the writer's transaction: on PostgreSQL a generated `tsvector` column with a GIN
index, on SQLite an FTS5 table kept in step by triggers (migrations/0002_engines.py). Who may
see a result is never stored here: selectors join back to the source rows and apply the
same visibility rules as every other page.
"""

from django.conf import settings
from django.db import models

from kiln.portfolio.models import Project
from kiln.posts.models import Post


class PostDocument(models.Model):
    post = models.OneToOneField(Post, on_delete=models.CASCADE, primary_key=True, related_name="+")
    body = models.TextField()
    # The hashtags this post adds to TagCount (public, live posts only), to undo on change.
    counted_tags = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Search document of post {self.pk}"


class ProjectDocument(models.Model):
    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    title = models.TextField()
    body = models.TextField()
    counted_tags = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Search document of project {self.pk}"


class ArtistDocument(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # Display name and username, lower-cased and without accents (trigram index on PostgreSQL).
    name = models.TextField()
    body = models.TextField()
    # "|illustration|painting|": filtered with a plain LIKE on both engines (no JSON contains).
    fields = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Search document of artist {self.pk}"


class TagCount(models.Model):
    """How many public posts and published projects carry a tag, for the Tags tab and
    #autocomplete (counting PostTag rows on each keystroke would read every row)."""

    tag = models.CharField(max_length=100, primary_key=True)
    posts = models.PositiveIntegerField(default=0)
    projects = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"#{self.tag}"
