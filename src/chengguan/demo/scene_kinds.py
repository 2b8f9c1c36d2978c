"""The subjects of the demo photos beyond the street-scene basics: a muck truck shedding its load, a restaurant's
smoke, a rooftop shed, a heap of refuse, a cluttered facade, trampled green, a lit night stall. Each draws onto the
background and returns the box an AI camera would put around it."""

from __future__ import annotations

import random
from collections.abc import Callable

from PIL import ImageDraw

Box = tuple[int, int, int, int]
HORIZON = 300


def truck(draw: ImageDraw.ImageDraw, rng: random.Random, x0: int) -> Box:
    y = HORIZON + 95
    body = rng.choice([(200, 150, 40), (60, 120, 60), (90, 90, 160)])
    draw.rectangle([x0, y - 70, x0 + 170, y], fill=body, outline=(40, 40, 40), width=2)  # the open box
    draw.polygon([(x0 + 5, y - 70), (x0 + 165, y - 70), (x0 + 140, y - 95), (x0 + 30, y - 95)], fill=(120, 90, 60))
    draw.rectangle([x0 + 170, y - 60, x0 + 230, y], fill=(230, 230, 230), outline=(40, 40, 40), width=2)  # cab
    draw.rectangle([x0 + 182, y - 52, x0 + 222, y - 30], fill=(120, 160, 200))
    for wx in (x0 + 30, x0 + 130, x0 + 200):
        draw.ellipse([wx - 18, y - 12, wx + 18, y + 24], fill=(30, 30, 30))
    for _ in range(26):  # the load shed on the road behind it
        sx, sy = x0 - rng.randint(0, 160), y + rng.randint(-6, 30)
        draw.ellipse([sx, sy, sx + rng.randint(6, 14), sy + rng.randint(4, 9)], fill=(130, 100, 70))
    return (x0 - 170, y - 100, x0 + 236, y + 36)


def smoke(draw: ImageDraw.ImageDraw, rng: random.Random, x0: int) -> Box:
    draw.rectangle([x0 + 60, HORIZON - 160, x0 + 76, HORIZON - 40], fill=(150, 150, 150))  # exhaust pipe
    for i in range(14):
        r = 14 + i * 3
        cx, cy = x0 + 68 + rng.randint(-20, 20) + i * 6, HORIZON - 170 - i * 9
        shade = min(235, 95 + i * 9)
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(shade, shade, shade))
    return (x0, HORIZON - 300, x0 + 210, HORIZON - 30)


def building(draw: ImageDraw.ImageDraw, rng: random.Random, x0: int) -> Box:
    top = HORIZON - 200
    draw.rectangle([x0, top - 60, x0 + 200, top], fill=(205, 205, 200), outline=(90, 90, 90), width=2)  # added shed
    draw.polygon([(x0 - 10, top - 60), (x0 + 210, top - 60), (x0 + 100, top - 100)], fill=(40, 90, 170))
    for wx in range(x0 + 20, x0 + 190, 45):
        draw.rectangle([wx, top - 45, wx + 25, top - 20], fill=(100, 130, 160))
    return (x0 - 16, top - 106, x0 + 216, top + 4)


def garbage(draw: ImageDraw.ImageDraw, rng: random.Random, x0: int) -> Box:
    draw.rectangle([x0 + 150, HORIZON - 10, x0 + 190, HORIZON + 50], fill=(40, 120, 70))  # the bin beside it
    for _ in range(rng.randint(14, 22)):
        bx, by = x0 + rng.randint(0, 140), HORIZON + rng.randint(0, 45)
        colour = rng.choice([(30, 30, 30), (60, 60, 160), (200, 200, 200), (160, 120, 60), (200, 60, 60)])
        draw.ellipse([bx, by, bx + rng.randint(18, 34), by + rng.randint(14, 26)], fill=colour)
    return (x0 - 6, HORIZON - 14, x0 + 196, HORIZON + 76)


def facade(draw: ImageDraw.ImageDraw, rng: random.Random, x0: int) -> Box:
    for i in range(rng.randint(3, 5)):  # things hung or posted on the wall
        wx, wy = x0 + i * 44, HORIZON - 200 + rng.randint(0, 80)
        if rng.random() < 0.5:
            draw.rectangle([wx, wy, wx + 36, wy + 24], fill=(235, 235, 235), outline=(90, 90, 90))  # air conditioner
        else:
            draw.line([(wx, wy), (wx + 40, wy)], fill=(60, 60, 60), width=2)
            for k in range(3):
                draw.rectangle([wx + 4 + k * 12, wy, wx + 12 + k * 12, wy + 26], fill=rng.choice(
                    [(200, 60, 60), (60, 90, 200), (240, 200, 60)]))  # fmt: skip
    return (x0 - 8, HORIZON - 210, x0 + 230, HORIZON - 80)


def green(draw: ImageDraw.ImageDraw, rng: random.Random, x0: int) -> Box:
    draw.rectangle([0, HORIZON, 640, HORIZON + 70], fill=(90, 160, 80))
    for _ in range(12):  # bare, trampled patches and what was left on them
        px, py = x0 + rng.randint(0, 200), HORIZON + rng.randint(5, 55)
        draw.ellipse([px, py, px + rng.randint(20, 40), py + rng.randint(8, 14)], fill=(150, 120, 80))
    return (x0 - 6, HORIZON - 4, x0 + 246, HORIZON + 74)


def night(draw: ImageDraw.ImageDraw, rng: random.Random, x0: int) -> Box:
    draw.rectangle([x0, HORIZON - 30, x0 + 170, HORIZON + 50], fill=(90, 60, 40))
    for i in range(6):  # the stall's string of lights
        lx = x0 + 10 + i * 28
        draw.ellipse([lx, HORIZON - 40, lx + 10, HORIZON - 30], fill=(255, 220, 120))
    for _ in range(10):
        sx, sy = x0 + rng.randint(20, 150), HORIZON - rng.randint(40, 140)
        draw.ellipse([sx, sy, sx + 20, sy + 14], fill=(120, 120, 130))  # smoke over the grill
    return (x0 - 10, HORIZON - 150, x0 + 186, HORIZON + 56)


DRAW: dict[str, Callable[[ImageDraw.ImageDraw, random.Random, int], Box]] = {
    "truck": truck,
    "smoke": smoke,
    "building": building,
    "garbage": garbage,
    "facade": facade,
    "green": green,
    "night": night,
}
