"""The accuracy measure itself: it must count what it claims to."""

from pipeline.evaluate import evaluate

TRUTH = [{"form_type": "project", "project_name": "人民调解专项", "title": "t", "year": 2026,
          "indicators": [{"level3": "a", "value": 1}, {"level3": "b", "value": 2}], "empty_categories": []}]


def record(**changes):
    base = {"form_type": "project", "project_name": "人民调解专项", "title": "t", "year": 2026,
            "indicators": [{"level3": "a", "value": 1}, {"level3": "b", "value": 2}], "empty_categories": []}
    base.update(changes)
    return base


def test_perfect_and_one_wrong_value():
    assert evaluate([record()], TRUTH).accuracy == 1.0
    report = evaluate([record(indicators=[{"level3": "a", "value": 1}, {"level3": "b", "value": 3}])], TRUTH)
    assert report.correct == report.total - 1
    assert any("indicators[1].value" in w for w in report.wrong)


def test_misread_name_costs_one_field_not_the_form():
    report = evaluate([record(project_name="民调解专项")], TRUTH)
    assert not report.forms_missing and report.correct == report.total - 1


def test_missing_and_extra_rows_and_forms_count():
    report = evaluate([record(indicators=[{"level3": "a", "value": 1}])], TRUTH)
    assert any("row missing" in w for w in report.wrong)
    report = evaluate([], TRUTH)
    assert report.forms_missing and report.correct < report.total
    report = evaluate([record(), record(project_name="别的项目")], TRUTH)
    assert report.forms_extra == ["project '别的项目'"]


def test_forms_of_one_file_whose_names_were_lost_pair_in_page_order():
    truth = [dict(TRUTH[0], project_name=n) for n in ("甲项目", "乙项目", "丙项目")]
    got = [record(project_name="甲项目", source={"file": "f.pdf", "pages": [1]}),
           record(project_name=None, source={"file": "f.pdf", "pages": [3]}),
           record(project_name=None, source={"file": "f.pdf", "pages": [2]})]
    got[1]["year"] = 2025  # the third form (page 3): scored against 丙项目's truth
    report = evaluate(got, truth)
    assert not report.forms_missing and not report.forms_extra
    assert report.correct == report.total - 3  # two names and one year
    elsewhere = [got[0], dict(got[1], source={"file": "g.pdf", "pages": [1]}), got[2]]
    assert evaluate(elsewhere, truth).forms_missing  # two files: no order to pair by


def test_two_forms_of_one_name_each_pair_with_their_own():
    """A project filed twice in one file: the form whose name was misread is still its own form,
    not the other one's (pairing by name alone scored every field of both as wrong)."""
    first = dict(TRUTH[0], project_name="外贸发展专项", indicators=[{"level3": "a", "value": 1}, {"level3": "b", "value": 2}])
    second = dict(TRUTH[0], project_name="外贸发展专项", indicators=[{"level3": "c", "value": 3}, {"level3": "d", "value": 4}])
    got = [record(project_name="外贸专项", indicators=first["indicators"]),
           record(project_name="外贸发展专项", indicators=second["indicators"])]
    report = evaluate(got, [first, second])
    assert not report.forms_missing and not report.forms_extra
    assert report.correct == report.total - 1  # the misread name only
