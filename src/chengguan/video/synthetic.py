"""Synthetic material for tests and bench/video.py — never for production: a tiny ONNX "detector" built with the
``onnx`` helper API (a dev dependency) and a street video written with ``cv2.VideoWriter``. No weights anywhere.

The model has YOLOv8's output layout ``[1, 4 + 1, N]`` and one class: it reports the fixed box ``STALL_BOX`` with a
score equal to how red that region is (mean R − mean G), so a red stall standing there is "detected" and an empty
grey street is not — enough to drive the worker end to end through onnxruntime, NMS, tracking and the engine.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

SIZE = 64  # the model's input: 64 × 64
STALL_BOX = (0.35, 0.55, 0.65, 0.85)  # x1, y1, x2, y2 in 0–1 image coordinates
ANCHORS = 8


def tiny_model(path: Path, *, size: int = SIZE) -> Path:
    """Write the one-class model to ``path``."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    x1, y1, x2, y2 = (round(v * size) for v in STALL_BOX)
    box = np.array([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], dtype=np.float32)
    init = [
        numpy_helper.from_array(np.array([0, 0, y1, x1], np.int64), "r_start"),
        numpy_helper.from_array(np.array([1, 1, y2, x2], np.int64), "r_end"),
        numpy_helper.from_array(np.array([0, 1, y1, x1], np.int64), "g_start"),
        numpy_helper.from_array(np.array([1, 2, y2, x2], np.int64), "g_end"),
        numpy_helper.from_array(np.array([1, 2, 3], np.int64), "axes_chw"),
        numpy_helper.from_array(np.array([1, 1, ANCHORS], np.int64), "score_shape"),
        numpy_helper.from_array(np.tile(box.reshape(1, 4, 1), (1, 1, ANCHORS)), "boxes"),
    ]
    nodes = [
        helper.make_node("Slice", ["images", "r_start", "r_end"], ["red"]),
        helper.make_node("Slice", ["images", "g_start", "g_end"], ["green"]),
        helper.make_node("ReduceMean", ["red", "axes_chw"], ["red_mean"], keepdims=1),
        helper.make_node("ReduceMean", ["green", "axes_chw"], ["green_mean"], keepdims=1),
        helper.make_node("Sub", ["red_mean", "green_mean"], ["diff"]),
        helper.make_node("Relu", ["diff"], ["score1"]),
        helper.make_node("Reshape", ["score1", "one_shape"], ["score_r"]),
        helper.make_node("Expand", ["score_r", "score_shape"], ["scores"]),
        helper.make_node("Concat", ["boxes", "scores"], ["output0"], axis=1),
    ]
    init.append(numpy_helper.from_array(np.array([1, 1, 1], np.int64), "one_shape"))
    graph = helper.make_graph(
        nodes,
        "tiny_stall_detector",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, size, size])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 5, ANCHORS])],
        init,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    path.write_bytes(model.SerializeToString())
    return path


def street_video(
    path: Path, *, seconds: int = 150, fps: float = 1.0, stall_from: int = 10, size: tuple[int, int] = (320, 240)
) -> Path:
    """A grey street, a walker crossing now and then, and a red stall that appears at ``stall_from`` seconds and
    stays (MJPG in AVI: written and read by every OpenCV build)."""
    w, h = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h))
    rng = np.random.default_rng(7)
    base = np.full((h, w, 3), 120, np.uint8)
    cv2.rectangle(base, (0, int(h * 0.5)), (w, h), (150, 150, 150), -1)  # the pavement
    sx1, sy1, sx2, sy2 = (int(STALL_BOX[0] * w), int(STALL_BOX[1] * h), int(STALL_BOX[2] * w), int(STALL_BOX[3] * h))
    for i in range(int(seconds * fps)):
        frame = base.copy()
        t = i / fps
        if t >= stall_from:
            cv2.rectangle(frame, (sx1, sy1), (sx2, sy2), (30, 30, 220), -1)  # BGR: red
        if int(t) % 30 < 6:  # a walker crosses the top of the picture for 6 s in every 30
            x = int((t % 30) / 6 * w)
            cv2.rectangle(frame, (x, int(h * 0.2)), (x + 12, int(h * 0.4)), (40, 60, 90), -1)
        noise = rng.integers(0, 3, frame.shape, dtype=np.uint8)
        writer.write(cv2.add(frame, noise))
    writer.release()
    return path
