"""Motion gating: OpenCV's MOG2 background subtraction on a small grey copy of the frame (~5 ms where a detector
run costs 100–400 ms), so a quiet street costs almost nothing. Frigate's idea: run the detector only where and when
something moves, and keep stationary objects tracked without re-detecting them until motion returns."""

from __future__ import annotations

import cv2
import numpy as np

WIDTH = 320  # analysis width: enough to see a person at street distance, cheap to subtract


class MotionGate:
    def __init__(self, *, threshold: float = 0.002, history: int = 200) -> None:
        self.threshold = threshold  # share of changed pixels that counts as motion
        self.subtractor = cv2.createBackgroundSubtractorMOG2(history=history, varThreshold=25, detectShadows=False)
        self.kernel = np.ones((3, 3), np.uint8)
        self.frames = 0

    def moved(self, frame: np.ndarray) -> bool:
        """Whether this frame differs from the learnt background (the first frames always count: nothing learnt)."""
        h, w = frame.shape[:2]
        small = cv2.resize(frame, (WIDTH, max(1, h * WIDTH // w)), interpolation=cv2.INTER_AREA)
        grey = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), (5, 5), 0)
        mask = self.subtractor.apply(grey)
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, self.kernel)  # speckle from noise and compression is not motion
        self.frames += 1
        return self.frames <= 2 or cv2.countNonZero(mask) / mask.size >= self.threshold
