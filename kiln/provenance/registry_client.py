"""Client side of the registry, for `python -m kiln.provenance check`. No Django needed.

Hashes are computed locally (all 8 dihedral PDQ hashes of each file, so mirrored copies are
recognised); only the hashes travel.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from .hashing import query_hashes
from .registry import MAX_BATCH

USER_AGENT = "kiln-registry-check/1.0"


def _post(server: str, hashes: list[str], timeout: float) -> list[dict]:
    req = urllib.request.Request(  # noqa: S310 - the user names the server
        server.rstrip("/") + "/api/registry/v1/lookup",
        data=json.dumps({"hashes": hashes}).encode(),
        headers={"Content-Type": "application/json", "User-Agent": USER_AGENT},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
        return json.loads(resp.read())["results"]


def lookup_files(files, *, server: str, timeout: float = 30.0) -> list[dict]:
    rows: list[dict] = []
    pending: list[tuple[int, list[str]]] = []  # (row index, hashes)
    for path in files:
        row = {"file": str(path)}
        rows.append(row)
        try:
            hashes = [h.hex for h in query_hashes(path)]
        except Exception as exc:
            row["error"] = f"unreadable image: {exc}"[:120]
            continue
        if not hashes:
            row["error"] = "too flat to hash (PDQ quality < 50)"
            continue
        pending.append((len(rows) - 1, hashes))

    batch: list[tuple[int, list[str]]] = []

    def flush():
        if not batch:
            return
        flat = [h for _, hs in batch for h in hs]
        try:
            results = _post(server, flat, timeout)
        except (urllib.error.URLError, OSError, ValueError, KeyError) as exc:
            for i, _ in batch:
                rows[i]["error"] = f"server error: {exc}"[:120]
            batch.clear()
            return
        pos = 0
        for i, hs in batch:
            mine = results[pos : pos + len(hs)]
            pos += len(hs)
            hits = [r for r in mine if r.get("match")]
            if hits:
                best = min(hits, key=lambda r: r["distance"])
                rows[i].update(
                    match=True,
                    distance=best["distance"],
                    url=best.get("url"),
                    artist=(best.get("artist") or {}).get("username"),
                )
            else:
                rows[i].update(match=False, distance=None)
        batch.clear()

    size = 0
    for item in pending:
        if size + len(item[1]) > MAX_BATCH:
            flush()
            size = 0
        batch.append(item)
        size += len(item[1])
    flush()
    return rows
