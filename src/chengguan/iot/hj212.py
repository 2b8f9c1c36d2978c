"""HJ 212-2017 (污染物在线监控（监测）系统数据传输标准) frames: decode, verify and encode — pure, no I/O.

A frame (标准 §6.3 通讯包结构) is ``##`` + the data segment's length as four decimal digits + the data segment
(``QN=…;ST=…;CN=…;PW=…;MN=…;Flag=…;CP=&&…&&``) + its CRC as four hex digits + CR LF. The CRC (§6.3, 附录 A) is
computed over the data segment only: register 0xFFFF; per byte, shift the register right by 8 and XOR the byte in,
then 8 rounds of shift right by one, XOR 0xA001 when the bit shifted out was 1. No maintained Python codec exists.
Factor codes (a34041 …) differ by local standard, so mapping them to metrics is configuration (``iot.factors``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from chengguan.core.clock import SHANGHAI

HEADER = "##"
MAX_DATA = 9999  # four decimal digits (§6.3: 0000–9999)


class FrameFault(StrEnum):
    """Why a frame is refused (stable codes: counted per device by the bridge)."""

    header = "header"  # not starting with ##
    length = "length"  # the length field is not four digits or does not match the data segment
    crc = "crc"  # the CRC does not match
    syntax = "syntax"  # the data segment is not KEY=VALUE;…;CP=&&…&&
    encoding = "encoding"  # not ASCII/UTF-8 text


class FrameError(ValueError):
    """A frame that does not hold (the bridge counts it against the device and carries on)."""

    def __init__(self, fault: FrameFault, message: str) -> None:
        super().__init__(message)
        self.fault = fault


@dataclass(frozen=True)
class Frame:
    """One decoded frame: the header fields (§6.3.2 数据段结构) and the CP data area by factor."""

    fields: dict[str, str]
    cp: dict[str, str] = field(default_factory=dict)  # plain CP keys: DataTime, RtdInterval …
    factors: dict[str, dict[str, str]] = field(default_factory=dict)  # a34041 → {"Rtd": "1.2", "Flag": "N"}

    @property
    def mn(self) -> str | None:
        """设备唯一标识 MN."""
        return self.fields.get("MN")

    @property
    def cn(self) -> str | None:
        """命令编码 CN (2011 实时数据, 2051 分钟数据, 2061 小时数据 …)."""
        return self.fields.get("CN")

    @property
    def data_time(self) -> datetime | None:
        """CP's DataTime (YYYYMMDDhhmmss, local time of the station: Asia/Shanghai), as UTC; None when absent."""
        raw = self.cp.get("DataTime")
        if not raw:
            return None
        try:
            local = datetime.strptime(raw[:14], "%Y%m%d%H%M%S")
        except ValueError as exc:
            raise FrameError(FrameFault.syntax, f"DataTime 格式不正确：{raw}") from exc
        return local.replace(tzinfo=SHANGHAI).astimezone(UTC)


def crc16(data: bytes) -> int:
    """HJ 212-2017 附录 A CRC-16 over ``data`` (the data segment)."""
    register = 0xFFFF
    for byte in data:
        register = (register >> 8) ^ byte
        for _ in range(8):
            carry = register & 1
            register >>= 1
            if carry:
                register ^= 0xA001
    return register


def encode(data_segment: str) -> bytes:
    """The whole frame for a data segment: ## + length + segment + CRC + CR LF."""
    raw = data_segment.encode()
    if len(raw) > MAX_DATA:
        raise FrameError(FrameFault.length, f"数据段超过 {MAX_DATA} 字节")
    return b"%s%04d%s%04X\r\n" % (HEADER.encode(), len(raw), raw, crc16(raw))


def decode(frame: bytes | str) -> Frame:
    """Verify header, length and CRC, then parse the data segment; FrameError names the fault."""
    raw = frame.encode() if isinstance(frame, str) else bytes(frame)
    raw = raw.rstrip(b"\r\n")
    if not raw.startswith(HEADER.encode()):
        raise FrameError(FrameFault.header, "包头不是 ##")
    length_text = raw[2:6]
    if len(length_text) != 4 or not length_text.isdigit():
        raise FrameError(FrameFault.length, "数据段长度不是四位十进制数字")
    length = int(length_text)
    body = raw[6:]
    if len(body) != length + 4:
        raise FrameError(FrameFault.length, f"数据段长度 {length} 与实际 {max(len(body) - 4, 0)} 不符")
    segment, crc_text = body[:length], body[length:]
    try:
        declared = int(crc_text, 16)
    except ValueError as exc:
        raise FrameError(FrameFault.crc, "CRC 不是四位十六进制数") from exc
    actual = crc16(segment)
    if declared != actual:
        raise FrameError(FrameFault.crc, f"CRC 校验失败：报文 {crc_text.decode(errors='replace')}，计算 {actual:04X}")
    try:
        text = segment.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FrameError(FrameFault.encoding, "数据段不是文本") from exc
    return parse_segment(text)


def parse_segment(text: str) -> Frame:
    """``QN=…;ST=…;…;CP=&&k=v;f-Rtd=v,f-Flag=N&&`` → Frame (§6.3.2; the CP area may itself hold ``;``)."""
    head, marker, rest = text.partition("CP=&&")
    if not marker or not rest.endswith("&&"):
        raise FrameError(FrameFault.syntax, "缺少 CP=&&…&& 数据区")
    fields: dict[str, str] = {}
    for part in head.split(";"):
        if not part:
            continue
        key, eq, value = part.partition("=")
        if not eq or not key:
            raise FrameError(FrameFault.syntax, f"字段格式不正确：{part[:40]}")
        fields[key] = value
    cp: dict[str, str] = {}
    factors: dict[str, dict[str, str]] = {}
    for group in rest[:-2].split(";"):
        for item in group.split(","):
            item = item.strip()
            if not item:
                continue
            key, eq, value = item.partition("=")
            if not eq or not key:
                raise FrameError(FrameFault.syntax, f"数据项格式不正确：{item[:40]}")
            code, dash, attribute = key.rpartition("-")
            if dash and code:  # a34041-Rtd: factor code and its attribute (Rtd/Avg/Min/Max/Flag …)
                factors.setdefault(code, {})[attribute] = value
            else:
                cp[key] = value
    return Frame(fields=fields, cp=cp, factors=factors)
