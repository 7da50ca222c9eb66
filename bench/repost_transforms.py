"""What reposters do to a work, as functions (im, rng) -> im, for bench/repost.py and tests.

The hard cases from issue 16.5: an 8% crop, a caption over the picture, a screenshot-like
frame round it, a phone screenshot (status bar, app header, actions, navigation), and
rotations by 90 and 180 degrees.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageEnhance, ImageFont

_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
_REGULAR = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CAPTIONS = ["WHEN THE ART HITS", "me at 3am", "NOT MINE, CREDIT TO OP", "daily art dump #42"]


def _font(size: int, bold: bool = True):
    try:
        return ImageFont.truetype(_BOLD if bold else _REGULAR, size)
    except OSError:  # no DejaVu installed: Pillow's own scalable font
        return ImageFont.load_default(size=size)


def crop(im, frac, rng):
    """Remove `frac` of the width and of the height, split at random between the sides."""
    w, h = im.size
    cw, ch = int(w * frac), int(h * frac)
    left, top = int(rng.integers(0, cw + 1)), int(rng.integers(0, ch + 1))
    return im.crop((left, top, w - (cw - left), h - (ch - top)))


def pad(im, frac, rng):
    w, h = im.size
    pw, ph = int(w * frac), int(h * frac)
    color = [(255, 255, 255), (0, 0, 0), tuple(int(c) for c in rng.integers(0, 256, 3))][
        int(rng.integers(0, 3))
    ]
    out = Image.new("RGB", (w + pw, h + ph), color)
    out.paste(im, (int(rng.integers(0, pw + 1)), int(rng.integers(0, ph + 1))))
    return out


def jpeg(im, q):
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=q)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def watermark(im, rng):
    im = im.copy().convert("RGBA")
    w, h = im.size
    layer = Image.new("RGBA", im.size, (0, 0, 0, 0))
    font = ImageFont.load_default(size=max(14, h // 10))
    draw = ImageDraw.Draw(layer)
    x, y = int(w * rng.uniform(0.05, 0.4)), int(h * rng.uniform(0.3, 0.8))
    draw.text((x, y), "@repost_hub", font=font, fill=(255, 255, 255, 150))
    draw.text((x + 2, y + 2), "@repost_hub", font=font, fill=(0, 0, 0, 90))
    return Image.alpha_composite(im, layer).convert("RGB")


def text_overlay(im, rng):
    """A meme caption: opaque bold white text with a black outline, top and bottom."""
    im = im.copy()
    w, h = im.size
    draw = ImageDraw.Draw(im)
    for row in ("top", "bottom"):
        text = CAPTIONS[int(rng.integers(0, len(CAPTIONS)))]
        size = max(14, int(h * rng.uniform(0.07, 0.10)))
        font = _font(size)
        while size > 12 and draw.textlength(text, font=font) > 0.94 * w:
            size -= 2
            font = _font(size)
        tw = draw.textlength(text, font=font)
        y = int(h * 0.03) if row == "top" else int(h * 0.97) - size
        draw.text(
            ((w - tw) / 2, y),
            text,
            font=font,
            fill=(255, 255, 255),
            stroke_width=max(2, size // 12),
            stroke_fill=(0, 0, 0),
        )
    return im


def border(im, rng):
    """A screenshot-like frame: a UI-coloured margin, a thin rule and a drop shadow."""
    w, h = im.size
    m = int(max(w, h) * rng.uniform(0.04, 0.12))
    bg = [(242, 242, 242), (255, 255, 255), (30, 30, 30), (18, 18, 18)][int(rng.integers(0, 4))]
    out = Image.new("RGB", (w + 2 * m, h + 2 * m), bg)
    draw = ImageDraw.Draw(out)
    dark = sum(bg) < 300
    for i in range(6, 0, -1):  # soft shadow, offset down-right
        shade = tuple(min(255, c + (8 * i if dark else -8 * (7 - i) // 2)) for c in bg)
        draw.rectangle((m + i, m + i, m + w + i, m + h + i), fill=shade)
    rule = (90, 90, 90) if not dark else (200, 200, 200)
    draw.rectangle((m - 2, m - 2, m + w + 1, m + h + 1), outline=rule, width=1)
    out.paste(im, (m, m))
    return out


def screenshot(im, rng):
    """A phone screenshot of the work in a social app: status bar (time, signal, battery),
    an app header (avatar, name), the work at full width, an action row, a caption and the
    navigation bar."""
    cw = int(rng.choice([720, 828, 1080]))
    ch = int(cw * rng.uniform(2.0, 2.17))
    dark = bool(rng.integers(0, 2))
    bg, fg = ((0, 0, 0), (245, 245, 245)) if dark else ((255, 255, 255), (20, 20, 20))
    grey = (120, 120, 120)
    out = Image.new("RGB", (cw, ch), bg)
    d = ImageDraw.Draw(out)
    u = cw / 100  # 1% of the width
    # Status bar.
    d.text((6 * u, 1.5 * u), "9:41", font=_font(int(4 * u)), fill=fg)
    for i in range(4):
        d.rectangle((72 * u + i * 2 * u, 5 * u - i * u, 73.2 * u + i * 2 * u, 5.5 * u), fill=fg)
    d.rounded_rectangle((84 * u, 2 * u, 93 * u, 5.5 * u), radius=u, outline=fg, width=2)
    d.rectangle((85 * u, 3 * u, 90 * u, 4.5 * u), fill=fg)
    # App header.
    top = 9 * u
    d.ellipse((4 * u, top, 13 * u, top + 9 * u), fill=(200, 120, 80))
    d.text((16 * u, top + 1.5 * u), "repost_hub", font=_font(int(3.6 * u)), fill=fg)
    d.text((16 * u, top + 5.5 * u), "Original audio", font=_font(int(2.8 * u), False), fill=grey)
    d.text((90 * u, top + 2 * u), "...", font=_font(int(4 * u)), fill=fg)
    top += 12 * u
    # The work, at full width (or as tall as the space allows).
    room = ch - top - 40 * u
    scale = min(cw / im.width, room / im.height)
    work = im.resize((int(im.width * scale), int(im.height * scale)), Image.Resampling.BILINEAR)
    out.paste(work, ((cw - work.width) // 2, int(top)))
    y = top + work.height + 2 * u
    # Actions, likes, caption.
    for i in range(3):
        x = 4 * u + i * 10 * u
        d.ellipse((x, y, x + 6 * u, y + 6 * u), outline=fg, width=max(2, int(u / 2)))
    d.rectangle((88 * u, y, 94 * u, y + 6 * u), outline=fg, width=max(2, int(u / 2)))
    y += 9 * u
    d.text((4 * u, y), "1,024 likes", font=_font(int(3.4 * u)), fill=fg)
    y += 5 * u
    d.text((4 * u, y), "repost_hub  so good (not mine)", font=_font(int(3.2 * u), False), fill=fg)
    # Navigation bar and home indicator.
    nav = ch - 12 * u
    d.line((0, nav, cw, nav), fill=grey, width=1)
    for i in range(5):
        x = 8 * u + i * 19 * u
        d.rectangle((x, nav + 2.5 * u, x + 6 * u, nav + 8.5 * u), outline=fg, width=2)
    d.rounded_rectangle((35 * u, ch - 2.2 * u, 65 * u, ch - 1.2 * u), radius=u, fill=fg)
    return jpeg(out, 85)


TRANSFORMS = {
    "resize_0.5": lambda im, rng: im.resize(
        (im.width // 2, im.height // 2), Image.Resampling.LANCZOS
    ),
    "jpeg_q70": lambda im, rng: jpeg(im, 70),
    "mirror": lambda im, rng: im.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
    "rotate_90": lambda im, rng: im.transpose(Image.Transpose.ROTATE_90),
    "rotate_180": lambda im, rng: im.transpose(Image.Transpose.ROTATE_180),
    "crop_5%": lambda im, rng: crop(im, 0.05, rng),
    "crop_8%": lambda im, rng: crop(im, 0.08, rng),
    "crop_10%": lambda im, rng: crop(im, 0.10, rng),
    "pad_10%": lambda im, rng: pad(im, 0.10, rng),
    "brightness_+15%": lambda im, rng: ImageEnhance.Brightness(im).enhance(1.15),
    "brightness_-15%": lambda im, rng: ImageEnhance.Brightness(im).enhance(0.85),
    "text_watermark": watermark,
    "text_overlay": text_overlay,
    "border_frame": border,
    "phone_screenshot": screenshot,
}
# Not in the target list, reported for information: the classic repost trick of both.
EXTRA = {
    "mirror+crop_5%": lambda im, rng: crop(
        im.transpose(Image.Transpose.FLIP_LEFT_RIGHT), 0.05, rng
    ),
}
