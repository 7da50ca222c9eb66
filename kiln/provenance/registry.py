"""The do-not-train registry: answer "is this image a reserved Kiln work?" for PDQ hashes."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from .hashing import hash_from_hex

MAX_BATCH = 1000
RESERVATION = {
    "plus:DataMining": "DMI-PROHIBITED-AIMLTRAINING",
    "tdm-reservation": 1,
    "statement": "The artist reserves this work from text and data mining and AI training.",
}


class BadHashes(ValueError):
    pass


def parse_hashes(values) -> list[bytes]:
    if not isinstance(values, list) or not values:
        raise BadHashes('Send {"hashes": ["<64 hex digits>", ...]} with at least one hash.')
    if len(values) > MAX_BATCH:
        raise BadHashes(f"At most {MAX_BATCH} hashes per request; got {len(values)}.")
    out = []
    for i, value in enumerate(values):
        if not isinstance(value, str):
            raise BadHashes(f"hashes[{i}] must be a string of 64 hex digits.")
        try:
            out.append(hash_from_hex(value))
        except ValueError as exc:
            raise BadHashes(f"hashes[{i}]: {exc}.") from None
    return out


def lookup(hashes: list[bytes]) -> list[dict]:
    """One answer per hash, in order. Only works that are publishable count as Kiln works."""
    from kiln.media.models import MediaAsset

    from . import index
    from .services import PUBLISHABLE

    m = index.matcher()
    nearest = m.hashes.search_each(hashes)
    ids = {owner for owner, dist in nearest if dist >= 0}
    assets = {
        a.pk: a
        for a in MediaAsset.objects.filter(pk__in=ids, screening__state__in=PUBLISHABLE)
        .select_related("owner")
        .only("pk", "work_url", "owner__username")
    }
    site = getattr(settings, "KILN_SITE_URL", "").rstrip("/")
    out = []
    for h, (owner, dist) in zip(hashes, nearest, strict=True):
        asset = assets.get(owner) if dist >= 0 else None
        if asset is None:
            out.append({"pdq": h.hex(), "match": False, "distance": None})
            continue
        profile = site + reverse("accounts:profile", args=[asset.owner.username])
        out.append(
            {
                "pdq": h.hex(),
                "match": True,
                "distance": dist,
                "url": asset.work_url or profile,
                "artist": {"username": asset.owner.username, "profile_url": profile},
                "reservation": RESERVATION,
            }
        )
    return out


def openapi(base_url: str) -> dict:
    hash_schema = {"type": "string", "pattern": "^[0-9a-fA-F]{64}$", "example": "f" * 64}
    result = {
        "type": "object",
        "required": ["pdq", "match", "distance"],
        "properties": {
            "pdq": hash_schema,
            "match": {"type": "boolean", "description": "Kiln holds a matching work"},
            "distance": {"type": ["integer", "null"], "description": "Hamming distance (0-31)"},
            "url": {"type": "string", "format": "uri", "description": "The work's public page"},
            "artist": {
                "type": "object",
                "properties": {"username": {"type": "string"}, "profile_url": {"type": "string"}},
            },
            "reservation": {
                "type": "object",
                "description": "The rights reservation that applies to the work",
                "example": RESERVATION,
            },
        },
    }
    error = {
        "description": "Malformed request",
        "content": {
            "application/json": {
                "schema": {"type": "object", "properties": {"error": {"type": "string"}}}
            }
        },
    }
    limited = {"description": "Rate limited; see the Retry-After header"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Kiln do-not-train registry",
            "version": "1.0.0",
            "description": (
                "Look up images by their PDQ perceptual hash (Meta's PDQ, 256 bits as 64 hex "
                "digits) to learn whether they are Kiln works whose artists reserve them from AI "
                "training. Compute hashes locally; no image is uploaded. "
                "`python -m kiln.provenance check DIR --server URL` does this for a folder."
            ),
        },
        "servers": [{"url": base_url}],
        "paths": {
            "/api/registry/v1/lookup": {
                "get": {
                    "summary": "Look up one hash",
                    "parameters": [
                        {"name": "pdq", "in": "query", "required": True, "schema": hash_schema}
                    ],
                    "responses": {
                        "200": {
                            "description": "The answer",
                            "content": {"application/json": {"schema": result}},
                        },
                        "400": error,
                        "429": limited,
                    },
                },
                "post": {
                    "summary": f"Look up to {MAX_BATCH} hashes",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["hashes"],
                                    "properties": {
                                        "hashes": {
                                            "type": "array",
                                            "items": hash_schema,
                                            "minItems": 1,
                                            "maxItems": MAX_BATCH,
                                        }
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "One result per hash, in order",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "results": {"type": "array", "items": result}
                                        },
                                    }
                                }
                            },
                        },
                        "400": error,
                        "429": limited,
                    },
                },
            }
        },
    }
