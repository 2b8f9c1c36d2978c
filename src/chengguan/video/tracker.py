"""An IoU tracker: a detection continues the track of the same class whose last box overlaps it most (greedy, best
overlap first); tracks unseen for ``max_missed`` detector runs end. Enough for fixed cameras at a few frames a
minute, where objects of interest (stalls, piles, parked vehicles) barely move."""

from __future__ import annotations

from dataclasses import dataclass

from chengguan.video.detector import Box


def iou(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    ix1, iy1, ix2, iy2 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, ix2 - ix1) * max(0.0, iy2 - iy1)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


@dataclass
class Track:
    id: int
    cls: str
    box: tuple[float, float, float, float]
    score: float
    missed: int = 0


class IouTracker:
    def __init__(self, *, min_iou: float = 0.3, max_missed: int = 5) -> None:
        self.min_iou, self.max_missed = min_iou, max_missed
        self.tracks: list[Track] = []
        self._next = 1

    def update(self, boxes: list[Box]) -> list[Track]:
        """The tracks seen in this detector run (new ones get fresh ids)."""
        pairs = sorted(
            ((iou(t.box, (b.x1, b.y1, b.x2, b.y2)), ti, bi)
             for ti, t in enumerate(self.tracks) for bi, b in enumerate(boxes) if t.cls == b.cls),
            reverse=True,
        )  # fmt: skip
        used_t: set[int] = set()
        used_b: set[int] = set()
        seen: list[Track] = []
        for overlap, ti, bi in pairs:
            if overlap < self.min_iou:
                break
            if ti in used_t or bi in used_b:
                continue
            used_t.add(ti)
            used_b.add(bi)
            t, b = self.tracks[ti], boxes[bi]
            t.box, t.score, t.missed = (b.x1, b.y1, b.x2, b.y2), b.score, 0
            seen.append(t)
        for ti, t in enumerate(self.tracks):
            if ti not in used_t:
                t.missed += 1
        for bi, b in enumerate(boxes):
            if bi not in used_b:
                t = Track(self._next, b.cls, (b.x1, b.y1, b.x2, b.y2), b.score)
                self._next += 1
                self.tracks.append(t)
                seen.append(t)
        self.tracks = [t for t in self.tracks if t.missed <= self.max_missed]
        return seen

    def current(self) -> list[Track]:
        """The live tracks as last seen (a quiet frame re-reports them: stationary objects stay tracked)."""
        return [t for t in self.tracks if t.missed == 0]
