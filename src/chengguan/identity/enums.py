"""Choice sets of the identity domain."""

from enum import StrEnum


class DataScope(StrEnum):
    """The five data scopes (数据权限): which units' records a role may see."""

    all = "all"
    custom = "custom"
    unit = "unit"
    unit_and_below = "unit_and_below"
    self = "self"


class PrincipalType(StrEnum):
    """Who holds a token: staff of the bureaus, merchants (商户) or members of the public (市民)."""

    staff = "staff"
    merchant = "merchant"
    public = "public"


DATA_SCOPE_LABELS = {
    DataScope.all: "全部数据",
    DataScope.custom: "自定义单位",
    DataScope.unit: "本单位",
    DataScope.unit_and_below: "本单位及下级",
    DataScope.self: "仅本人",
}

# When a user holds several roles the widest scope wins; this is the order from widest to narrowest
# (custom is combined with the others as a union of unit sets).
SCOPE_BREADTH = [DataScope.all, DataScope.unit_and_below, DataScope.custom, DataScope.unit, DataScope.self]
