"""Page breaking for rendered documents: measured items in, items with page and position out.

Laying out first and drawing afterwards lets a block look back: a heading never ends a page, a table header is
repeated on the next page, and the authority/date/seal block takes the last lines of the body with it rather than
standing alone on a page (GB/T 9704-2012 §7.3.5: no page with only the seal and date).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(eq=False)
class Item:
    """A measured, unbreakable piece of a page: one line of text, a table row, the closing block."""

    height: float
    draw: Callable[[Any, float], None]  # draw(canvas, top_y)
    keep_with_next: bool = False  # headings, captions, table headers
    pull_back: int = 0  # items of the text before it to carry over when this one moves to a new page
    below: float = 0.0  # room it needs past its height (the seal hangs below the date)
    header: Item | None = None  # repeated first on a new page (a table's header row)
    spacer: bool = False  # blank space, dropped at the top of a page
    extra: dict[str, Any] = field(default_factory=dict)


def paginate(items: list[Item], top: float, bottom: float) -> list[list[tuple[Item, float]]]:
    """Assign every item a page and a top position between ``top`` and ``bottom`` (same units as heights)."""
    pages: list[list[tuple[Item, float]]] = [[]]
    y = top

    def place(item: Item) -> None:
        nonlocal y
        if item.spacer and not pages[-1]:
            return
        pages[-1].append((item, y))
        y += item.height

    for item in items:
        if y + item.height + item.below > bottom + 1e-6 and any(not it.spacer for it, _ in pages[-1]):
            carry = _carry_over(pages[-1], item)
            pages.append([])
            y = top
            first = carry[0] if carry else item
            if first.header is not None and first is not first.header:
                place(first.header)
            for moved in carry:
                place(moved)
        place(item)
    return pages


def _carry_over(page: list[tuple[Item, float]], item: Item) -> list[Item]:
    """Take off the page the items that must travel with ``item``; never empty the page."""
    keep = 0
    while keep < len(page) and page[len(page) - 1 - keep][0].keep_with_next:
        keep += 1
    count = keep + item.pull_back
    if count >= len(page):
        count = keep if keep < len(page) else 0
    if not count:
        return []
    moved = [it for it, _ in page[len(page) - count :]]
    del page[len(page) - count :]
    return moved
