"""Video patrol figures (orders of magnitude on a shared 2-core machine):

(a) worker: frames/s on one core (one onnxruntime thread) through the whole per-frame pipeline — motion gate,
    detector, tracker, JPEG snapshot — with and without motion gating, on a synthetic 640×480 street (a walker now
    and then, a stall that comes and stays). The detector is a stand-in of YOLO-like cost built here with random
    weights (``--model`` takes an operator's real model instead); no weights are downloaded.
(b) the CPU share of 60 cameras at one frame every 10 s, from (a), and projected for a YOLOv8-class detector at the
    360 ms a run measured on this kind of machine (docs: reference/sensing-and-services.md).
(c) the event engine alone: detections/s (pure step over 2 zones), and alarm latency p95 through the service
    (``alarms.process`` on SQLite: the batch that raises the alarm, its signal, 3 snapshots fixed in the ledger).

    .venv/bin/python bench/video.py [--frames 300] [--model path.onnx --classes 0=stall]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import cv2
import numpy as np

from chengguan.calendar.workdays import WorkCalendar
from chengguan.core import clock
from chengguan.video.detector import Detector
from chengguan.video.engine import Detection, Frame, Zone, new_state, step
from chengguan.video.motion import MotionGate
from chengguan.video.synthetic import street_video
from chengguan.video.tracker import IouTracker

YOLO_RUN_S = 0.360  # a YOLOv8-class detector at 640 on one thread here (reference/sensing-and-services.md)


def machine() -> str:
    best = float("inf")
    for _ in range(3):
        t, total = time.perf_counter(), 0
        for i in range(10_000_000):
            total += i
        best = min(best, time.perf_counter() - t)
    import platform

    return f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, plain loop of 10,000,000 additions {best:.2f} s"  # noqa: E501


def standin_model(path: Path, size: int = 640) -> Path:
    """A conv stack of roughly a small detector's cost at ``size``, YOLOv8 output layout, random weights."""
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(1)
    nodes, init, prev, ch = [], [], "images", 3
    for i, out in enumerate((16, 32, 64, 128, 128)):
        w = numpy_helper.from_array((rng.standard_normal((out, ch, 3, 3)) * 0.1).astype(np.float32), f"w{i}")
        init.append(w)
        nodes += [helper.make_node("Conv", [prev, f"w{i}"], [f"c{i}"], strides=[2, 2], pads=[1, 1, 1, 1]),
                  helper.make_node("Relu", [f"c{i}"], [f"r{i}"])]  # fmt: skip
        for j in range(2):  # two more 3×3 convs per stage at the same resolution
            wj = numpy_helper.from_array((rng.standard_normal((out, out, 3, 3)) * 0.05).astype(np.float32), f"w{i}_{j}")
            init.append(wj)
            nodes += [helper.make_node("Conv", [f"r{i}" if j == 0 else f"r{i}_{j - 1}", f"w{i}_{j}"], [f"c{i}_{j}"],
                                       pads=[1, 1, 1, 1]),
                      helper.make_node("Relu", [f"c{i}_{j}"], [f"r{i}_{j}"])]  # fmt: skip
        prev, ch = f"r{i}_1", out
    init.append(numpy_helper.from_array((rng.standard_normal((5, ch, 1, 1)) * 0.01).astype(np.float32), "head"))
    cells = (size // 32) ** 2
    init.append(numpy_helper.from_array(np.array([1, 5, cells], np.int64), "shape"))
    nodes += [helper.make_node("Conv", [prev, "head"], ["h"]), helper.make_node("Reshape", ["h", "shape"], ["output0"])]
    image_in = helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, size, size])
    head_out = helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 5, cells])
    graph = helper.make_graph(nodes, "standin", [image_in], [head_out], init)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 8
    path.write_bytes(model.SerializeToString())
    return path


def pipeline(video: Path, detector: Detector, gating: bool, frames: int) -> tuple[float, int, int, float]:
    """Frames/s of the per-frame pipeline, frames, detector runs, mean detector ms."""
    gate, tracker = MotionGate(), IouTracker()
    cap = cv2.VideoCapture(str(video))
    decoded = []
    while len(decoded) < frames:
        ok, f = cap.read()
        if not ok:
            break
        decoded.append(f)
    runs, det_s, last = 0, 0.0, -1e9
    t0 = time.process_time()
    for i, frame in enumerate(decoded):
        if not gating or gate.moved(frame) or i - last >= 60:
            t = time.perf_counter()
            tracker.update(detector.detect(frame))
            det_s += time.perf_counter() - t
            runs, last = runs + 1, i
        else:
            tracker.current()
        cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 80])
    cpu = time.process_time() - t0
    return len(decoded) / cpu, len(decoded), runs, 1000 * det_s / max(1, runs)


def engine_rate(n_frames: int = 20_000, objects: int = 8) -> float:
    stall = frozenset({"stall"})
    zones = [Zone("a", "人行道", "09006", [(0.0, 0.5), (1.0, 0.5), (1.0, 1.0), (0.0, 1.0)], stall, 300),
             Zone("b", "店门外", "09005", [(0.0, 0.3), (1.0, 0.3), (1.0, 0.5), (0.0, 0.5)], stall, 600)]  # fmt: skip
    cal, state = WorkCalendar(), new_state()
    rng = np.random.default_rng(3)
    start = clock.now() - timedelta(days=1)
    frames = []
    for i in range(n_frames):
        objs = [Detection(str(k), "stall", (x := float(rng.uniform(0, 0.8)), y := float(rng.uniform(0.2, 0.8)),
                                            x + 0.1, y + 0.15)) for k in range(objects)]  # fmt: skip
        frames.append(Frame(start + timedelta(seconds=i), objs))
    t = time.perf_counter()
    for f in frames:
        step(zones, state, f, cal)
    return n_frames * objects / (time.perf_counter() - t)


def service_latency(work: Path, alarms_wanted: int = 20) -> list[float]:
    """Seconds per ``alarms.process`` call that raised an alarm, on a migrated SQLite database."""
    from chengguan.core.config import Settings
    from chengguan.core.db import Database
    from chengguan.core.migrate import upgrade
    from chengguan.core.principals import SYSTEM
    from chengguan.org.enums import DeviceKind, OrgLevel
    from chengguan.org.models import Device, OrgUnit
    from chengguan.video import alarms
    from chengguan.video.models import CameraReview, VideoZone

    url = f"sqlite:///{work / 'video.db'}"
    upgrade(url)
    settings = Settings(env="test", database_url=url, data_dir=work / "data", secret_key="bench-" + "x" * 40)
    db = Database(url)
    now = clock.now()
    with db.session() as s, s.begin():
        unit = OrgUnit(name="示范局", level=OrgLevel.city, division_code="370200", created_at=now, updated_at=now)
        s.add(unit)
        s.flush()
        today = clock.local_date(now)
        for k in range(alarms_wanted):
            d = Device(kind=DeviceKind.camera, code=f"CAM-B-{k:03d}", name=f"测试探头{k}", unit_id=unit.id,
                       lng=120.38 + k * 0.01, lat=36.07, created_at=now, updated_at=now)  # fmt: skip
            s.add(d)
            s.flush()
            s.add(CameraReview(device_id=d.id, legal_passed=True, technical_passed=True, calibrated_on=today,
                               site="测试地点", published_on=today, created_at=now, updated_at=now))  # fmt: skip
            s.add(VideoZone(id=uuid.uuid4(), device_id=d.id, name="人行道", category_code="09006",
                            polygon=[[0, 0.5], [1, 0.5], [1, 1], [0, 1]], classes=["stall"], min_dwell_s=60,
                            cooldown_s=1800, schedule=None, sort_order=0, created_at=now, updated_at=now))  # fmt: skip
    jpeg = cv2.imencode(".jpg", np.full((480, 640, 3), 128, np.uint8))[1].tobytes()
    out = []
    start = now - timedelta(minutes=30)
    for k in range(alarms_wanted):
        frames = [alarms.FrameData(start + timedelta(seconds=10 * i), [Detection("1", "stall", (0.4, 0.6, 0.6, 0.8))],
                                   jpeg + bytes([k, i])) for i in range(8)]  # fmt: skip
        with db.session() as s, s.begin():
            device = alarms.camera_by_code(s, f"CAM-B-{k:03d}")
            alarms.process(s, settings, device, frames[:6], SYSTEM)  # 50 s: no alarm yet
        t = time.perf_counter()
        with db.session() as s, s.begin():
            device = alarms.camera_by_code(s, f"CAM-B-{k:03d}")
            raised = alarms.process(s, settings, device, frames[6:], SYSTEM)
        out.append(time.perf_counter() - t)
        assert len(raised) == 1
    db.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--model", type=Path)
    parser.add_argument("--classes", default="0=stall")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        video = street_video(work / "street.avi", seconds=args.frames // 2, fps=2, size=(640, 480))
        model = args.model or standin_model(work / "standin.onnx")
        classes = {int(k): v for k, v in (p.split("=") for p in args.classes.split(","))}
        detector = Detector(model, classes, threads=1)
        full, n, runs_full, det_ms = pipeline(video, detector, gating=False, frames=args.frames)
        gated, _, runs_gated, _ = pipeline(video, detector, gating=True, frames=args.frames)
        print(f"(a) worker, one core: {full:.1f} frames/s without motion gating ({runs_full} detector runs of {n} "
              f"frames, {det_ms:.0f} ms wall a run on this shared machine), {gated:.1f} frames/s with it "
              f"({runs_gated} runs); frames/s by CPU time")  # fmt: skip
        rate = 60 / 10  # frames/s for 60 cameras at one frame every 10 s
        cores = os.cpu_count() or 1
        share_g, share_f = rate / gated / cores, rate / full / cores
        skip = 1 - runs_gated / n
        yolo_g = rate * ((1 - skip) * YOLO_RUN_S + 1 / gated) / cores
        yolo_f = rate * (YOLO_RUN_S + 1 / full) / cores
        print(f"(b) 60 cameras at 1 frame/10 s = {rate:.0f} frames/s: CPU share of {cores} cores {share_g:.1%} gated, "
              f"{share_f:.1%} ungated; with a YOLOv8-class detector (360 ms a run) {yolo_g:.0%} gated "
              f"({skip:.0%} of frames skipped), {yolo_f:.0%} ungated")  # fmt: skip
        eng = engine_rate()
        lat = service_latency(work)
        p95 = statistics.quantiles(lat, n=20)[-1] * 1000
        print(f"(c) event engine: {eng:,.0f} detections/s (pure, 2 zones); alarm latency through the service on "
              f"SQLite p95 {p95:.0f} ms, median {statistics.median(lat) * 1000:.0f} ms "
              f"({len(lat)} alarms)")  # fmt: skip
        print(f"machine-line video worker_fps_gated={gated:.1f} worker_fps_ungated={full:.1f} "
              f"cpu_share_60cams={share_g:.4f} cpu_share_60cams_yolo={yolo_g:.3f} engine_dps={eng:.0f} "
              f"alarm_p95_ms={p95:.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
