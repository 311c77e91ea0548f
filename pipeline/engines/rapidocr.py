"""The default OCR engine: PP-OCRv4 detection + recognition on onnxruntime.

`rapidocr-onnxruntime` ships the ONNX models inside its wheel, so this runs
offline. We call its detector and recogniser separately: the pipeline finds
the lines inside known table cells itself and only needs recognition there,
and recognising ourselves gives the per-frame character probabilities that
confidence and vocabulary-constrained re-reading are computed from.
"""

from __future__ import annotations

import math

import numpy as np

from pipeline.engines.base import Recognition, TextBox

BLANK = 0  # CTC blank index in PP-OCR's character list
REC_HEIGHT = 48  # PP-OCRv4's recogniser input height
MIN_RATIO = 1.0  # narrowest input, as width / height: a single glyph


def _bgr(image: np.ndarray) -> np.ndarray:
    import cv2

    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    return image


def ctc_greedy(probs: np.ndarray, chars: list[str]) -> Recognition:
    """Best path: most likely symbol per frame, repeats collapsed, blanks dropped."""
    best = probs.argmax(axis=1)
    text, confidences = [], []
    previous = -1
    for frame, index in enumerate(best):
        if index != previous and index != BLANK:
            text.append(chars[index])
            confidences.append(float(probs[frame, index]))
        previous = index
    confidence = float(np.mean(confidences)) if confidences else 0.0
    return Recognition(text="".join(text), confidence=confidence)


def ctc_log_likelihood(probs: np.ndarray, labels: list[int]) -> float:
    """log P(labels | frames) by the CTC forward algorithm (all alignments summed)."""
    frames = probs.shape[0]
    extended = [BLANK]
    for label in labels:
        extended += [label, BLANK]
    n = len(extended)
    log_probs = np.log(np.clip(probs[:, extended], 1e-12, 1.0))
    alpha = np.full(n, -np.inf)
    alpha[0] = log_probs[0, 0]
    if n > 1:
        alpha[1] = log_probs[0, 1]
    for t in range(1, frames):
        shifted1 = np.concatenate(([-np.inf], alpha[:-1]))
        shifted2 = np.concatenate(([-np.inf, -np.inf], alpha[:-2]))
        # a skip over a blank is allowed only between two different labels
        allow_skip = np.array([s >= 2 and extended[s] != BLANK and extended[s] != extended[s - 2]
                               for s in range(n)])
        shifted2 = np.where(allow_skip, shifted2, -np.inf)
        alpha = np.logaddexp(np.logaddexp(alpha, shifted1), shifted2) + log_probs[t]
    tail = alpha[-1] if n == 1 else np.logaddexp(alpha[-1], alpha[-2])
    return float(tail)


class RapidOcrEngine:
    name = "rapidocr"

    def __init__(self, threads: int = 0, rec_batch: int = 6):
        from rapidocr_onnxruntime import RapidOCR

        options = {}
        if threads > 0:  # one worker's share of the cores (bulk runs start several workers)
            # global keys: RapidOCR copies the global thread counts over any det_/cls_/rec_ ones
            options = {"intra_op_num_threads": threads, "inter_op_num_threads": 1}
        self._ocr = RapidOCR(**options)
        self._rec = self._ocr.text_rec
        self._chars: list[str] = self._rec.postprocess_op.character
        self._index = {c: i for i, c in enumerate(self._chars)}
        self.rec_batch = rec_batch

    # --- OcrEngine -----------------------------------------------------------
    def detect(self, image: np.ndarray) -> list[TextBox]:
        boxes, _elapsed = self._ocr.text_det(_bgr(image))
        out = []
        for quad in boxes if boxes is not None else []:
            xs, ys = quad[:, 0], quad[:, 1]
            out.append(TextBox((int(xs.min()), int(ys.min()), int(math.ceil(xs.max())), int(math.ceil(ys.max()))), 1.0))
        return out

    def recognize(self, lines: list[np.ndarray]) -> list[Recognition]:
        return [ctc_greedy(p, self._chars) for p in self.probabilities(lines)]

    # --- ConstrainedRecognizer -------------------------------------------------
    def score_candidates(self, line: np.ndarray, candidates: list[str]) -> list[tuple[str, float]]:
        [probs] = self.probabilities([line])
        scored = []
        for text in candidates:
            labels = [self._index.get(ch) for ch in text]
            if not text or None in labels:
                continue
            scored.append((text, math.exp(ctc_log_likelihood(probs, labels))))
        return sorted(scored, key=lambda s: -s[1])

    # --- OrientationClassifier -------------------------------------------------
    def upside_down(self, lines: list[np.ndarray]) -> float:
        if not lines:
            return 0.0
        _imgs, results, _elapsed = self._ocr.text_cls([_bgr(x) for x in lines])
        flipped = sum(1 for label, score in results if label == "180" and score > 0.9)
        return flipped / len(results)

    # --- internals -------------------------------------------------------------
    def probabilities(self, lines: list[np.ndarray]) -> list[np.ndarray]:
        """Per-frame symbol probabilities for each line image.

        Lines are batched in order of width so that a batch pads little:
        recognition time is spent on padding when a short line shares a batch
        with a long one.
        """
        images = [_bgr(x) for x in lines]
        ratios = [x.shape[1] / max(x.shape[0], 1) for x in images]
        order = sorted(range(len(images)), key=lambda i: ratios[i])
        out: list[np.ndarray | None] = [None] * len(images)
        for start in range(0, len(order), self.rec_batch):
            batch = order[start:start + self.rec_batch]
            # PaddleOCR pads every batch to at least 320 px; a lone `%` then costs as much as
            # a phrase. The network is convolutional in width, so pad only to the batch's widest.
            max_ratio = max(MIN_RATIO, max(ratios[i] for i in batch))
            tensor = np.concatenate([self._normalise(images[i], max_ratio)[np.newaxis] for i in batch])
            preds = self._rec.session(tensor.astype(np.float32))[0]
            frames_total = preds.shape[1]
            for row, i in enumerate(batch):
                # drop the frames that only saw padding: they can only add noise
                used = min(1.0, ratios[i] / max_ratio)
                keep = max(1, min(frames_total, int(math.ceil(frames_total * used)) + 1))
                out[i] = preds[row, :keep]
        return out

    @staticmethod
    def _normalise(image: np.ndarray, max_ratio: float) -> np.ndarray:
        """Resize to the recogniser's height, scale to [-1, 1], pad right to the batch width."""
        import cv2

        width = int(math.ceil(REC_HEIGHT * max_ratio))
        h, w = image.shape[:2]
        resized_w = min(width, int(math.ceil(REC_HEIGHT * w / max(h, 1))))
        resized = cv2.resize(image, (resized_w, REC_HEIGHT)).astype(np.float32)
        resized = (resized.transpose((2, 0, 1)) / 255.0 - 0.5) / 0.5
        padded = np.zeros((3, REC_HEIGHT, width), dtype=np.float32)
        padded[:, :, :resized_w] = resized
        return padded
