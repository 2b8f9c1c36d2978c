"""What the map serves: kinds of areas and places on the offline base, and the kinds of base layer."""

from __future__ import annotations

from enum import StrEnum


class PlaceKind(StrEnum):
    """An area or a labelled place of the offline base, and a kind of search result."""

    district = "district"
    street = "street"
    community = "community"
    grid = "grid"
    shop = "shop"
    site = "site"
    camera = "camera"
    device = "device"
    office = "office"


PLACE_KIND_LABELS = {
    PlaceKind.district: "区",
    PlaceKind.street: "街道",
    PlaceKind.community: "社区",
    PlaceKind.grid: "网格",
    PlaceKind.shop: "商户",
    PlaceKind.site: "场所（工地、小区等）",
    PlaceKind.camera: "视频探头",
    PlaceKind.device: "物联感知设备",
    PlaceKind.office: "执法机构驻地",
}


class BaseLayerKind(StrEnum):
    """Where a base layer's pictures come from."""

    offline = "offline"
    tianditu = "tianditu"
    gcj02 = "gcj02"
    intranet = "intranet"


BASE_LAYER_LABELS = {
    BaseLayerKind.offline: "离线底图（本平台数据）",
    BaseLayerKind.tianditu: "天地图",
    BaseLayerKind.gcj02: "GCJ-02 在线底图（高德/腾讯）",
    BaseLayerKind.intranet: "内网瓦片服务",
}
