"""Calibrated field confidence (pipeline/confidence.py) and its fitting (scripts/calibrate_confidence.py)."""

import numpy as np
import pytest

from pipeline import confidence as C
from pipeline.model import Cell, RawForm, TextLine
from scripts.calibrate_confidence import choose_threshold, fit, probabilities, summary


def _form(record, evidence=None, review=()):
    form = RawForm(form_type="project", template="project", title="t", pages=[1], record=record)
    form.evidence = evidence or {}
    for kind, field in review:
        form.note(kind, field, "because")
    return form


def test_record_paths_name_fields_as_review_items_do():
    record = {"schema_version": "1", "title": "x", "budget": {"total": 1.0},
              "indicators": [{"level1": "产出指标", "value": 95}], "review": [], "source": {}}
    assert dict(C.record_paths(record)) == {"title": "x", "budget.total": 1.0,
                                            "indicators[0].level1": "产出指标", "indicators[0].value": 95}


def test_a_target_cells_evidence_reaches_every_field_it_filled(settings):
    from pipeline.repair.lexicon import Lexicon
    from pipeline.spec import Column
    from pipeline.stages.normalize import typed_row

    weak = C.evidence_of(Cell(row=0, col=0, text="≥95%", source="ocr", confidence=0.6, page=1, bbox=(100, 10, 150, 30)))
    strong = C.evidence_of(Cell(row=0, col=1, text="满意度", source="ocr", confidence=0.99, page=1,
                                bbox=(10, 10, 90, 30)))
    form = _form({}, {"indicators[0].value": weak, "indicators[0].level3": strong})
    columns = [Column(field="level3", labels=["三级指标"]), Column(field="unit", labels=["单位"], type="unit"),
               Column(field="value", labels=["指标值"], type="combined_target",
                      into={"comparator": "comparator", "value": "value", "unit": "unit"})]
    out = typed_row(columns, {"level3": "满意度", "value": "≥95%"}, Lexicon(settings.vocabulary), form, "indicators[0]")
    assert (out["comparator"], out["value"], out["unit"]) == ("≥", 95, "%")
    assert C.field_evidence(form, "indicators[0].comparator") is weak  # read from the target cell
    assert C.field_evidence(form, "indicators[0].unit") is weak  # its blank unit column took the cell's
    assert C.field_evidence(form, "indicators[0].level3") is strong
    assert C.field_evidence(form, "indicators[0].note") is None  # a blank cell: never a neighbour's
    assert C.field_place(form, "indicators[0].note") == {"page": 1, "bbox": (10, 10, 150, 30)}  # ...but its row
    assert C.field_evidence(form, "title") is None


def test_features_separate_ocr_from_text_layers_and_count_seals_and_flags():
    ocr = C.evidence_of(Cell(row=0, col=0, text="95", source="ocr", confidence=0.7, sealed=True,
                             alternatives=[("96", 0.2)]))
    pdf = C.evidence_of(TextLine(page=1, text="95"))
    f_ocr = dict(zip(C.FEATURES, C.features(95, ocr, {"uncertain"})))
    f_pdf = dict(zip(C.FEATURES, C.features(95, pdf, set())))
    assert f_ocr["ocr"] == 1 and f_ocr["sealed"] == 1 and f_ocr["flagged"] == 1 and f_ocr["alternatives"] == 1
    assert f_ocr["ocr_short"] == 1 and f_ocr["alt_margin"] == pytest.approx(np.log(0.7 / 0.2))
    assert f_pdf["ocr"] == 0 and f_pdf["ocr_logit"] == 0 and f_pdf["flagged"] == 0


def test_a_field_under_the_threshold_is_flagged_once_with_its_alternatives():
    weights = [0.0] * len(C.FEATURES)
    weights[C.FEATURES.index("bias")] = 5.0
    weights[C.FEATURES.index("ocr_logit")] = 1.0
    weights[C.FEATURES.index("ocr")] = -6.0
    model = C.Calibration(weights=weights, threshold=0.9)
    cell = Cell(row=0, col=0, text="795", source="ocr", confidence=0.5, page=1, bbox=(1, 2, 3, 4),
                alternatives=[("95", 0.3)])
    form = _form({"budget_amount": 795.0, "title": "t"},
                 {"budget_amount": C.evidence_of(cell), "title": C.evidence_of(TextLine(page=1, text="t"))})
    scores = C.score_form(form, model)
    assert scores["budget_amount"] < 0.9 <= scores["title"]
    [item] = [r for r in form.review if r.field == "budget_amount"]
    assert item.kind == "uncertain" and item.alternatives == [("95", 0.3)] and item.bbox == (1, 2, 3, 4)
    # already flagged by a rule: not flagged twice
    form2 = _form({"budget_amount": 795.0}, {"budget_amount": C.evidence_of(cell)}, [("warning", "budget_amount")])
    C.score_form(form2, model)
    assert [r.kind for r in form2.review] == ["warning"]


def test_the_fit_recovers_a_known_logistic_model_and_the_threshold_bounds_the_error_above_it():
    rng = np.random.default_rng(0)
    n = 20000
    x = np.column_stack([np.ones(n), rng.normal(size=n), rng.integers(0, 2, n)])
    true_w = np.array([6.0, 1.5, -3.0])
    y = (rng.random(n) < 1 / (1 + np.exp(-(x @ true_w)))).astype(float)
    w = fit(x, y, l2=0.0)
    assert np.allclose(w, true_w, atol=0.25)
    p = probabilities(x, w)
    t = choose_threshold(p, y, 0.002)
    above = p >= t
    assert (1 - y[above]).mean() <= 0.002 and above.mean() > 0.3
    s = summary(p, y, t)
    assert s["wrong_above_threshold"] <= 0.002 and abs(s["flagged_share"] - (1 - above.mean())) < 1e-3


def test_the_shipped_calibration_loads_and_names_every_feature():
    model = C.Calibration.load()
    assert len(model.weights) == len(C.FEATURES) and 0 < model.threshold < 1


def test_a_text_layers_fields_take_the_measured_digital_accuracy_not_the_scanned_model():
    model = C.Calibration(weights=[-10.0] * len(C.FEATURES), threshold=0.9, text_layer=0.99998)
    form = _form({"title": "t", "note": None}, {"title": C.evidence_of(TextLine(page=1, text="t"))})
    scores = C.score_form(form, model, pages={1: {"scanned": False}})
    assert scores == {"title": 0.99998, "note": 0.99998} and not form.review
    # the same empty field on a scanned page is the model's (and here flagged)
    form = _form({"note": None})
    scores = C.score_form(form, model, pages={1: {"scanned": True}})
    assert scores["note"] < 0.9 and [r.field for r in form.review] == ["note"]


def test_page_evidence_names_black_and_white_images_and_blank_notes():
    import numpy as np

    from pipeline.model import Page
    from pipeline.stages.scan import _is_bilevel

    fax = np.where(np.random.default_rng(0).random((200, 300)) < 0.1, 0, 255).astype(np.uint8)
    grey = np.clip(fax.astype(int) + np.random.default_rng(1).normal(0, 60, fax.shape), 0, 255).astype(np.uint8)
    assert _is_bilevel(fax) and _is_bilevel(np.dstack([fax] * 3)) and not _is_bilevel(grey)
    quality = C.page_quality(Page(number=1, scanned=True, dpi=200.0, bilevel=True))
    assert quality["bilevel"]
    ocr = C.evidence_of(Cell(row=0, col=0, text="95", source="ocr", confidence=0.9))
    f = dict(zip(C.FEATURES, C.features(95, ocr, set(), quality, form_flags=3, path="indicators[0].value")))
    assert f["bilevel"] == f["is_target"] == 1.0 and f["form_flags"] == pytest.approx(np.log(4))
    assert f["empty_target"] == f["empty_note"] == 0.0
    clean = C.page_quality(Page(number=1, scanned=True, dpi=200.0))
    blank = dict(zip(C.FEATURES, C.features(None, None, set(), clean, path="indicators[0].note")))
    assert blank["bilevel"] == blank["form_flags"] == 0.0 and blank["empty_note"] == blank["scanned_empty"] == 1.0
    digital = dict(zip(C.FEATURES, C.features(None, None, set(), {}, path="indicators[0].note")))
    assert digital["empty_note"] == digital["is_note"] == 0.0  # a text layer's fields are not modelled


def test_a_fields_kind_comes_from_its_path():
    kinds = lambda path: [k for k, on in zip([*C.FIELD_KINDS, "is_head"], C.field_kind(path)) if on]
    assert kinds("indicators[3].level1") == ["is_label"] and kinds("indicators[0].level3") == ["is_name"]
    assert kinds("indicators[2].unit") == ["is_target"] and kinds("indicators[2].note") == ["is_note"]
    assert kinds("reporting_unit") == ["is_head"] and kinds("budget.total") == []


def test_the_recogniser_score_is_weighed_per_kind_of_field():
    """A reading's score enters once overall and once for its field's kind (a weak character means
    more in a one-glyph unit than in a long note)."""
    evidence = C.evidence_of(Cell(row=0, col=0, text="万人次", source="ocr", confidence=0.7, weakest=0.4))
    f = dict(zip(C.FEATURES, C.features("万人次", evidence, set(), {"scanned": True}, 0, "indicators[0].unit")))
    assert f["ocr_logit_target"] == f["ocr_logit"] != 0 and f["weak_logit_target"] == f["weak_logit"] != 0
    assert f["ocr_logit_note"] == f["weak_logit_head"] == 0.0
    text_layer = dict(zip(C.FEATURES, C.features("万人次", C.evidence_of(TextLine(page=1, text="万人次")), set(),
                                                 {"scanned": False}, 0, "indicators[0].unit")))
    assert all(v == 0.0 for k, v in text_layer.items() if k.startswith(("ocr_logit_", "weak_logit_")))
