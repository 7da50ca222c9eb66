"""Client apps (Mastodon's "applications") and the API's own bookkeeping rows.

Tokens, grants and refresh tokens are django-oauth-toolkit's models, which keep only a SHA-256
checksum of each token (COMPLIANT_BCP_RFC9700_TOKEN_STORAGE in settings)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from oauth2_provider.models import AbstractApplication

from kiln.core.models import BaseModel

OOB = "urn:ietf:wg:oauth:2.0:oob"


class ClientApp(AbstractApplication):
    """A Mastodon client registered through POST /api/v1/apps: confidential, allowed the
    authorization code (with refresh tokens) and client credentials grants."""

    scopes = models.CharField(max_length=500, default="read")
    website = models.CharField(max_length=300, blank=True)

    class Meta(AbstractApplication.Meta):
        swappable = "OAUTH2_PROVIDER_APPLICATION_MODEL"

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    def allows_grant_type(self, *grant_types):
        return bool(
            {self.GRANT_AUTHORIZATION_CODE, self.GRANT_CLIENT_CREDENTIALS} & set(grant_types)
        )

    def get_allowed_schemes(self):
        # Native apps register their own schemes (toot://, com.example.app:/); the redirect
        # URI itself must still match a registered one exactly.
        return ["http", "https"] + [
            urlsplit(uri).scheme for uri in self.redirect_uris.split() if uri != OOB
        ]


class IdempotentStatus(models.Model):
    """A status created with an Idempotency-Key: the same key again returns the same status
    (Mastodon keeps them an hour)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    post_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} -> {self.post_id}"


class MediaDescription(BaseModel):
    """The alt text a client gave an upload before posting it (Kiln keeps alt text on the
    post's attachment; this holds it until then)."""

    asset = models.OneToOneField("media.MediaAsset", on_delete=models.CASCADE, related_name="+")
    description = models.CharField(max_length=1500, blank=True)

    def __str__(self) -> str:
        return f"Description of {self.asset_id}"


class StreamEvent(models.Model):
    """One streaming event (kiln.api.stream_feed) for the streaming process to poll when
    there is no Redis; with Redis they go over pub/sub instead and this table stays empty.
    The streaming process deletes rows older than a few minutes."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    data = models.JSONField()

    def __str__(self) -> str:
        return f"{self.pk}: {self.data.get('event')}"
