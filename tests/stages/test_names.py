"""Known-name candidates: which windows of a reading may be a known name misread."""

from pipeline.stages.names import edit_distance, near_variants

NAMES = ["株洲市渌口区司法局", "渌口区", "渌口", "株洲市"]


def corrected(text: str) -> set[str]:
    return {v[0] for v in near_variants(text, NAMES)}


def test_edit_distance_counts_substitutions_drops_and_additions():
    assert edit_distance("司法局", "司法局") == 0
    assert edit_distance("司法育", "司法局") == 1
    assert edit_distance("司法局】", "司法局") == 1
    assert edit_distance("司局", "司法局") == 1


def test_substituted_character_gives_the_name():
    assert "株洲市渌口区司法局" in corrected("株洲市绿口区司法局")
    assert "渌口镇人民政府" in corrected("录口镇人民政府")


def test_a_fragment_read_after_a_long_name_may_be_dropped():
    assert "填报单位：株洲市渌口区司法局" in corrected("填报单位：株洲市渌口区司法育】")


def test_a_name_already_there_is_not_looked_for_again():
    assert corrected("株洲市渌口区司法局") == set()
    assert corrected("渌口区人民政府") == set()


def test_short_names_allow_no_dropped_or_added_characters():
    # `渌口` one edit from `口区`, `株洲` from `株洲市`: would rewrite ordinary text
    assert not any("渌口" in v for v in corrected("口区政府"))
    assert corrected("株洲") == set()
