"""The default OCR engine: CTC decoding and scoring (unit), and the real PP-OCR models."""

import math

import numpy as np
import pytest

from pipeline.engines.base import ConstrainedRecognizer, OcrEngine, Recognition
from pipeline.engines.rapidocr import ctc_greedy, ctc_log_likelihood

CHARS = ["blank", "≥", "V", "="]


def frames(*rows):
    return np.array(rows, dtype=np.float64)


def test_greedy_collapses_repeats_and_drops_blanks():
    probs = frames([0.1, 0.8, 0.1, 0.0], [0.1, 0.7, 0.2, 0.0], [0.9, 0.05, 0.05, 0.0], [0.1, 0.0, 0.1, 0.8])
    result = ctc_greedy(probs, CHARS)
    assert result.text == "≥="
    assert result.confidence == pytest.approx((0.8 + 0.8) / 2)


def test_ctc_likelihood_sums_every_alignment():
    # two frames, one label: paths "ab", "a-", "-a" → p(a)p(a) + p(a)p(-) + p(-)p(a)
    probs = frames([0.3, 0.6, 0.1, 0.0], [0.5, 0.4, 0.1, 0.0])
    expected = 0.6 * 0.4 + 0.6 * 0.5 + 0.3 * 0.4
    assert math.exp(ctc_log_likelihood(probs, [1])) == pytest.approx(expected)
    # a repeated label needs a blank between: impossible in two frames
    assert math.exp(ctc_log_likelihood(probs, [1, 1])) == pytest.approx(0.0, abs=1e-9)


@pytest.fixture(scope="module")
def engine():
    pytest.importorskip("rapidocr")
    from pipeline.engines.registry import ocr_engine

    return ocr_engine("rapidocr")


def _rendered_line(text: str):
    """A line of text rendered by PDFium from a PDF typeset here (an embedded Debian CJK font)."""
    import io

    import pypdfium2 as pdfium
    from reportlab.pdfgen import canvas

    from tests.fonts import register

    font = register("SungtiGB")
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(300, 40))
    c.setFont(font, 14)
    c.drawString(10, 14, text)
    c.save()
    bitmap = pdfium.PdfDocument(buf.getvalue())[0].render(scale=200 / 72).to_numpy()
    return np.ascontiguousarray(bitmap[:, :, :3])


def test_real_engine_reads_a_line_and_scores_its_vocabulary(engine):
    assert isinstance(engine, OcrEngine) and isinstance(engine, ConstrainedRecognizer)
    line = _rendered_line("人民群众满意度95%")
    [reading] = engine.recognize([line])
    assert reading.text == "人民群众满意度95%" and reading.confidence > 0.9
    scored = engine.score_candidates(line, ["人民群众满意度95%", "人民群众满意度96%"])
    assert scored[0][0] == "人民群众满意度95%" and scored[0][1] > 10 * scored[1][1]


def test_real_engine_detects_lines(engine):
    boxes = engine.detect(_rendered_line("年初预算金额"))
    assert len(boxes) == 1


def test_a_bulk_workers_thread_share_reaches_the_onnxruntime_sessions():
    pytest.importorskip("rapidocr")
    from pipeline.engines.rapidocr import RapidOcrEngine

    engine = RapidOcrEngine(threads=1)
    sessions = [engine._first.session, engine._classifier()]
    assert [s.get_session_options().intra_op_num_threads for s in sessions] == [1, 1]


def test_the_tiny_model_reads_and_a_doubtful_line_gets_the_second_opinion(monkeypatch):
    """ppocrv6-tiny ships in pipeline/models/ with its character list beside it; with
    second_model, a line it reads under second_below is read again and the surer reading kept."""
    pytest.importorskip("rapidocr")
    from pipeline.engines import rapidocr

    tiny = rapidocr.RapidOcrEngine(model="ppocrv6-tiny", second_model=None)
    line = _rendered_line("人民群众满意度95%")
    [reading] = tiny.recognize([line])
    assert reading.text == "人民群众满意度95%" and reading.confidence > 0.9
    both = rapidocr.RapidOcrEngine(model="ppocrv6-tiny", second_model="ppocrv6-small", second_below=1.0)
    asked = []
    real = rapidocr.Recogniser.read
    monkeypatch.setattr(rapidocr.Recogniser, "read", lambda self, lines: asked.append(len(self.chars)) or real(self, lines))
    [again] = both.recognize([line])
    assert asked == [len(tiny._first.chars), len(both._second.chars)]  # every line doubtful at 1.0: both read it
    assert again.text == "人民群众满意度95%"
    scored = both.score_candidates(line, ["人民群众满意度95%", "人民群众满意度96%"])  # by the second model
    assert scored[0][0] == "人民群众满意度95%"
    # the stronger model scores candidates, whichever reads first (tiny scoring behind small
    # cost held-out accuracy)
    assert both._scorer is both._second
    small_first = rapidocr.RapidOcrEngine(model="ppocrv6-small", second_model="ppocrv6-tiny")
    assert small_first._scorer is small_first._first
    assert again.alternatives == []  # they agree
    monkeypatch.setattr(rapidocr.Recogniser, "read", lambda self, lines: [  # they disagree: both readings kept
        Recognition("≥95%", 0.6, weakest=0.3) if self is both._first else Recognition(">95%", 0.8) for _ in lines])
    [disputed] = both.recognize([line])
    assert (disputed.text, disputed.alternatives) == (">95%", [("≥95%", 0.6)])
    # a one-glyph line always gets the second opinion, and the stronger model's reading stands
    # even when the weaker is surer (tiny read the placeholder `/` as a sure `Z`)
    monkeypatch.setattr(rapidocr.Recogniser, "read", lambda self, lines: [
        Recognition("Z", 0.99, weakest=0.99) if self is both._first else Recognition("/", 0.7, weakest=0.7)
        for _ in lines])
    [slash] = both.recognize([line])
    assert (slash.text, slash.alternatives) == ("/", [("Z", 0.99)])
    with pytest.raises(Exception, match="second_below"):
        rapidocr.RapidOcrEngine(second_below=1.5)


def test_lines_are_batched_by_count_and_by_padded_width():
    """Narrowest first, at most `batch` lines and `batch_width` px of padded input a batch: a wide
    line goes alone (six 1,600-px lines at once doubled the process's peak memory)."""
    from pipeline.engines import rapidocr

    groups = rapidocr.Recogniser._groups
    fake = type("R", (), {"batch": 3, "batch_width": 600})()
    ratios = [1.0, 1.0, 1.0, 1.0, 5.0, 5.0, 20.0]  # 48 px high: 48, …, 240, 240, 960 px wide
    assert list(groups(fake, list(range(7)), ratios)) == [[0, 1, 2], [3, 4], [5], [6]]
    assert list(groups(fake, [], [])) == []
    with pytest.raises(Exception, match="rec_batch_width"):
        rapidocr.RapidOcrEngine(rec_batch_width=0)
