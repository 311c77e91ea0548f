"""Word (.docx) originals: the body's paragraphs and tables, in the order they stand.

python-docx lists a document's paragraphs and its tables separately, which
loses where a table stands among the lines around it (the title above, the
signer below); so the body XML is walked child by child instead.

Merged cells are read from the table XML itself: `w:gridSpan` is how many
grid columns a cell covers, and `w:vMerge` marks a cell that starts
(`restart`) or continues (no value, or `continue`) a vertical merge. A
merged cell is given once, at its top-left slot, and the slots it covers are
absent, as the PDF reader gives them. A cell's paragraphs are joined with
line breaks: text cleaning (repair/text.py) treats a break like the wrap of
a PDF cell, joining Chinese text without a space. A table nested in a cell
adds its text to that cell.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.carriers.grid import Placed, make_table
from pipeline.carriers.package import check_package, one_line
from pipeline.errors import CorruptInput
from pipeline.model import Page, TextLine

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read(path: Path, max_bytes: int) -> list[Page]:
    """The document as one Page (Word has no fixed pages without laying it out)."""
    check_package(path, "word/document.xml", "Word document", max_bytes)
    import docx  # python-docx; only Word inputs need it

    try:
        body = docx.Document(str(path)).element.body
    except Exception as exc:  # noqa: BLE001 - python-docx and lxml fail in many ways on a broken part
        raise CorruptInput(f"{path}: damaged Word document ({one_line(exc)})") from exc
    page = Page(number=1)
    page.blocks = list(_blocks(body, 1))
    return [page]


def _blocks(container, page: int):
    for child in container.iterchildren():
        if child.tag == f"{_W}p":
            text = _paragraph_text(child).strip()
            if text:
                yield TextLine(page=page, text=text, source="table-file")
        elif child.tag == f"{_W}tbl":
            table = _table(child, page)
            if table is not None:
                yield table
        elif child.tag == f"{_W}sdt":  # a content control wraps ordinary paragraphs and tables
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _blocks(content, page)


def _paragraph_text(p) -> str:
    """A paragraph's own text: its runs, also those inside hyperlinks, fields and insertions."""
    parts: list[str] = []
    for node in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        if node.tag == f"{_W}t":
            # a text box anchored in the paragraph is its own text, not this line's
            if not _inside(node, f"{_W}txbxContent", p):
                parts.append(node.text or "")
        elif node.tag == f"{_W}tab":
            parts.append(" ")
        elif node.tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
    return "".join(parts)


def _inside(node, tag: str, stop) -> bool:
    parent = node.getparent()
    while parent is not None and parent is not stop:
        if parent.tag == tag:
            return True
        parent = parent.getparent()
    return False


def _cell_text(tc) -> str:
    """Every paragraph of the cell, those of nested tables included, one per line."""
    lines = [_paragraph_text(p).strip() for p in tc.iter(f"{_W}p")]
    return "\n".join(line for line in lines if line)


def _grid_cells(tr):
    """A row's cells: those written directly, and those inside content controls."""
    for child in tr.iterchildren():
        if child.tag == f"{_W}tc":
            yield child
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _grid_cells(content)


def _int_attr(element, tag: str, default: int) -> int:
    node = element.find(tag) if element is not None else None
    try:
        return int(node.get(f"{_W}val")) if node is not None else default
    except (TypeError, ValueError):
        return default


def _table(tbl, page: int):
    placed: list[Placed] = []
    open_merges: dict[int, Placed] = {}  # grid column → the cell a vertical merge there started with
    rows = [tr for tr in tbl.iterchildren(f"{_W}tr")]
    for r, tr in enumerate(rows):
        col = _int_attr(tr.find(f"{_W}trPr"), f"{_W}gridBefore", 0)  # cells the row leaves out at the left
        for tc in _grid_cells(tr):
            props = tc.find(f"{_W}tcPr")
            span = max(1, _int_attr(props, f"{_W}gridSpan", 1))
            v_merge = props.find(f"{_W}vMerge") if props is not None else None
            h_merge = props.find(f"{_W}hMerge") if props is not None else None
            continues_v = v_merge is not None and v_merge.get(f"{_W}val", "continue") == "continue"
            continues_h = h_merge is not None and h_merge.get(f"{_W}val", "continue") == "continue"
            above = open_merges.get(col)
            if continues_v and above is not None and above.row + above.row_span == r:
                above.row_span += 1
                if _cell_text(tc):  # Word keeps text typed into a continued cell; so do we
                    above.text = "\n".join(t for t in (above.text, _cell_text(tc)) if t)
            elif continues_h and placed and placed[-1].row == r:
                placed[-1].col_span += span  # the old way of merging across: one cell per column
            else:
                cell = Placed(r, col, 1, span, _cell_text(tc))
                placed.append(cell)
                for c in range(col, col + span):
                    open_merges.pop(c, None)
                if v_merge is not None:
                    open_merges[col] = cell
            col += span
    if not placed:
        return None
    return make_table(placed, page)
