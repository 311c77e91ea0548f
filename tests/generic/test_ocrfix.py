"""OCR readings of amounts rebuilt in the one shape an amount has; digits never changed."""

import pytest

from pipeline.generic.grid import GridCell
from pipeline.generic.ocrfix import repair_amount, repair_readings, repair_zero


@pytest.mark.parametrize("reading, amount", [
    ("86.959.408.34", "86,959,408.34"),   # commas read as dots
    ("4;765,000.00", "4,765,000.00"),     # a comma read as a semicolon
    ("2278800:00", "2278800.00"),         # the decimal point read as a colon
    ("16,671,057:00", "16,671,057.00"),
    ("2.961.68", "2,961.68"),
    ("17,841,0.03", "17,841,003"),        # a speck read as a dot inside a group
    ("4,827,.156", "4,827,156"),
    ("250,00.0", "250,000"),
    ("[200,000", "200,000"),              # the cell's rule read as a bracket
    ("[05", "05"),
    ("０", "0"),
])
def test_damaged_amounts_are_rebuilt(reading, amount):
    assert repair_amount(reading) == amount


@pytest.mark.parametrize("reading", ["79,189,400.34", "0.00", "0.125", "2278800.00", "一般公共服务支出",
                                     "2024年", "3．国有资本经营预算", ""])
def test_good_readings_and_text_are_left_alone(reading):
    assert repair_amount(reading) is None


def test_lone_zero_look_alikes_only_in_a_column_of_numbers():
    assert [repair_zero(t) for t in ("o", "o.", "Q", "○", "O", "Lo", "0", "项目")] == \
        ["0", "0", "0", "0", "0", None, None, None]
    numbers = [GridCell(row=r, col=0, row_span=1, col_span=1, text=t, source="ocr")
               for r, t in enumerate(["金额", "1,000", "o", "2,000"])]
    words = [GridCell(row=r, col=1, row_span=1, col_span=1, text=t, source="ocr")
             for r, t in enumerate(["等级", "A", "O", "B"])]
    digital = [GridCell(row=r, col=2, row_span=1, col_span=1, text=t) for r, t in enumerate(["x", "1", "o"])]
    repair_readings(numbers + words + digital, header_rows=1, n_cols=3)
    assert [c.text for c in numbers] == ["金额", "1,000", "0", "2,000"]
    assert [c.text for c in words] == ["等级", "A", "O", "B"]
    assert digital[2].text == "o"  # the text layer is the document's own text
