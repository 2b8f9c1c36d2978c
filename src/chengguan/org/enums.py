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
    drone = "drone"
    relay_vehicle = "relay_vehicle"  # 中继车: a vehicle carrying cameras and the link for a site without a network


class DeviceStatus(StrEnum):
    online = "online"
    offline = "offline"
    retired = "retired"


LEVEL_LABELS = {OrgLevel.city: "市局", OrgLevel.district: "区局", OrgLevel.squad: "中队"}
OFFICER_KIND_LABELS = {OfficerKind.certified: "持证执法", OfficerKind.auxiliary: "协管"}
GENDER_LABELS = {Gender.male: "男", Gender.female: "女"}
ACTIVE_STATUS_LABELS = {ActiveStatus.active: "在岗", ActiveStatus.inactive: "离岗"}
VEHICLE_KIND_LABELS = {
    VehicleKind.patrol_car: "巡逻车",
    VehicleKind.truck: "货车",
    VehicleKind.motorcycle: "摩托车",
    VehicleKind.e_bike: "电动车",
}
VEHICLE_STATUS_LABELS = {
    VehicleStatus.in_service: "在用",
    VehicleStatus.maintenance: "维修",
    VehicleStatus.retired: "报废",
}
DEVICE_KIND_LABELS = {
    DeviceKind.body_camera: "执法记录仪",
    DeviceKind.camera: "视频探头",
    DeviceKind.sensor: "物联感知设备",
    DeviceKind.drone: "无人机",
    DeviceKind.relay_vehicle: "中继车",
}
DEVICE_STATUS_LABELS = {DeviceStatus.online: "在线", DeviceStatus.offline: "离线", DeviceStatus.retired: "报废"}

LEVEL_PARENT: dict[OrgLevel, OrgLevel | None] = {
    OrgLevel.city: None,
    OrgLevel.district: OrgLevel.city,
    OrgLevel.squad: OrgLevel.district,
}
