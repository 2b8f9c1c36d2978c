"""The operator's ONNX object detector on the CPU (onnxruntime), YOLO-style output decoded with NMS.

No weights ship with the platform and nothing is downloaded: the operator supplies the model file and says which of
its class indices mean which object class (``class_map``, e.g. ``{0: "person", 2: "car", 9: "stall"}``). Both are
checked when the worker starts, so a malformed file or a map that does not fit the model is refused at once with a
clear message instead of failing on the first frame at 3 a.m.

Supported outputs (one image per run, NCHW float input scaled to 0–1):

* YOLOv8/v11 ``[1, 4 + nc, N]``: cx, cy, w, h in input pixels, then one score per class;
* YOLOv5/v7 ``[1, N, 5 + nc]``: cx, cy, w, h, objectness, then class scores (score = objectness × class score).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np


class ModelError(ValueError):
    """The model file or its class map cannot be used (the message says why, in Chinese, for the operator)."""


@dataclass(frozen=True, slots=True)
class Box:
    """One detection in 0–1 image coordinates."""

    cls: str
    score: float
    x1: float
    y1: float
    x2: float
    y2: float


class Detector:
    """An onnxruntime session (one thread by default: the worker spreads cameras over cores) and its decoding."""

    def __init__(
        self,
        path: Path | str,
        class_map: Mapping[int, str],
        *,
        score_threshold: float = 0.4,
        nms_iou: float = 0.45,
        threads: int = 1,
    ) -> None:
        import onnxruntime as ort

        path = Path(path)
        if not path.is_file():
            raise ModelError(f"模型文件不存在：{path}")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own types for every kind of broken file
            raise ModelError(f"模型文件无法加载（不是有效的 ONNX 模型）：{path.name}：{str(exc)[:200]}") from None
        inputs, outputs = self.session.get_inputs(), self.session.get_outputs()
        if len(inputs) != 1 or len(inputs[0].shape) != 4:
            raise ModelError("模型须只有一个 NCHW 图像输入（形如 [1, 3, 640, 640]）")
        shape = inputs[0].shape
        if shape[1] != 3 or not all(isinstance(d, int) and d > 0 for d in shape[2:]):
            raise ModelError(f"模型输入须为 3 通道、固定尺寸，实为 {shape}")
        self.input_name, self.height, self.width = inputs[0].name, int(shape[2]), int(shape[3])
        out = outputs[0].shape
        if len(out) != 3 or not all(isinstance(d, int) for d in out[1:]):
            raise ModelError(f"模型输出须为 YOLO 形式的三维张量，实为 {out}")
        a, b = int(out[1]), int(out[2])
        # Channels-first (v8) has few rows of many anchors; v5 has many anchors of few values.
        self.v8 = a < b or (a == b and a >= 5)
        self.classes = a - 4 if self.v8 else b - 5
        if self.classes < 1:
            raise ModelError(f"模型输出 {out} 不含类别分数")
        bad = sorted(i for i in class_map if not 0 <= int(i) < self.classes)
        if bad:
            raise ModelError(f"类别映射中的编号 {bad} 超出模型输出的 {self.classes} 个类别（0–{self.classes - 1}）")
        if not class_map:
            raise ModelError("类别映射为空：请在配置中说明模型的类别编号对应的目标类别")
        self.class_map = {int(k): v for k, v in class_map.items()}
        self.score_threshold, self.nms_iou = score_threshold, nms_iou

    def detect(self, frame: np.ndarray) -> list[Box]:
        """Detections of one BGR frame, mapped classes only, after NMS per class."""
        h0, w0 = frame.shape[:2]
        blob = cv2.dnn.blobFromImage(frame, 1 / 255.0, (self.width, self.height), swapRB=True, crop=False)
        raw = self.session.run(None, {self.input_name: blob})[0][0]
        rows = raw.T if self.v8 else raw
        scores_all = _class_scores(rows, self.classes, self.v8)
        cls_idx = scores_all.argmax(axis=1)
        scores = scores_all[np.arange(len(rows)), cls_idx]
        keep = scores >= self.score_threshold
        keep &= np.isin(cls_idx, list(self.class_map))
        if not keep.any():
            return []
        rows, cls_idx, scores = rows[keep], cls_idx[keep], scores[keep]
        cx, cy, w, h = rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3]
        boxes = np.stack([cx - w / 2, cy - h / 2, w, h], axis=1)
        out: list[Box] = []
        for c in np.unique(cls_idx):
            mask = cls_idx == c
            picked = cv2.dnn.NMSBoxes(boxes[mask].tolist(), scores[mask].tolist(), self.score_threshold, self.nms_iou)
            for i in np.array(picked).flatten():
                x, y, bw, bh = boxes[mask][i]
                out.append(Box(
                    self.class_map[int(c)], float(scores[mask][i]),
                    _clip(x / self.width), _clip(y / self.height),
                    _clip((x + bw) / self.width), _clip((y + bh) / self.height),
                ))  # fmt: skip
        del h0, w0  # the model sees the frame stretched to its input; 0–1 coordinates are the same in both
        return out


def _class_scores(rows: np.ndarray, classes: int, v8: bool) -> np.ndarray:
    """v8: the class scores as they are; v5: objectness × class score."""
    if v8:
        return rows[:, 4 : 4 + classes]
    return rows[:, 5 : 5 + classes] * rows[:, 4:5]


def _clip(v: float) -> float:
    return min(1.0, max(0.0, float(v)))
