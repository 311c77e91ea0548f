"""Text inputs in any encoding a Chinese archive holds (pipeline/encodings.py): UTF-8 with or without
its mark, UTF-16 (Excel's "Unicode Text"), GBK/GB18030, Big5; what no encoding reads cleanly is
refused by name, never read as garbage."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.encodings import decode_text
from pipeline.errors import CorruptInput

TEXT = ("2026年项目支出绩效目标表\n项目名称\t法律援助专项\n年度预算金额\t10\n实施单位\t株洲市渌口区司法局\n"
        "绩效指标\t一级指标\t二级指标\t三级指标\t指标值\n产出指标\t数量指标\t援助案件数\t≥300件\n")
TRADITIONAL = ("2026年項目支出績效目標表\n項目名稱\t法律援助專項\n年度預算金額\t10\n實施單位\t司法局\n"
               "績效指標\t一級指標\t二級指標\t三級指標\t指標值\n產出指標\t數量指標\t援助案件數\t300件\n")


@pytest.mark.parametrize("raw", [
    TEXT.encode("utf-8"), TEXT.encode("utf-8-sig"), TEXT.encode("utf-16"), TEXT.encode("utf-16-le"),
    TEXT.encode("gb18030"), TEXT.replace("≥", "").encode("gbk"), TEXT.encode("utf-32"),
], ids=["utf8", "utf8-bom", "utf16-bom", "utf16le-no-bom", "gb18030", "gbk", "utf32"])
def test_each_encoding_reads_back(raw):
    assert decode_text(raw, Path("a.txt")).replace("≥", "") == TEXT.replace("≥", "")


def test_big5_is_read_as_big5_not_as_gb18030_garbage():
    raw = TRADITIONAL.encode("big5")
    raw.decode("gb18030")  # what the old rule did: it "decodes", as garbage
    assert decode_text(raw, Path("a.txt")) == TRADITIONAL


def test_a_declared_charset_is_taken_and_gb2312_read_as_its_superset():
    raw = TEXT.replace("≥", "").encode("gbk")
    assert decode_text(raw, Path("a.html"), declared="GB2312") == TEXT.replace("≥", "")


def test_bytes_no_encoding_reads_cleanly_are_refused_by_name():
    import random

    rng = random.Random(7)
    noise = bytes(rng.randrange(128, 256) for _ in range(4000))
    with pytest.raises(CorruptInput, match="a.txt: cannot tell the text's encoding"):
        decode_text(noise, Path("a.txt"))
    # pairs GB18030 does decode, into rare characters: not taken as Chinese either
    pairs = b"".join(bytes([rng.randrange(0x81, 0xFF), rng.randrange(0x80, 0xFF)]) for _ in range(2000))
    pairs.decode("gb18030")
    with pytest.raises(CorruptInput, match="a.txt: cannot tell the text's encoding"):
        decode_text(pairs, Path("a.txt"))


def test_a_dump_in_utf16_converts_end_to_end(tmp_path):
    from pipeline.stages.ingest import read_dump_text

    path = tmp_path / "unicode.txt"
    path.write_bytes(TEXT.encode("utf-16"))
    assert read_dump_text(path) == TEXT


def test_a_gbk_dump_full_of_the_signs_forms_print_is_still_chinese():
    text = "绿化面积\t①≥1200㎡\t温度±2°C\t剂量5μg\t第Ⅱ期·续\n" * 30
    assert decode_text(text.encode("gb18030"), Path("a.txt")) == text
