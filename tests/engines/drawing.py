"""Drawing helpers shared by the image tests."""

import cv2
import numpy as np


def stamp(bgr, centre, radius, thickness=12, colour=(40, 40, 220), alpha=0.85):
    """A seal ring + star, multiplied onto the page as stamp ink is (black under it stays black)."""
    layer = np.full(bgr.shape, 255, np.uint8)
    cv2.circle(layer, centre, radius, colour, thickness, cv2.LINE_AA)
    cx, cy = centre
    pts = [(cx + (radius * 0.35 if i % 2 == 0 else radius * 0.14) * np.cos(np.pi / 2 + i * np.pi / 5),
            cy - (radius * 0.35 if i % 2 == 0 else radius * 0.14) * np.sin(np.pi / 2 + i * np.pi / 5))
           for i in range(10)]
    cv2.fillPoly(layer, [np.array(pts, np.int32)], colour, cv2.LINE_AA)
    lay = 1 - alpha * (1 - layer.astype(np.float32) / 255)
    return np.clip(bgr.astype(np.float32) * lay, 0, 255).astype(np.uint8)
