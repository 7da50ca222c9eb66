"""Turn raw metadata text into findings. Pure functions over strings and dicts."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "generators.json"
EVIDENCE_CHARS = 160


@dataclass
class Finding:
    signal: str
    generator: str
    evidence: str
    model: str = ""
    composite: bool = False  # AI material inside otherwise human work

    def as_dict(self) -> dict:
        d = asdict(self)
        if not d["model"]:
            d.pop("model")
        return d


def excerpt(text: str, at: int = 0) -> str:
    start = max(0, at - 40)
    s = " ".join(text[start : start + EVIDENCE_CHARS].split())
    return ("…" if start else "") + s + ("…" if len(text) > start + EVIDENCE_CHARS else "")


@functools.cache
def _patterns() -> tuple[list[tuple[re.Pattern, str]], list[tuple[re.Pattern, str]]]:
    raw = json.loads(DATA.read_text())

    def compile_list(items):
        return [
            (
                re.compile(r"(?<![A-Za-z0-9])(?:" + it["pattern"] + r")(?![A-Za-z])", re.I),
                it["family"],
            )
            for it in items
        ]

    return compile_list(raw["generators"]), compile_list(raw["model_families"])


def known_generator(text: str) -> tuple[str, int] | None:
    for pat, family in _patterns()[0]:
        m = pat.search(text[:4096])
        if m:
            return family, m.start()
    return None


def model_family(text: str) -> str:
    for pat, family in _patterns()[1]:
        if pat.search(text):
            return family
    return ""


# --- WebUI (A1111 / Forge / SwarmUI-style) parameters -------------------------------------------
_WEBUI_KEYS = [
    re.compile(r"\bSteps: \d+"),
    re.compile(r"\bSampler: "),
    re.compile(r"\bCFG scale: [\d.]+"),
    re.compile(r"\bSeed: -?\d+"),
    re.compile(r"\bModel hash: "),
]
_WEBUI_VERSION = re.compile(r"\bVersion: ([^,\n]+)")
_WEBUI_MODEL = re.compile(r"\bModel: ([^,\n]+)")


def webui_parameters(text: str, signal: str) -> Finding | None:
    head = text[-8192:] if len(text) > 8192 else text  # the settings line is last
    hits = [k.search(head) for k in _WEBUI_KEYS]
    found = [h for h in hits if h]
    if len(found) < 3:
        return None
    version = _WEBUI_VERSION.search(head)
    generator = "Stable Diffusion WebUI"
    if version and re.match(r"\s*f\d", version.group(1)):
        generator = "Stable Diffusion WebUI Forge"
    elif "ComfyUI" in head:
        generator = "ComfyUI"
    elif "NovelAI" in head:
        generator = "NovelAI"
    model_m = _WEBUI_MODEL.search(head)
    start = min(h.start() for h in found)
    return Finding(
        signal, generator, excerpt(head, start), model_family(model_m.group(1)) if model_m else ""
    )


# --- ComfyUI --------------------------------------------------------------------------------------
def _loads(text: str):
    try:
        return json.loads(text)
    except Exception:
        return None


def comfy_models(graph) -> str:
    """Model family from the loader nodes of a ComfyUI prompt (API graph) or workflow."""
    names: list[str] = []
    if isinstance(graph, dict) and "nodes" not in graph:
        for node in graph.values():
            if isinstance(node, dict):
                for k, v in (node.get("inputs") or {}).items():
                    if isinstance(v, str) and k in ("ckpt_name", "unet_name", "model_name"):
                        names.append(v)
    elif isinstance(graph, dict):
        nodes = [n for n in graph.get("nodes") or [] if isinstance(n, dict)]
        # The diffusion model names the family; text-encoder loaders also name architectures.
        for want in ("UNET", "Checkpoint", "Loader"):
            for node in nodes:
                if want in str(node.get("type", "")):
                    names += [v for v in node.get("widgets_values") or [] if isinstance(v, str)]
    for name in names:
        fam = model_family(name)
        if fam:
            return fam
    return ""


def comfy(key: str, text: str, signal: str) -> Finding | None:
    value = _loads(text)
    if isinstance(value, dict):
        is_api = any(isinstance(n, dict) and "class_type" in n for n in value.values())
        is_workflow = isinstance(value.get("nodes"), list)
        if is_api or is_workflow:
            at = text.find("class_type") if is_api else text.find('"nodes"')
            return Finding(signal, "ComfyUI", excerpt(text, max(at, 0)), comfy_models(value))
    elif '"class_type"' in text[:200_000] or ('"nodes"' in text[:2000] and '"links"' in text):
        # Truncated or padded JSON: the node markers are still unmistakable.
        return Finding(signal, "ComfyUI", excerpt(text, text.find('"')))
    return None


# --- JSON comments (NovelAI, Fooocus) -------------------------------------------------------------
_GEN_KEYS = {"steps", "seed", "sampler", "cfg_scale", "scale", "uc", "negative_prompt", "prompt"}


def json_comment(text: str, software: str, signal: str) -> Finding | None:
    value = _loads(text)
    if not isinstance(value, dict):
        return None
    keys = {str(k).lower() for k in value}
    blob = text[:4096]
    if "novelai" in software.lower():
        return Finding(signal, "NovelAI", excerpt(blob))
    if "fooocus" in blob.lower() or {"performance", "base model"} <= keys or "full_prompt" in keys:
        return Finding(
            signal,
            "Fooocus",
            excerpt(blob),
            model_family(str(value.get("base_model", value.get("Base Model", "")))),
        )
    if len(keys & _GEN_KEYS) >= 3:
        return Finding(signal, "Unknown generator", excerpt(blob))
    return None


# --- XMP / IPTC DigitalSourceType -----------------------------------------------------------------
# value suffix -> (composite?, label)
DIGITAL_SOURCE_TYPES = {
    "trainedAlgorithmicMedia": (False, "trainedAlgorithmicMedia"),
    "compositeWithTrainedAlgorithmicMedia": (True, "compositeWithTrainedAlgorithmicMedia"),
    "compositeSynthetic": (True, "compositeSynthetic"),
    "trainedAlgorithmicData": (False, "c2pa trainedAlgorithmicData"),
}
_DST_RE = re.compile(
    r"(?:cv\.iptc\.org/newscodes/digitalsourcetype/|c2pa\.org/digitalsourcetype/|"
    r"DigitalSourceType[\"'=>\s]{1,4})"
    r"(trainedAlgorithmicMedia|compositeWithTrainedAlgorithmicMedia|compositeSynthetic|"
    r"trainedAlgorithmicData)\b"
)


def digital_source_types(text: str, signal: str, generator: str = "") -> list[Finding]:
    out: list[Finding] = []
    seen: set[str] = set()
    for m in _DST_RE.finditer(text):
        code = m.group(1)
        if code in seen:
            continue
        seen.add(code)
        composite, _label = DIGITAL_SOURCE_TYPES[code]
        gen = generator
        if not gen:
            creator = re.search(r"CreatorTool[\"'=>\s]{1,4}([^\"'<]{1,200})", text)
            hit = known_generator(creator.group(1)) if creator else None
            gen = hit[0] if hit else ("Composite (AI fill)" if composite else "Unknown generator")
        out.append(Finding(signal, gen, excerpt(text, m.start()), composite=composite))
    return out
