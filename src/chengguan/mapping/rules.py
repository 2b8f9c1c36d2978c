"""Pure rules of the map: stops on a track, the playback window, the search text, a street's name from its squad."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from chengguan.core.errors import field_error
from chengguan.core.geo import haversine_m

# A stop (停留点): the subject stayed within STOP_RADIUS_M of where it arrived for at least STOP_MIN_MINUTES. 50 m
# is a phone GPS's usual scatter in a street canyon plus a short walk around a shop front; 5 minutes separates a
# check of a shop from waiting at a traffic light.
STOP_RADIUS_M = 50.0
STOP_MIN_MINUTES = 5
MAX_TRACK_DAYS = 7  # longest playback window asked at once (a week of 10-second fixes is ~60,000 points)
MAX_TRACK_POINTS = 20_000  # points sent for one playback; a longer track is thinned evenly (stops keep their ends)
SEARCH_MAX_CHARS = 50
SEARCH_MAX_RESULTS = 50
SQUAD_SUFFIXES = ("综合行政执法中队", "执法中队", "中队")
BUREAU_SUFFIXES = ("城市管理综合行政执法局", "综合行政执法局", "城市管理局", "执法局")


@dataclass(frozen=True)
class Fix:
    at: datetime
    lng: float
    lat: float


@dataclass(frozen=True)
class Stop:
    first: int  # index of the first and last fix of the stop in the track
    last: int
    started_at: datetime
    ended_at: datetime
    lng: float  # mean position of its fixes
    lat: float

    @property
    def minutes(self) -> float:
        return (self.ended_at - self.started_at).total_seconds() / 60.0


def detect_stops(
    fixes: Sequence[Fix], radius_m: float = STOP_RADIUS_M, min_minutes: float = STOP_MIN_MINUTES
) -> list[Stop]:
    """Stay points of a time-ordered track: from each fix, the run of following fixes within ``radius_m`` of it;
    a run lasting ``min_minutes`` or more is a stop and the search resumes after it, otherwise at the next fix."""
    stops: list[Stop] = []
    i, n = 0, len(fixes)
    while i < n:
        j = i + 1
        while j < n and haversine_m(fixes[i].lng, fixes[i].lat, fixes[j].lng, fixes[j].lat) <= radius_m:
            j += 1
        if fixes[j - 1].at - fixes[i].at >= timedelta(minutes=min_minutes):
            run = fixes[i:j]
            stops.append(
                Stop(
                    i,
                    j - 1,
                    fixes[i].at,
                    fixes[j - 1].at,
                    sum(f.lng for f in run) / len(run),
                    sum(f.lat for f in run) / len(run),
                )
            )
            i = j
        else:
            i += 1
    return stops


def check_track_window(start: datetime, end: datetime) -> None:
    """422 naming ``from`` when it is after ``to``, ``to`` when the window is longer than MAX_TRACK_DAYS."""
    if start > end:
        raise field_error("from", "开始时间不能晚于结束时间", code="map.track_window_reversed")
    if end - start > timedelta(days=MAX_TRACK_DAYS):
        raise field_error(
            "to", f"回放时段不能超过 {MAX_TRACK_DAYS} 天，请缩小时间范围", code="map.track_window_too_long"
        )


def search_text(q: str) -> str:
    """The search text, trimmed; 422 naming ``q`` when it is empty or longer than SEARCH_MAX_CHARS."""
    text = q.strip()
    if not text:
        raise field_error("q", "请输入要查找的地名、网格、商户或场所", code="map.search_empty")
    if len(text) > SEARCH_MAX_CHARS:
        raise field_error("q", f"查找内容不能超过 {SEARCH_MAX_CHARS} 个字", code="map.search_too_long")
    return text


def street_name(squad_name: str) -> str:
    """The street a squad (街道中队) serves, as the map labels it: 八大关街道执法中队 → 八大关街道. A name without a
    squad suffix is the street's name already."""
    return _without(squad_name, SQUAD_SUFFIXES)


def district_name(bureau_name: str) -> str:
    """The district a district bureau serves: 市南区综合行政执法局 → 市南区."""
    return _without(bureau_name, BUREAU_SUFFIXES)


def _without(name: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name.removesuffix(suffix)
    return name


def path_length_m(fixes: Sequence[Fix]) -> float:
    """Length of the track along its fixes."""
    return sum(haversine_m(a.lng, a.lat, b.lng, b.lat) for a, b in itertools.pairwise(fixes))


def thinned(count: int, keep: set[int], limit: int = MAX_TRACK_POINTS) -> list[int]:
    """Indexes of the fixes to send: all of them up to ``limit``, else every k-th (evenly, about ``limit`` in all)
    plus ``keep`` (the first and last fix of each stop) and the last fix, in order."""
    if count <= limit:
        return list(range(count))
    step = -(-count // limit)  # ceiling division
    return sorted(set(range(0, count, step)) | {i for i in keep if 0 <= i < count} | {count - 1})
