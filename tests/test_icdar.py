"""bench/adjacency.py (the ICDAR 2013 measure) on tiny tables, and our extractor on real ICDAR files."""

from collections import Counter
from pathlib import Path

import pytest

from bench import icdar
from bench.adjacency import GridCell, Score, f1, grid_from_rows, matched, normalise, relations

ICDAR = Path(__file__).resolve().parents[2] / "shared" / "external" / "icdar2013"


def _cells(*specs):
    return [GridCell(*spec) for spec in specs]


def test_normalise_drops_all_whitespace_and_case():
    assert normalise(" To  air\nKG/year ") == "toairkg/year"
    assert normalise("ﬁve") == "five"  # NFKC: ligature


def test_each_cell_relates_to_its_right_and_lower_neighbours():
    rels = relations(grid_from_rows([["a", "b"], ["c", "d"]]))
    assert rels == Counter({("h", "a", "b"): 1, ("h", "c", "d"): 1,
                            ("v", "a", "c"): 1, ("v", "b", "d"): 1})


def test_blank_cells_are_skipped_to_the_next_filled_one():
    rels = relations(grid_from_rows([["a", " ", None, "b"], ["", "", "", "c"]]))
    assert rels == Counter({("h", "a", "b"): 1, ("v", "b", "c"): 1})


def test_a_spanning_cell_relates_to_every_neighbour_along_its_span():
    cells = _cells((0, 1, 0, 2, "Head"),                 # over columns 1-2
                   (1, 0, 2, 0, "Side"),                 # down rows 1-2
                   (1, 1, 1, 1, "x"), (1, 2, 1, 2, "y"),
                   (2, 1, 2, 1, "z"), (2, 2, 2, 2, "w"))
    rels = relations(cells)
    assert rels[("v", "head", "x")] == rels[("v", "head", "y")] == 1
    assert rels[("h", "side", "x")] == rels[("h", "side", "z")] == 1
    assert sum(rels.values()) == 8  # + x→y, z→w, x→z, y→w


def test_a_neighbour_reached_from_two_rows_of_a_span_counts_once():
    cells = _cells((0, 0, 1, 0, "tall"), (0, 1, 1, 1, "also tall"))
    assert relations(cells) == Counter({("h", "tall", "alsotall"): 1})


def test_scores_are_multiset_counts():
    truth = Counter({("h", "a", "b"): 2, ("v", "a", "c"): 1})
    found = Counter({("h", "a", "b"): 1, ("v", "a", "x"): 1})
    assert matched(truth, found) == 1
    score = Score(correct=1, found=2, expected=3)
    assert (score.precision, score.recall) == (0.5, pytest.approx(1 / 3))
    assert f1(0.5, 0.5) == 0.5 and f1(0, 0) == 0
    assert Score(expected=3).precision == 0.0  # nothing found


def test_found_tables_are_matched_to_regions_and_unmatched_ones_still_count():
    region = icdar.Region(1, (100, 100, 300, 200), Counter({("h", "a", "b"): 1, ("h", "c", "d"): 1}))
    doc = icdar.GtDoc("x", Path("x.pdf"), [region])
    inside = icdar.Found(1, (90, 110, 310, 190), Counter({("h", "a", "b"): 1}))
    elsewhere = icdar.Found(1, (100, 500, 300, 600), Counter({("h", "c", "d"): 1}))
    other_page = icdar.Found(2, (100, 100, 300, 200), Counter({("h", "c", "d"): 1}))
    score, hit = icdar.score_document(doc, [inside, elsewhere, other_page])
    assert (score.correct, score.found, score.expected, hit) == (1, 3, 2, 1)


def test_overlap_share_is_over_the_smaller_box():
    assert icdar.overlap_share((0, 0, 10, 10), (0, 0, 100, 100)) == 1.0
    assert icdar.overlap_share((0, 0, 10, 10), (5, 0, 15, 10)) == 0.5
    assert icdar.overlap_share((0, 0, 10, 10), (20, 20, 30, 30)) == 0.0


def test_ground_truth_reads_spans_and_pages(tmp_path):
    xml = tmp_path / "t-str.xml"
    xml.write_text(
        '<document><table id="1"><region id="1" page="2">'
        '<cell id="1" start-col="0" start-row="0" end-col="1"><bounding-box x1="10" x2="90" y1="50" y2="60"/>'
        '<content>Head</content></cell>'
        '<cell id="2" start-col="0" start-row="1"><bounding-box x1="10" x2="40" y1="30" y2="40"/>'
        '<content>a</content></cell>'
        '<cell id="3" start-col="1" start-row="1"><bounding-box x1="60" x2="90" y1="30" y2="40"/>'
        '<content>b</content></cell>'
        '</region></table></document>', encoding="utf-8")
    doc = icdar.load_gt(xml)
    (region,) = doc.regions
    assert (doc.name, doc.pages, region.bbox) == ("t", [2], (10, 30, 90, 60))
    assert region.relations == Counter({("v", "head", "a"): 1, ("v", "head", "b"): 1, ("h", "a", "b"): 1})


@pytest.fixture(scope="module")
def icdar_docs():
    if not ICDAR.is_dir():
        pytest.skip(f"../shared is absent ({ICDAR} not found): the ICDAR 2013 test needs the shared folder")
    return {d.name: d for d in icdar.load_set(ICDAR)}


# (document, F1 floor): measured 1.00 and 0.91 with tables.find_unruled at this commit
@pytest.mark.parametrize("name, floor", [("eu-002", 0.95), ("eu-010", 0.85)])
def test_our_extractor_on_icdar_files(icdar_docs, name, floor):
    result = icdar.run_extractor("ours-unruled", [icdar_docs[name]])
    assert not result.errors
    assert f1(result.total.precision, result.total.recall) >= floor
