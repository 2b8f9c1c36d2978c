"""When and where a photo was taken, from its EXIF (Pillow): what the H5 did not say itself is read from the file —
the camera's DateTimeOriginal (local time, Asia/Shanghai) and its GPS fix (WGS-84 degrees), and the camera model."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from PIL import ExifTags, Image

from chengguan.core import clock


@dataclass(frozen=True)
class Shot:
    taken_at: datetime | None = None
    lng: float | None = None
    lat: float | None = None
    model: str | None = None


def _degrees(value: tuple, ref: str | None) -> float | None:
    try:
        d, m, s = (float(v) for v in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    out = d + m / 60 + s / 3600
    return -out if ref in ("S", "W") else out


def read(head: bytes) -> Shot:
    """The photo's own facts (none when it carries no EXIF or an unreadable one)."""
    try:
        with Image.open(io.BytesIO(head)) as image:
            exif = image.getexif()
    except Exception:  # Pillow raises several kinds for a broken file; the type check came first, so: no facts
        return Shot()
    if not exif:
        return Shot()
    taken = None
    raw = exif.get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
    if isinstance(raw, str):
        try:
            taken = datetime.strptime(raw.strip(), "%Y:%m:%d %H:%M:%S").replace(tzinfo=clock.SHANGHAI)
        except ValueError:
            taken = None
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    lat = _degrees(gps.get(2), gps.get(1)) if gps.get(2) else None
    lng = _degrees(gps.get(4), gps.get(3)) if gps.get(4) else None
    if lat is None or lng is None or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        lat = lng = None
    model = exif.get(ExifTags.Base.Model)
    return Shot(taken, lng, lat, str(model).strip()[:100] if model else None)
