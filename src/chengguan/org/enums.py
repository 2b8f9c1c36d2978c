"""Choice sets of the organisation domain."""

from enum import StrEnum


class OrgLevel(StrEnum):
    """City bureau → district bureaus → street squads (市局 / 区局 / 街道中队)."""

    city = "city"
    district = "district"
    squad = "squad"


class OfficerKind(StrEnum):
    """Only certified officers (持证执法人员) may enforce; auxiliaries (协管员) may not act alone."""

    certified = "certified"
    auxiliary = "auxiliary"


class Gender(StrEnum):
    male = "male"
    female = "female"


class ActiveStatus(StrEnum):
    active = "active"
    inactive = "inactive"


class VehicleKind(StrEnum):
    patrol_car = "patrol_car"
    truck = "truck"
    motorcycle = "motorcycle"
    e_bike = "e_bike"


class VehicleStatus(StrEnum):
    in_service = "in_service"
    maintenance = "maintenance"
    retired = "retired"


class DeviceKind(StrEnum):
    body_camera = "body_camera"
    camera = "camera"
    sensor = "sensor"


class DeviceStatus(StrEnum):
    online = "online"
    offline = "offline"
    retired = "retired"


LEVEL_PARENT: dict[OrgLevel, OrgLevel | None] = {
    OrgLevel.city: None,
    OrgLevel.district: OrgLevel.city,
    OrgLevel.squad: OrgLevel.district,
}
