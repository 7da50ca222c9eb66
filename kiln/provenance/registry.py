"""The do-not-train registry: answer "is this image a reserved Kiln work?" for PDQ hashes."""

from __future__ import annotations

import json

from django.conf import settings
from django.urls import reverse

from .hashing import hash_from_hex

MAX_BATCH = 1000
MAX_BODY_BYTES = 200_000  # 1000 hashes of 64 hex digits, quoted, with room for spaces
MAX_JSON_DEPTH = 4  # {"hashes": [...]} is 2 deep
RESERVATION = {
    "plus:DataMining": "DMI-PROHIBITED-AIMLTRAINING",
    "tdm-reservation": 1,
    "statement": "The artist reserves this work from text and data mining and AI training.",
}


class BadHashes(ValueError):
    pass


def _json_depth_ok(text: str, limit: int) -> bool:
    """Whether no array/object nests deeper than `limit`, checked before json.loads (whose
    recursion a few thousand brackets exhaust). Brackets inside strings do not count."""
    depth, in_string, escaped = 0, False, False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return False
        elif ch in "]}":
            depth -= 1
    return True


def parse_body(body: bytes) -> list[bytes]:
    """The hashes of a POST body, or BadHashes with what is wrong (size, depth, shape)."""
    if len(body) > MAX_BODY_BYTES:
        raise BadHashes(
            f"Request body too large ({len(body)} bytes; at most {MAX_BODY_BYTES}): "
            f"send at most {MAX_BATCH} hashes."
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadHashes("The body must be UTF-8 JSON.") from None
    if not _json_depth_ok(text, MAX_JSON_DEPTH):
        raise BadHashes(
            f'JSON nested deeper than {MAX_JSON_DEPTH} levels; send {{"hashes": [...]}}.'
        )
    try:
        payload = json.loads(text or "null")
    except ValueError:
        raise BadHashes('The body must be JSON: {"hashes": ["<64 hex digits>", ...]}.') from None
    if not isinstance(payload, dict):
        raise BadHashes('The body must be a JSON object: {"hashes": [...]}.')
    return parse_hashes(payload.get("hashes"))


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


def _published_url(asset, site: str) -> str:
    """The work's page if Kiln published it: the server sets `work_url` when the work's page
    goes public (and clears it when it goes back to a draft); anything that does not point
    at this site is not a page Kiln published."""
    url = asset.work_url or ""
    return url if site and url.startswith(site + "/") else ""


def lookup(hashes: list[bytes]) -> list[dict]:
    """One answer per hash, in order. Only published, cleared works count as Kiln works, and
    a hash near a known copy credits the work it copies (earliest cleared first)."""
    from kiln.media.models import MediaAsset

    from . import index, selectors

    m = index.matcher()
    hits = m.hashes.search_each_all(hashes)
    ids = {owner for found in hits for owner in found}
    credit = selectors.credited_originals(asset_ids=ids) if ids else {}
    cleared = selectors.cleared_asset_ids(asset_ids=set(credit.values()))
    site = getattr(settings, "KILN_SITE_URL", "").rstrip("/")
    assets = {
        a.pk: a
        for a in MediaAsset.objects.filter(pk__in=cleared)
        .exclude(work_url="")
        .select_related("owner")
        .only("pk", "work_url", "owner__username")
        if _published_url(a, site)
    }
    out = []
    for h, found in zip(hashes, hits, strict=True):
        best: dict[int, int] = {}  # credited work -> nearest distance through it
        for owner, dist in found.items():
            root = credit.get(owner, owner)
            if root in assets and dist < best.get(root, 1 << 30):
                best[root] = dist
        if not best:
            out.append({"pdq": h.hex(), "match": False, "distance": None})
            continue
        asset = assets[min(best)]  # ids are time-sortable: the earliest work
        profile = site + reverse("accounts:profile", args=[asset.owner.username])
        out.append(
            {
                "pdq": h.hex(),
                "match": True,
                "distance": best[asset.pk],
                "url": asset.work_url,
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
