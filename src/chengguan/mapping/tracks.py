"""轨迹回放: an officer's or vehicle's fixes over a window, with the stops found on them (rules.detect_stops)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from chengguan.core.errors import NotFound
from chengguan.core.principals import StaffPrincipal
from chengguan.mapping import repository
from chengguan.mapping.rules import (
    STOP_MIN_MINUTES,
    STOP_RADIUS_M,
    Fix,
    check_track_window,
    detect_stops,
    path_length_m,
    thinned,
)
from chengguan.mapping.schemas import StopOut, TrackOut, TrackPointOut, TrackQuery


def playback(session: Session, principal: StaffPrincipal, query: TrackQuery) -> TrackOut:
    """The track of a subject in the principal's scope (404 otherwise); 422 on a reversed or too long window."""
    check_track_window(query.start, query.end)
    name = repository.subject(session, principal, query.kind, query.id)
    if name is None:
        raise NotFound("该人员/车辆不存在或不在数据权限范围内", code="map.subject_not_found")
    rows = repository.track(session, query.kind, query.id, query.start, query.end)
    fixes = [Fix(at, lng, lat) for at, lng, lat, _ in rows]
    stops = detect_stops(fixes)
    # Stops and the distance come from every fix; a very long track is sent thinned, stops pointing into what is sent.
    sent = thinned(len(rows), {i for s in stops for i in (s.first, s.last)})
    position = {original: n for n, original in enumerate(sent)}
    return TrackOut(
        kind=query.kind,
        id=query.id,
        name=name,
        start=query.start,
        end=query.end,
        fixes=len(rows),
        points=[TrackPointOut(at=rows[i][0], lng=rows[i][1], lat=rows[i][2], speed_mps=rows[i][3]) for i in sent],
        stops=[
            StopOut(
                started_at=s.started_at,
                ended_at=s.ended_at,
                minutes=round(s.minutes, 1),
                lng=s.lng,
                lat=s.lat,
                first=position[s.first],
                last=position[s.last],
            )
            for s in stops
        ],
        distance_m=round(path_length_m(fixes), 1),
        stop_radius_m=STOP_RADIUS_M,
        stop_min_minutes=STOP_MIN_MINUTES,
    )
