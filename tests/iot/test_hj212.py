"""HJ 212-2017 codec: the standard's example and a real station's frame verify; wrong CRC or length is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chengguan.iot import factors, hj212
from chengguan.iot.hj212 import FrameError, FrameFault

# The standard's own example (HJ 212-2017 §6.3, 附录 A): length 0101, CRC 1C80.
STANDARD = (
    "##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;"
    "CP=&&RtdInterval=30&&1C80\r\n"
)
# A water-quality station's real-time frame (CN=2011) as published with an open-source HJ 212 parser's example.
STATION = (
    "##0354QN=20230803171130538;ST=31;CN=2011;PW=123456;MN=88888880000001234567;Flag=5;CP=&&DataTime=20230803165500;"
    "w01001-Rtd=0.000,w01001-Flag=N;w21003-Rtd=0.000,w21003-Flag=N;w01018-Rtd=0.000,w01018-Flag=N;"
    "e01002-Rtd=0.000,e01002-Flag=N;w01010-Rtd=0.000,w01010-Flag=N;e01001-Rtd=0.000,e01001-Flag=N;"
    "w01003-Rtd=0.000,w01003-Flag=N;w21011-Rtd=0.000,w21011-Flag=N&&A141\r\n"
)


def test_known_answer_crc():
    segment = STANDARD[6:-6].encode()
    assert len(segment) == 101
    assert hj212.crc16(segment) == 0x1C80


def test_standard_example_parses():
    frame = hj212.decode(STANDARD)
    assert frame.mn == "010000A8900016F000169DC0"
    assert frame.cn == "1062"
    assert frame.fields["QN"] == "20160801085857223"
    assert frame.cp == {"RtdInterval": "30"}


def test_station_frame_parses_with_factors():
    frame = hj212.decode(STATION.encode())
    assert frame.mn == "88888880000001234567"
    assert frame.data_time == datetime(2023, 8, 3, 8, 55, tzinfo=UTC)  # 16:55 in Asia/Shanghai
    assert frame.factors["w01001"] == {"Rtd": "0.000", "Flag": "N"}
    values = factors.values_of(frame, "hj212-2017")
    assert values["ph"] == 0.0 and values["turbidity"] == 0.0
    assert values["e01002"] == 0.0  # an unmapped factor keeps its code


def test_encode_round_trip():
    segment = "QN=20261207100000000;ST=31;CN=2011;PW=123456;MN=OF1;Flag=5;CP=&&DataTime=20261207100000;a34041-Rtd=2.5&&"
    frame = hj212.encode(segment)
    assert frame.startswith(b"##%04d" % len(segment)) and frame.endswith(b"\r\n")
    assert hj212.decode(frame).factors == {"a34041": {"Rtd": "2.5"}}
    assert factors.values_of(hj212.decode(frame), "oil-fume-db11-1488") == {"fume": 2.5}


@pytest.mark.parametrize(
    ("frame", "fault"),
    [
        (STANDARD.replace("1C80", "1C81"), FrameFault.crc),
        (STANDARD.replace("Flag=5", "Flag=6"), FrameFault.crc),  # one byte changed in transit
        (STANDARD.replace("##0101", "##0102"), FrameFault.length),
        (STANDARD.replace("##0101", "##0100"), FrameFault.length),
        (STANDARD.replace("##0101", "##01a1"), FrameFault.length),
        (STANDARD.replace("##", "$$", 1), FrameFault.header),
        (STANDARD[:-10] + "\r\n", FrameFault.length),  # truncated
        (STANDARD.replace("1C80", "ZZZZ"), FrameFault.crc),
        ("", FrameFault.header),
    ],
)
def test_refused(frame, fault):
    with pytest.raises(FrameError) as caught:
        hj212.decode(frame)
    assert caught.value.fault is fault


def test_syntax_refused_even_with_good_crc():
    with pytest.raises(FrameError) as caught:
        hj212.decode(hj212.encode("QN=1;ST=32;CN=2011;MN=X;no-cp-here"))
    assert caught.value.fault is FrameFault.syntax
