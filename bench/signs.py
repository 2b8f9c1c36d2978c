"""Door signs (打烊提示牌) for a street of 300 shops: one PDF, one A5 page each, with the QR codes.

Prints the render time of the whole street (cold: first call in the process builds the glyphs; warm: again) and the
size of the file, next to one single sign as the baseline.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from chengguan.merchants.sign import SignSpec, render_signs
from intake import machine

SHOPS = 300
PREFIXES = ("老王", "海之味", "青岛", "八大关", "栈桥", "啤酒街", "小港湾", "渔家", "福缘", "鲜又多")
TRADES = ("海鲜烧烤", "便利店", "水果店", "理发店", "啤酒屋", "包子铺", "面馆", "花店", "药房", "茶叶店")


def street() -> list[SignSpec]:
    return [
        SignSpec(
            bureau="青岛市市南区综合行政执法局",
            shop_name=f"{PREFIXES[i % 10]}{TRADES[(i // 10) % 10]}（{i // 100 + 1}号店）",
            shop_code=f"SH{i + 1:08d}",
            url=f"https://cg.example.gov.cn/portal/shop/SH{i + 1:08d}",
            squad="八大关中队",
        )
        for i in range(SHOPS)
    ]


def timed(signs: list[SignSpec]) -> tuple[float, int]:
    start = time.perf_counter()
    data = render_signs(signs)
    return time.perf_counter() - start, len(data)


def main() -> None:
    print(machine())
    signs = street()
    cold, _ = timed(signs[:1])
    one, one_size = timed(signs[:1])
    whole, size = timed(signs)
    again, _ = timed(signs)
    print(f"one sign: first {cold * 1000:.0f} ms (glyphs built), then {one * 1000:.0f} ms, {one_size / 1024:.0f} KiB")
    print(f"street of {SHOPS} shops: {whole:.2f} s, again {again:.2f} s ({again / SHOPS * 1000:.1f} ms per sign), "
          f"{size / 1024 / 1024:.1f} MiB")  # fmt: skip


if __name__ == "__main__":
    main()
