"""Demo art that looks made by a hand: ink and wash landscapes, watercolour botanicals,
geometric prints, layered painted landscapes, gestural brushwork, glazed vessels and pixel art.

Made from numbers (a seed), copied from nothing, so it ships under Kiln's own licence. Each
picture is built the way the medium is: washes multiply into toothy paper and darken at their
edges, brush strokes taper and drag, prints misregister. `seed_demo` gives each demo artist
one style, so a newcomer's first screen reads as a set of portfolios, not a test pattern.
Everything is PIL drawing plus a few numpy array passes: about 0.1 s for a 1024 px image.
"""

from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

STYLES = ("ink", "botanical", "geometric", "landscape", "gestural", "vessels", "pixel")
DESCRIPTIONS = {
    "ink": "Ink and wash landscape: pale mountains, a dark pine and a red seal.",
    "botanical": "Watercolour botanical study: stems, leaves and blossoms on cream paper.",
    "geometric": "Geometric print: circles, bars and arcs in a few flat inks.",
    "landscape": "Painted landscape: layered ridges fading into a coloured sky.",
    "gestural": "Gestural painting: broad, dragged brush strokes on a toned ground.",
    "vessels": "Still life of glazed stoneware vessels on a shelf.",
    "pixel": "Pixel-art landscape: hills, sky and a low sun in a small palette.",
}
# Palettes chosen by hand (RGB 0-255): what keeps random compositions looking designed.
PALETTES = [
    [(38, 70, 83), (42, 157, 143), (233, 196, 106), (244, 162, 97), (231, 111, 81)],
    [(29, 53, 87), (69, 123, 157), (168, 218, 220), (230, 57, 70), (241, 250, 238)],
    [(61, 64, 91), (129, 178, 154), (242, 204, 143), (224, 122, 95), (244, 241, 222)],
    [(40, 54, 24), (96, 108, 56), (254, 250, 224), (221, 161, 94), (188, 108, 37)],
    [(53, 80, 112), (109, 89, 122), (181, 101, 118), (229, 107, 111), (234, 172, 139)],
    [(0, 48, 73), (214, 40, 40), (247, 127, 0), (252, 191, 73), (234, 226, 183)],
    [(34, 34, 59), (74, 78, 105), (154, 140, 152), (201, 173, 167), (242, 233, 228)],
    [(84, 71, 140), (44, 105, 154), (4, 139, 168), (13, 179, 158), (239, 234, 114)],
]
PAPER = (0.96, 0.93, 0.86)
INK = (0.10, 0.09, 0.11)


def _rgb(color) -> np.ndarray:
    return np.asarray(color, np.float32) / 255.0


def _smooth_noise(rng, w: int, h: int, cell: int) -> np.ndarray:
    """Value noise in [0, 1]: random cells scaled up bicubically."""
    small = (rng.random((h // cell + 2, w // cell + 2)) * 255).astype(np.uint8)
    big = Image.fromarray(small).resize((w + cell, h + cell), Image.Resampling.BICUBIC)
    return np.asarray(big, np.float32)[:h, :w] / 255.0


class _Art:
    """The canvas (float RGB in [0, 1]) and the paper's textures, made once per picture."""

    def __init__(self, rng, w: int, h: int, tint=PAPER, paper: bool = True):
        self.rng, self.w, self.h = rng, w, h
        self.tooth = _smooth_noise(rng, w, h, 2)  # dry-brush breaks
        self.granules = _smooth_noise(rng, w, h, 5)  # pigment settling in a wash
        if paper:
            cloud = _smooth_noise(rng, w, h, max(w, h) // 6) - 0.5
            shade = 1 + 0.035 * (self.granules - 0.5) + 0.05 * cloud
            tint = np.asarray(tint, np.float32)[None, None, :]
            self.canvas = np.clip(tint * shade[..., None], 0, 1).astype(np.float32)
        else:
            self.canvas = np.zeros((h, w, 3), np.float32)

    def mask(self) -> tuple[Image.Image, ImageDraw.ImageDraw]:
        m = Image.new("L", (self.w, self.h), 0)
        return m, ImageDraw.Draw(m)

    def _box(self, mask: Image.Image, margin: float):
        """Only the mask's bounding box (plus the blur's reach) is touched: strokes are small."""
        box = mask.getbbox()
        if box is None:
            return None
        m = int(margin * 3) + 2
        x0, y0 = max(box[0] - m, 0), max(box[1] - m, 0)
        x1, y1 = min(box[2] + m, self.w), min(box[3] + m, self.h)
        return (slice(y0, y1), slice(x0, x1)), mask.crop((x0, y0, x1, y1))

    def wash(self, mask: Image.Image, color, strength: float, soft: float = 2.0) -> None:
        """Watercolour: pigment multiplies into the paper, pools at the edge, granulates."""
        found = self._box(mask, soft * 4 + 3)
        if found is None:
            return
        region, crop = found
        inside = _as_array(crop, soft)
        rim = np.clip(inside - _as_array(crop, soft * 4 + 3), 0, 1)
        grain = 0.8 + 0.4 * self.granules[region]
        amount = np.clip((inside * 0.7 + rim * 1.4) * grain * strength, 0, 1)[..., None]
        self.canvas[region] *= 1 - amount * (1 - np.asarray(color, np.float32))

    def paint(self, mask: Image.Image, color, opacity: float, dry: bool = False, blur=0.8):
        """Opaque paint or ink over what is there; a dry brush breaks where the paper shows."""
        found = self._box(mask, blur)
        if found is None:
            return
        region, crop = found
        a = _as_array(crop, blur) * opacity
        if dry:
            a *= np.clip(0.55 + 0.8 * self.tooth[region], 0, 1)
        a = a[..., None]
        sub = self.canvas[region]
        sub[:] = sub * (1 - a) + np.asarray(color, np.float32) * a


def _as_array(mask: Image.Image, blur: float = 0) -> np.ndarray:
    if blur:
        mask = mask.filter(ImageFilter.GaussianBlur(blur))
    return np.asarray(mask, np.float32) / 255.0


def _blob(draw, rng, cx, cy, rx, ry, wobble=0.25, points=28) -> None:
    """A wobbly closed shape, as a loaded brush leaves it."""
    phases = rng.uniform(0, 2 * math.pi, 3)
    pts = []
    for i in range(points):
        t = 2 * math.pi * i / points
        r = 1 + wobble * (
            0.5 * math.sin(2 * t + phases[0])
            + 0.3 * math.sin(3 * t + phases[1])
            + 0.2 * math.sin(5 * t + phases[2])
        )
        pts.append((cx + rx * r * math.cos(t), cy + ry * r * math.sin(t)))
    draw.polygon(pts, fill=255)


def _stroke(draw, rng, x, y, angle, length, width, bend=0.4, taper=True) -> list:
    """A tapering brush stroke drawn as overlapping dabs along a curving path; `bend` is how
    far (radians) the stroke turns from start to end."""
    steps = max(12, int(length / max(width * 0.15, 1.0)))
    turn = rng.normal(0, bend) / steps
    path = []
    for i in range(steps):
        t = i / (steps - 1)
        profile = math.sin(math.pi * min(max(t, 0.03), 0.97)) ** 0.5 if taper else 1.0
        r = max(width * profile * (0.9 + 0.2 * rng.random()) / 2, 0.6)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
        path.append((x, y))
        angle += turn
        x += math.cos(angle) * length / steps
        y += math.sin(angle) * length / steps
    return path


def _ridge(rng, w: int, base: float, amp: float, octaves: int = 4) -> np.ndarray:
    """A hill line: a few sines, each finer one weaker, so it reads as land, not a graph."""
    xs = np.linspace(0, 1, w)
    y = np.full(w, base)
    for octave in range(octaves):
        f = (octave + 1) ** 1.6 * rng.uniform(1.2, 2.4)
        y += amp / (octave + 1) ** 1.8 * np.sin(xs * f * math.pi + rng.uniform(0, 6))
    return y


def _hills(draw, line, w: int, h: int, step: int = 3) -> None:
    draw.polygon([(0, h)] + [(x, float(line[x])) for x in range(0, w, step)] + [(w, h)], fill=255)


def _ink(art: _Art, palette):
    rng, w, h = art.rng, art.w, art.h
    for layer in range(3):
        m, d = art.mask()
        _hills(d, _ridge(rng, w, h * (0.35 + 0.17 * layer), h * 0.14), w, h)
        shade = 0.3 + 0.22 * layer
        art.wash(m, (1 - shade * 0.9,) * 3, 0.65, soft=2 + layer)
    # A pine: a trunk and clusters of needles in dark ink.
    m, d = art.mask()
    tx = rng.uniform(0.15, 0.85) * w
    trunk = _stroke(
        d,
        rng,
        tx,
        h * 1.02,
        -math.pi / 2 + rng.normal(0, 0.1),
        h * 0.75,
        w * 0.018,
        bend=0.5,
        taper=False,
    )
    for px, py in trunk[len(trunk) // 3 :: max(len(trunk) // 9, 1)]:
        side = float(rng.choice((-1, 1)))
        reach = w * rng.uniform(0.06, 0.14)
        angle = math.pi / 2 * (1 - side) + rng.normal(0, 0.2) - side * 0.15
        branch = _stroke(d, rng, px, py, angle, reach, w * 0.006, bend=0.3)
        for bx, by in branch[:: max(len(branch) // 4, 1)]:
            _blob(d, rng, bx, by - h * 0.008, w * 0.028, h * 0.012, 0.45)
    art.paint(m, INK, 0.92, dry=True)
    # The artist's seal, in cinnabar.
    m, d = art.mask()
    s = min(w, h) * 0.05
    sx, sy = w * rng.uniform(0.75, 0.9), h * rng.uniform(0.06, 0.14)
    d.rectangle((sx, sy, sx + s, sy + s * 1.3), fill=255)
    art.paint(m, (0.75, 0.17, 0.12), 0.85, dry=True)


def _botanical(art: _Art, palette):
    rng, w, h = art.rng, art.w, art.h
    leaf, bloom = _rgb(palette[1]), _rgb(palette[int(rng.integers(3, 5))])
    for _ in range(int(rng.integers(2, 5))):
        m, d = art.mask()
        x0 = rng.uniform(0.15, 0.85) * w
        stem = _stroke(
            d,
            rng,
            x0,
            h * 1.02,
            -math.pi / 2 + rng.normal(0, 0.2),
            h * rng.uniform(0.55, 0.85),
            max(w * 0.005, 2),
            bend=0.6,
            taper=False,
        )
        art.paint(m, INK, 0.75)
        leaves, ld = art.mask()
        for k, (px, py) in enumerate(stem[len(stem) // 6 :: max(len(stem) // 8, 1)]):
            side = 1 if k % 2 else -1
            _blob(ld, rng, px + side * w * 0.04, py, w * 0.04, h * 0.018, 0.3)
        art.wash(leaves, leaf, 0.8)
        flowers, fd = art.mask()
        fx, fy = stem[-1]
        petals = int(rng.integers(5, 8))
        for k in range(petals):
            a = 2 * math.pi * k / petals
            r = w * 0.03
            _blob(fd, rng, fx + math.cos(a) * r, fy + math.sin(a) * r, r, r * 0.75, 0.3)
        art.wash(flowers, bloom, 0.85)


def _geometric(art: _Art, palette):
    rng, w, h = art.rng, art.w, art.h
    inks = [_rgb(c) for c in palette[:4]]
    unit = min(w, h)
    for _ in range(int(rng.integers(6, 11))):
        m, d = art.mask()
        kind = rng.integers(0, 4)
        cx, cy = rng.uniform(0.1, 0.9) * w, rng.uniform(0.1, 0.9) * h
        r = unit * rng.uniform(0.08, 0.3)
        if kind == 0:
            d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=255)
        elif kind == 1:
            start = float(rng.integers(0, 4) * 90)
            d.pieslice((cx - r, cy - r, cx + r, cy + r), start, start + 180, fill=255)
        elif kind == 2:
            d.rectangle((cx - r, cy - r * 0.3, cx + r * 1.4, cy + r * 0.3), fill=255)
        else:
            for k in range(int(rng.integers(3, 7))):
                y = cy + k * r * 0.22
                d.rectangle((cx - r, y, cx + r, y + r * 0.09), fill=255)
        # Printed, not rendered: each ink lands a little off register and a little uneven.
        shift = (1, 0, float(rng.normal(0, 2)), 0, 1, float(rng.normal(0, 2)))
        m = m.transform(m.size, Image.Transform.AFFINE, shift)
        art.paint(m, inks[int(rng.integers(0, 4))], 0.88, dry=True, blur=0.6)


def _landscape(art: _Art, palette):
    rng, w, h = art.rng, art.w, art.h
    ys = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    top, low = _rgb(palette[0]), _rgb(palette[3])
    art.canvas[:] = top * (1 - ys) + low * ys
    art.canvas *= (0.97 + 0.06 * art.granules)[..., None]
    m, d = art.mask()
    sx, sy, sr = rng.uniform(0.2, 0.8) * w, rng.uniform(0.15, 0.35) * h, min(w, h) * 0.07
    d.ellipse((sx - sr, sy - sr, sx + sr, sy + sr), fill=255)
    art.paint(m, _rgb(palette[4]) * 0.5 + 0.5, 0.9, blur=2)
    layers = int(rng.integers(4, 7))
    for k in range(layers):
        m, d = art.mask()
        _hills(d, _ridge(rng, w, h * (0.45 + 0.45 * k / layers), h * 0.09), w, h)
        near = (k + 1) / layers  # atmospheric perspective: far ridges take the sky's colour
        color = low * (1 - near) * 0.85 + _rgb(palette[int(rng.integers(0, 3))]) * near * 0.7
        art.paint(m, color, 1.0, dry=k == layers - 1, blur=1.2)


def _gestural(art: _Art, palette):
    rng, w, h = art.rng, art.w, art.h
    for _ in range(int(rng.integers(14, 24))):
        m, d = art.mask()
        _stroke(
            d,
            rng,
            rng.uniform(-0.1, 1) * w,
            rng.uniform(0, 1) * h,
            rng.uniform(-0.6, 0.6),
            w * rng.uniform(0.25, 0.7),
            min(w, h) * rng.uniform(0.04, 0.12),
            bend=0.8,
        )
        art.paint(m, _rgb(palette[int(rng.integers(0, 5))]), rng.uniform(0.6, 0.95), dry=True)


def _vessels(art: _Art, palette):
    rng, w, h = art.rng, art.w, art.h
    shelf = h * rng.uniform(0.72, 0.85)
    m, d = art.mask()
    d.rectangle((0, shelf, w, h), fill=255)
    art.paint(m, _rgb(palette[0]) * 0.6, 0.85, dry=True)
    x = w * rng.uniform(0.05, 0.15)
    while x < w * 0.85:
        vw, vh = w * rng.uniform(0.08, 0.16), h * rng.uniform(0.25, 0.55)
        belly, neck = rng.uniform(0.3, 0.7), rng.uniform(0.25, 0.6)
        right = []
        for i in range(40):
            t = i / 39  # 0 at the foot, 1 at the lip
            r = 0.55 + 0.45 * math.sin(math.pi * min(t / belly, 1) * 0.5 + 0.3)
            if t > belly:
                r = neck + (r - neck) * (1 - (t - belly) / (1 - belly)) ** 1.5
            right.append((x + vw / 2 + r * vw / 2, shelf - t * vh))
        outline = right + [(2 * (x + vw / 2) - px, py) for px, py in reversed(right)]
        m, d = art.mask()
        d.polygon(outline, fill=255)
        glaze = _rgb(palette[int(rng.integers(1, 5))])
        art.paint(m, glaze, 0.95, dry=True, blur=1)
        # The glaze breaks lighter on the shoulder.
        light, ld = art.mask()
        ld.ellipse((x + vw * 0.25, shelf - vh * 0.85, x + vw * 0.5, shelf - vh * 0.35), fill=255)
        art.paint(light, np.minimum(glaze + 0.25, 1), 0.35, blur=vw * 0.1)
        x += vw * rng.uniform(1.2, 1.8)


def _pixel(art: _Art, palette):
    scale = max(4, min(art.w, art.h) // 64)
    small = _Art(art.rng, max(art.w // scale, 8), max(art.h // scale, 8), paper=False)
    _landscape(small, palette)
    levels = np.round(np.clip(small.canvas, 0, 1) * 6) / 6  # a small palette, as the medium has
    img = Image.fromarray((levels * 255).astype(np.uint8), "RGB")
    art.canvas[:] = np.asarray(img.resize((art.w, art.h), Image.Resampling.NEAREST)) / 255.0


RENDERERS = {
    "ink": _ink,
    "botanical": _botanical,
    "geometric": _geometric,
    "landscape": _landscape,
    "gestural": _gestural,
    "vessels": _vessels,
    "pixel": _pixel,
}


def demo_artwork(seed: int, width: int, height: int, style: str | None = None) -> Image.Image:
    rng = np.random.default_rng(seed)
    style = style or STYLES[seed % len(STYLES)]
    palette = PALETTES[int(rng.integers(0, len(PALETTES)))]
    ground = {
        "geometric": _rgb(palette[4]) * 0.25 + np.asarray(PAPER) * 0.75,
        "gestural": _rgb(palette[int(rng.integers(0, 5))]) * 0.5 + 0.35,
        "vessels": _rgb(palette[4]) * 0.3 + 0.6,
    }.get(style, PAPER)
    art = _Art(rng, width, height, tuple(ground), paper=style not in ("landscape", "pixel"))
    RENDERERS[style](art, palette)
    return Image.fromarray((np.clip(art.canvas, 0, 1) * 255).astype(np.uint8), "RGB")


def demo_artwork_bytes(seed: int, width: int, height: int, style: str | None = None) -> bytes:
    out = io.BytesIO()
    demo_artwork(seed, width, height, style).save(out, "JPEG", quality=90)
    return out.getvalue()


# A demo artist's field of work picks the look of all their pictures (the first that matches).
FIELD_STYLES = {
    "illustration": "botanical",
    "tattoo": "botanical",
    "painting": "gestural",
    "concept-art": "landscape",
    "digital-painting": "gestural",
    "photography": "ink",
    "sculpture": "vessels",
    "ceramics": "vessels",
    "3d": "geometric",
    "printmaking": "geometric",
    "graphic-design": "geometric",
    "animation": "ink",
    "traditional-art": "ink",
    "pixel-art": "pixel",
}


def style_for(fields_of_work, index: int = 0) -> str:
    for field in fields_of_work or ():
        if field in FIELD_STYLES:
            return FIELD_STYLES[field]
    return STYLES[index % len(STYLES)]
