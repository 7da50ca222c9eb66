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
    except (ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
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


def _is_graph(value) -> bool:
    if not isinstance(value, dict):
        return False
    if isinstance(value.get("nodes"), list):
        return True
    return any(isinstance(n, dict) and "class_type" in n for n in value.values())


_WRAPPER_KEYS = ("workflow", "prompt")


def _find_graph(value, depth: int = 0):
    """The ComfyUI graph in a decoded JSON value: the value itself, or under a "workflow" or
    "prompt" key in any case (`{"workflow": {...}}`), also when that holds the graph as a
    JSON string, as ComfyUI's own PNG chunks do."""
    if depth > 3:
        return None
    if isinstance(value, str):
        value = _loads(value) if value.lstrip().startswith("{") else None
    if not isinstance(value, dict):
        return None
    if _is_graph(value):
        return value
    for k, v in value.items():
        if str(k).strip().lower() in _WRAPPER_KEYS:
            graph = _find_graph(v, depth + 1)
            if graph is not None:
                return graph
    return None


# Where a graph may start besides the first "{": after a "workflow:"/"Prompt=" style prefix.
_KEYED_JSON = re.compile(r"(?i)(?:workflow|prompt)[\"']?\s*[:=]\s*(?=\{)")
MAX_JSON_STARTS = 8
SCAN_CHARS = 2_000_000


def comfy(key: str, text: str, signal: str) -> Finding | None:
    """A ComfyUI graph (API prompt or UI workflow) anywhere in `text`: bare, after a prefix
    like "Workflow:" in any case, or wrapped as {"workflow": {...}} / {"prompt": {...}}."""
    head = text[:SCAN_CHARS]
    starts = [m.end() for m in _KEYED_JSON.finditer(head)][:MAX_JSON_STARTS]
    first = head.find("{")
    if first >= 0:
        starts.append(first)
    decoder = json.JSONDecoder()
    for at in sorted(set(starts))[:MAX_JSON_STARTS]:
        try:
            value, _ = decoder.raw_decode(head, at)
        except (ValueError, RecursionError):
            continue
        graph = _find_graph(value)
        if graph is not None:
            is_api = "nodes" not in graph
            pos = head.find("class_type", at) if is_api else head.find('"nodes"', at)
            return Finding(signal, "ComfyUI", excerpt(head, max(pos, 0)), comfy_models(graph))
    if first >= 0 and (
        '"class_type"' in head[:200_000] or ('"nodes"' in head[:2000] and '"links"' in head)
    ):
        # Truncated or padded JSON: the node markers are still unmistakable.
        return Finding(signal, "ComfyUI", excerpt(head, head.find('"')))
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
