"""C2PA manifests through c2pa-python's Reader, with a raw fallback for boxes it rejects."""

from __future__ import annotations

import io
import json

from .rules import Finding, digital_source_types, excerpt, known_generator

_MIME = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "avif": "image/avif",
    "heif": "image/heif",
    "tiff": "image/tiff",
    "gif": "image/gif",
}


def _walk(node, path=""):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, f"{path}.{k}")
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v, path)
    else:
        yield path, node


def _agent_name(agent) -> str:
    if isinstance(agent, dict):
        return str(agent.get("name", ""))
    return str(agent or "")


def manifest_findings(store: dict) -> list[Finding]:
    out: list[Finding] = []
    for label, manifest in (store.get("manifests") or {}).items():
        if not isinstance(manifest, dict):
            continue
        gens = [str(manifest.get("claim_generator", ""))]
        gens += [_agent_name(g) for g in manifest.get("claim_generator_info") or []]
        claim = " ".join(g for g in gens if g)
        claim_hit = known_generator(claim) if claim else None
        for assertion in manifest.get("assertions") or []:
            if not isinstance(assertion, dict):
                continue
            if not str(assertion.get("label", "")).startswith("c2pa.actions"):
                continue
            for action in (assertion.get("data") or {}).get("actions") or []:
                if not isinstance(action, dict):
                    continue
                dst = str(action.get("digitalSourceType", ""))
                agent = _agent_name(action.get("softwareAgent"))
                agent_hit = known_generator(agent) if agent else None
                generator = (agent_hit or claim_hit or (agent or claim or "Unknown generator", 0))[
                    0
                ]
                text = f"{action.get('action', '')} {dst} agent={agent}".strip()
                found = digital_source_types(dst, "c2pa:action", generator)
                for f in found:
                    f.evidence = excerpt(f"{label}: {text}")
                out += found
        if claim_hit and not out:
            out.append(Finding("c2pa:claim_generator", claim_hit[0], excerpt(f"{label}: {claim}")))
    return out


def read_c2pa(data: bytes, fmt: str, errors: list[str]) -> list[Finding]:
    try:
        import c2pa

        with c2pa.Reader(_MIME.get(fmt, "image/jpeg"), io.BytesIO(data)) as reader:
            store = json.loads(reader.json())
        return manifest_findings(store)
    except Exception as exc:
        errors.append(f"c2pa: {exc}"[:300])
    # The Reader refused the store (broken box, unknown format). The assertions are CBOR, whose
    # text strings are stored verbatim, so a source type written there is still readable.
    idx = data.find(b"c2pa")
    if idx < 0:
        return []
    window = data[max(0, idx - 65536) : idx + 4 * 1024 * 1024].decode("latin-1")
    found = digital_source_types(window, "c2pa:unverified")
    for f in found:
        hit = known_generator(window)
        if hit and f.generator in ("Unknown generator", "Composite (AI fill)"):
            f.generator = hit[0]
    return found
