"""Synthetic scene photos for the demo's evidence: a street drawn with Pillow, the case's matter on it, and the
camera's watermark (time, place, GPS, device) — small JPEGs, the same bytes for the same inputs.

A few backgrounds are drawn once per process and reused; each photo adds its own objects and text, so two
photos of one case differ and every photo's SHA-256 is its own.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache

from PIL import Image, ImageDraw, ImageFont

from chengguan.core import clock
from chengguan.demo import scene_kinds
from chengguan.documents.fonts import FontUnavailable, find_face

W, H = 640, 480
QUALITY = 70
SKY = ((132, 180, 226), (205, 226, 243))
SHOP_SIGNS = ("水果超市", "海鲜烧烤", "便利店", "建材五金", "小吃", "百货商店", "装饰材料", "鲜花")
FACADES = ((214, 200, 178), (190, 196, 204), (226, 214, 196), (176, 170, 160), (205, 186, 170))
NIGHT_SKY = ((14, 18, 40), (44, 50, 80))


@dataclass(frozen=True)
class Shot:
    """What one photo shows and says: scene, caption lines, capture time, GPS, device, and (AI frames) a detection."""

    scene: str
    captured_at: datetime
    address: str
    caption: str
    lng: float | None
    lat: float | None
    device: str
    seed: int
    detection: str | None = None  # label of the box an AI camera draws around what it found


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        face = find_face("sans")
    except FontUnavailable:  # the photo still renders, with Pillow's built-in bitmap font
        return ImageFont.load_default(size)
    return ImageFont.truetype(str(face.path), size, index=face.index)


def _sky(draw: ImageDraw.ImageDraw, horizon: int, night: bool = False) -> None:
    top, bottom = NIGHT_SKY if night else SKY
    for y in range(horizon):
        t = y / max(1, horizon - 1)
        draw.line([(0, y), (W, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))


def _buildings(draw: ImageDraw.ImageDraw, rng: random.Random, horizon: int, signs: bool) -> None:
    x = -rng.randint(0, 40)
    while x < W:
        width, height = rng.randint(110, 190), rng.randint(150, 260)
        colour = rng.choice(FACADES)
        draw.rectangle([x, horizon - height, x + width, horizon], fill=colour, outline=(120, 120, 120))
        for wy in range(horizon - height + 16, horizon - 90, 34):
            for wx in range(x + 12, x + width - 24, 30):
                draw.rectangle([wx, wy, wx + 16, wy + 20], fill=(92, 122, 150))
        if signs:
            draw.rectangle([x + 6, horizon - 78, x + width - 6, horizon - 52], fill=rng.choice(
                [(178, 34, 34), (30, 90, 160), (20, 120, 80), (200, 120, 20)]))  # fmt: skip
            draw.text((x + 14, horizon - 76), rng.choice(SHOP_SIGNS), font=_font(18), fill=(255, 255, 255))
            draw.rectangle([x + 20, horizon - 46, x + width - 20, horizon], fill=(70, 70, 76))
        x += width + rng.randint(0, 12)


def _ground(draw: ImageDraw.ImageDraw, horizon: int) -> None:
    draw.rectangle([0, horizon, W, horizon + 70], fill=(186, 180, 170))  # sidewalk
    for x in range(0, W, 40):
        draw.line([(x, horizon), (x - 30, horizon + 70)], fill=(160, 154, 146))
    draw.rectangle([0, horizon + 70, W, H], fill=(88, 90, 96))  # road
    draw.rectangle([0, horizon + 70, W, horizon + 76], fill=(230, 230, 230))
    for x in range(0, W, 90):
        draw.rectangle([x, horizon + 130, x + 50, horizon + 136], fill=(240, 240, 240))


@cache
def _background(scene: str, variant: int) -> Image.Image:
    rng = random.Random(f"{scene}:{variant}")
    image = Image.new("RGB", (W, H))
    draw = ImageDraw.Draw(image)
    horizon = 300
    _sky(draw, horizon, night=scene == "night")
    # "tidy": a shop front after its rectification (signs, nothing on the pavement)
    _buildings(draw, rng, horizon, signs=scene in ("street", "stall", "smoke", "night", "garbage", "tidy"))
    _ground(draw, horizon)
    if scene == "site":
        draw.rectangle([0, horizon - 120, W, horizon + 10], fill=(30, 110, 160))  # hoarding of the site
        for x in range(0, W, 64):
            draw.line([(x, horizon - 120), (x, horizon + 10)], fill=(240, 240, 240), width=2)
        draw.line([(470, 40), (470, horizon - 120)], fill=(230, 170, 30), width=8)  # crane
        draw.line([(380, 52), (620, 52)], fill=(230, 170, 30), width=6)
    if scene == "billboard":
        draw.rectangle([150, 40, 500, 170], fill=(250, 250, 250), outline=(60, 60, 60), width=4)
        draw.line([(325, 170), (325, horizon)], fill=(80, 80, 80), width=8)
        draw.text((180, 80), "房产开盘 特价促销", font=_font(32), fill=(200, 30, 30))
    return image


def _objects(draw: ImageDraw.ImageDraw, shot: Shot, rng: random.Random) -> tuple[int, int, int, int]:
    """The scene's subject (goods on the pavement, a pile, dust, people); returns its bounding box."""
    horizon = 300
    x0 = rng.randint(40, 330)
    if shot.scene in scene_kinds.DRAW:
        box = scene_kinds.DRAW[shot.scene](draw, rng, x0 if shot.scene != "truck" else x0 + 160)
    elif shot.scene == "stall":
        draw.polygon([(x0, horizon - 20), (x0 + 160, horizon - 20), (x0 + 180, horizon + 5), (x0 - 20, horizon + 5)],
                     fill=rng.choice([(220, 60, 60), (40, 110, 200), (240, 180, 40)]))  # fmt: skip
        draw.rectangle([x0, horizon + 5, x0 + 160, horizon + 55], fill=(150, 110, 70))
        for i in range(8):
            cx = x0 + 12 + i * 19
            draw.ellipse([cx, horizon + 10, cx + 16, horizon + 26], fill=rng.choice([(230, 120, 30), (200, 40, 40)]))
        box = (x0 - 24, horizon - 26, x0 + 186, horizon + 62)
    elif shot.scene == "street":
        for _ in range(rng.randint(5, 9)):
            bx, by = x0 + rng.randint(0, 150), horizon + rng.randint(0, 40)
            colour = rng.choice([(160, 120, 80), (120, 120, 120), (200, 190, 150)])
            size = (rng.randint(24, 50), rng.randint(18, 34))
            draw.rectangle([bx, by, bx + size[0], by + size[1]], fill=colour, outline=(60, 50, 40))
        box = (x0 - 8, horizon - 6, x0 + 210, horizon + 80)
    elif shot.scene == "site":
        for _ in range(40):
            dx, dy = x0 + rng.randint(0, 220), horizon - rng.randint(0, 160)
            r = rng.randint(10, 26)
            draw.ellipse([dx - r, dy - r, dx + r, dy + r], fill=(196, 186, 168))
        box = (x0 - 20, horizon - 190, x0 + 250, horizon + 20)
    else:
        box = (140, 30, 510, 180)
    for _ in range(rng.randint(1, 3)):  # passers-by
        px = rng.randint(20, W - 40)
        draw.ellipse([px, horizon - 4, px + 16, horizon + 12], fill=(60, 50, 40))
        draw.rectangle([px - 2, horizon + 12, px + 18, horizon + 52], fill=rng.choice([(40, 60, 120), (120, 40, 40)]))
    return box


@lru_cache(maxsize=4096)
def _mask(text: str, size: int) -> Image.Image:
    """The text's coverage mask: a case's address and device repeat on each of its photos, rendered once."""
    font = _font(size)
    *_, right, bottom = font.getbbox(text)
    mask = Image.new("L", (max(1, right), max(1, bottom)))
    ImageDraw.Draw(mask).text((0, 0), text, font=font, fill=255)
    return mask


def _text(image: Image.Image, xy: tuple[int, int], text: str, size: int, colour: tuple[int, int, int]) -> None:
    mask = _mask(text, size)
    image.paste(colour, (*xy, xy[0] + mask.width, xy[1] + mask.height), mask)


def _watermark(image: Image.Image, draw: ImageDraw.ImageDraw, shot: Shot) -> None:
    local = shot.captured_at.astimezone(clock.SHANGHAI)
    draw.rectangle([0, H - 62, W, H], fill=(0, 0, 0))
    gps = f"E{shot.lng:.5f} N{shot.lat:.5f}" if shot.lng is not None and shot.lat is not None else "GPS —"
    _text(image, (10, H - 58), f"{local:%Y-%m-%d}", 16, (255, 214, 0))
    _text(image, (110, H - 58), f"{local:%H:%M:%S}", 16, (255, 214, 0))
    _text(image, (200, H - 58), gps, 16, (255, 214, 0))
    _text(image, (10, H - 34), f"{shot.address}  {shot.caption}"[:40], 16, (255, 255, 255))
    _text(image, (W - 150, 8), shot.device[:16], 14, (255, 255, 255))


def render(shot: Shot) -> bytes:
    """The JPEG of one shot (640×480, quality 70, no EXIF: the capture facts are in the record and the watermark)."""
    rng = random.Random(shot.seed)
    image = _background(shot.scene, shot.seed % 3).copy()
    draw = ImageDraw.Draw(image)
    box = _objects(draw, shot, rng)
    if shot.detection:
        draw.rectangle(box, outline=(255, 40, 40), width=3)
        draw.rectangle([box[0], box[1] - 22, box[0] + 150, box[1]], fill=(255, 40, 40))
        _text(image, (box[0] + 4, box[1] - 21), shot.detection, 15, (255, 255, 255))
    _watermark(image, draw, shot)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=QUALITY, optimize=False)
    return out.getvalue()
