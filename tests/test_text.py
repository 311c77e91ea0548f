"""Rule: wrapped text joined; widths and punctuation normalised."""

import pytest

from pipeline.text import clean_text, label_key


@pytest.mark.parametrize("raw, clean", [
    ("调处矛盾纠纷成功 率", "调处矛盾纠纷成功率"),          # the seed's own case
    ("度量 单位", "度量单位"),
    ("学生资助政策知晓\n率", "学生资助政策知晓率"),           # a line break instead of a space
    ("校舍维修 改造 面积", "校舍维修改造面积"),              # several wraps in one cell
    ("覆盖 5 所学校", "覆盖5所学校"),                         # digits next to CJK
    ("GDP growth rate", "GDP growth rate"),                   # Latin words keep their spaces
    ("ISO 9001 认证", "ISO 9001认证"),
    ("2025.01-\n2025.12", "2025.01-2025.12"),
    ("  前后 空白  ", "前后空白"),
])
def test_wrapped_text_is_joined(raw, clean):
    assert clean_text(raw) == clean


@pytest.mark.parametrize("raw, clean", [
    ("金额单位: 万元", "金额单位：万元"),
    ("填报单位 (盖章) 某县教育局", "填报单位（盖章）某县教育局"),
    ("通过培训,提升能力;加强管理", "通过培训，提升能力；加强管理"),
    ("指标值说明(指标解释)", "指标值说明（指标解释）"),
    ("1,600", "1,600"),                                      # a thousands separator stays ASCII
    ("8:30", "8:30"),
    ("ＡＢＣ１２３", "ABC123"),                              # full-width letters and digits
    ("９５％", "95%"),
    ("人民调解“以奖代补”案件", "人民调解“以奖代补”案件"),  # curly quotes are already right
    ("(二）统筹做好家庭建设", "（二）统筹做好家庭建设"),    # a pair OCR read in two widths
    ("部门（单位)名称", "部门（单位）名称"),
    ("Level(2）", "Level(2)"),                               # mixed, no Chinese around: half-width
])
def test_punctuation_and_width_are_normalised(raw, clean):
    assert clean_text(raw) == clean


def test_list_number_keeps_its_space():
    assert clean_text("2. 着力优化法律服务供给。") == "2. 着力优化法律服务供给。"


def test_label_key_ignores_wrapping_and_colons():
    assert label_key("年度本级 预算金额：") == label_key("年度本级预算金额")


def test_label_key_takes_brackets_of_either_width_as_one():
    assert label_key("部门（单位)名称") == label_key("部门（单位）名称") == label_key("部门(单位)名称")
