"""What is written: tables/<NN>-<title>.json|.csv, the CSV merged-cell option, the JSON Schema."""

import csv
import json

import pytest

from pipeline.config import load_settings
from pipeline.errors import NoFormFound
from pipeline.generic.output import csv_value
from pipeline.generic.record import json_schema
from pipeline.stages import forms, generic, write
from tests.conftest import REPO
from tests.generic.helpers import document, line, make_table

XS = [60, 90, 120, 300, 420]
GRID = [["科目编码", None, "科目名称", "金额"],
        ["类", "款", None, None],
        ["201", "05", "统计信息事务", "79,189,400.34"],
        ["合计", None, None, "12.5%"]]
SPANS = {(0, 0): (1, 2), (0, 2): (2, 1), (0, 3): (2, 1), (3, 0): (1, 3)}


def convert(tmp_path, merged="repeat", title="2024年部门/收入:预算表"):
    settings = load_settings(overrides={"out_dir": str(tmp_path), "generic": {"csv_merged": merged}})
    doc = document([line(1, title), line(1, "单位：万元", 80), make_table(1, GRID, XS, top=120, spans=SPANS)])
    doc = forms.run(doc, settings)  # no form here: the table stays unclaimed
    doc = generic.run(doc, settings)
    return write.run(doc, settings)  # the write stage writes the tables with the forms


def read_csv(path):
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_files_written_inside_out_with_a_safe_name(tmp_path):
    doc = convert(tmp_path)
    folder = tmp_path / "putuo-like" / "tables"
    assert sorted(p.name for p in folder.iterdir()) == ["01-2024年部门_收入：预算表.csv", "01-2024年部门_收入：预算表.json"]
    assert all(p.resolve().is_relative_to(tmp_path.resolve()) for p in doc.outputs)


def test_json_record(tmp_path):
    convert(tmp_path)
    record = json.loads(next((tmp_path / "putuo-like" / "tables").glob("*.json")).read_text("utf-8"))
    assert record["title"] == "2024年部门/收入：预算表"  # cleaned like form text and record["unit"] == "万元"
    assert record["columns"] == ["科目编码/类", "科目编码/款", "科目名称", "金额"]
    assert record["column_types"] == ["code", "code", "text", "number"]
    assert record["rows"] == [["201", "05", "统计信息事务", 79189400.34], ["合计", None, None, 0.125]]
    # what typing loses (the thousands separators, the percent sign) is kept beside it
    assert record["printed"] == [["201", "05", "统计信息事务", "79,189,400.34"], ["合计", None, None, "12.5%"]]
    assert {"row": 3, "col": 0, "row_span": 1, "col_span": 3} in record["spans"]
    assert record["parts"] == [{"page": 1, "bbox": [60.0, 120.0, 420.0, 200.0], "rows": [0, 2]}]
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(record, json_schema())


@pytest.mark.parametrize("merged, total", [("repeat", ["合计", "合计", "合计", "0.125"]),
                                           ("blank", ["合计", "", "", "0.125"])])
def test_csv_merged_cells_repeat_or_blank(tmp_path, merged, total):
    convert(tmp_path, merged)
    rows = read_csv(next((tmp_path / "putuo-like" / "tables").glob("*.csv")))
    assert rows[0] == ["科目编码/类", "科目编码/款", "科目名称", "金额"]
    assert rows[1] == ["201", "05", "统计信息事务", "79189400.34"]
    assert rows[2] == total


def test_csv_numbers_are_plain_decimals():
    assert [csv_value(v) for v in (135200.0, 0.0, 79189400.34, 1e-7, None, "05")] == \
        ["135200", "0", "79189400.34", "0.0000001", "", "05"]


def test_a_document_of_plain_tables_is_not_a_failure_but_one_with_nothing_is(tmp_path):
    settings = load_settings(overrides={"out_dir": str(tmp_path)})
    assert forms.run(document([make_table(1, GRID, XS, spans=SPANS)]), settings).forms == []
    with pytest.raises(NoFormFound, match="no ruled table"):
        forms.run(document([line(1, "封面")]), settings)


def test_schema_file_matches_the_model():
    committed = json.loads((REPO / "schema" / "table-record.schema.json").read_text(encoding="utf-8"))
    assert committed == json_schema(), "run `pipeline schema --kind table --output schema/table-record.schema.json`"
