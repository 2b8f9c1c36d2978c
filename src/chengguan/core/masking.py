"""How personal data is shown to someone without the right to see it in full (个人信息去标识化展示):
identity numbers keep the region and the last four (370202********1234), phone numbers the first three and the
last four (138****5678), addresses only their administrative part (青岛市市南区****).

Pure functions; who sees what is decided by ``PERMISSION`` (a role's permission key) and the reveal paths that
record each full read in the audit log (``personal_data.read``).
"""

from __future__ import annotations

import re

PERMISSION = "personal_data:view"
AUDIT_ACTION = "personal_data.read"
_ADMINISTRATIVE = re.compile(r"^.{0,14}?(?:自治州|地区|街道|[省市区县旗盟镇乡])")


def mask_id_no(number: str | None) -> str | None:
    """370202198001010011 → 370202********0011; a short number is starred whole."""
    if not number:
        return number
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str | None) -> str | None:
    """13812345678 → 138****5678; a short number keeps only its last two digits."""
    if not phone:
        return phone
    if len(phone) < 8:
        return "*" * (len(phone) - 2) + phone[-2:] if len(phone) > 2 else "*" * len(phone)
    return phone[:3] + "****" + phone[-4:]


def mask_address(address: str | None) -> str | None:
    """青岛市市南区肥城路86号 → 青岛市市南区****: the longest administrative prefix (province, city, district,
    town, street office) within the first 15 characters stays; without one, at most four characters before any digit."""
    if not address:
        return address
    kept = ""
    rest = address
    while (match := _ADMINISTRATIVE.match(rest)) and len(kept) + match.end() <= 15:
        kept, rest = kept + match.group(0), rest[match.end() :]
    return (kept or re.split(r"[0-9０-９]", address)[0][:4]) + "****"


def is_masked(value: str | None) -> bool:
    """Whether a value is a masked rendering (a form posting it back means: unchanged)."""
    return bool(value) and "****" in (value or "")
