"""Field accuracy of a run's output against hand-made ground truth.

Forms are matched by type and name (the most similar name when OCR misread it). The fields
compared are the template's (its FormSpec): every header field, every amount, and every field
of every indicator and list row counts once; indicator rows are aligned on their 三级指标
so that one missing row costs that row, not every row after it; a missing or
extra row counts all its fields as wrong.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import UsageError
from pipeline.model import FLAG_KINDS
from pipeline.records import HEADER_FIELDS
from pipeline.spec import AmountRowSection, AmountsSection, FieldsSection, FormSpec, IndicatorsSection, ListSection

@dataclass
class Report:
    total: int = 0
    correct: int = 0
    wrong: list[str] = field(default_factory=list)
    flagged_wrong: int = 0  # wrong, and a review item names the field: a reviewer sees it
    flagged_right: int = 0  # right, but flagged: a reviewer's time spent for nothing
    silent: list[str] = field(default_factory=list)  # wrong with no review item naming it: the worst
    flags: set[str] = field(default_factory=set)  # the review fields of the output form being compared
    forms_missing: list[str] = field(default_factory=list)
    forms_extra: list[str] = field(default_factory=list)
    # called with (output path, right?, expected value) for every field compared: how calibration sees outcomes
    observer: Callable[[str | None, bool, object], None] | None = None

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def silent_rate(self) -> float:
        return len(self.silent) / self.total if self.total else 0.0

    @property
    def flagged_share(self) -> float:
        """Share of the fields compared that a review item names: what a reviewer has to look at."""
        return (self.flagged_wrong + self.flagged_right) / self.total if self.total else 0.0

    def flagged(self, path: str | None) -> bool:
        """Does a review item name this field, or the row or block holding it?"""
        if path is None:
            return False
        return any(path == f or path.startswith((f + ".", f + "[")) for f in self.flags)

    def flagged_within(self, row: str) -> bool:
        """Does a review item name this row or any field of it? (an extra row a reviewer sees)"""
        return self.flagged(row) or any(f.startswith((row + ".", row + "[")) for f in self.flags)

    def check(self, where: str, expected, got, path: str | None = None) -> None:
        """`path`: the field in the output record's terms (`indicators[3].value`), for flags."""
        self.total += 1
        flagged = self.flagged(path)
        if self.observer is not None:
            self.observer(path, same(expected, got), expected)
        if same(expected, got):
            self.correct += 1
            self.flagged_right += flagged
        else:
            self.wrong.append(f"{where}: expected {expected!r}, got {got!r}")
            if flagged:
                self.flagged_wrong += 1
            else:
                self.silent.append(where)


def same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(a - b) < 1e-9
    return a == b


_SPECS: list[FormSpec] = []


def _specs() -> list[FormSpec]:
    if not _SPECS:
        from pipeline.config import load_settings

        _SPECS.extend(load_settings().forms)
    return _SPECS


def spec_of(record: dict, specs: list[FormSpec] | None = None) -> FormSpec | None:
    """A record's template (a truth record may name only its form_type: the first template of it)."""
    specs = specs or _specs()
    by_template = next((s for s in specs if s.template == record.get("template")), None)
    return by_template or next((s for s in specs if s.form_type == record.get("form_type")), None)


def form_key(record: dict) -> tuple[str, str | None]:
    spec = spec_of(record)
    return record.get("form_type"), record.get(spec.name_field) if spec else None


def load_outputs(out_dir: Path) -> list[dict]:
    if not out_dir.is_dir():
        raise UsageError(f"{out_dir}: not a folder of pipeline output")
    records = []
    for path in sorted(out_dir.rglob("*.json")):  # input folders mirror the input tree: any depth
        if any(part.startswith(".") for part in path.relative_to(out_dir).parts):
            continue  # .state/ holds resume entries, not records
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "form_type" in data:
            records.append(data)
    return records


def load_truth(path: Path) -> list[dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: cannot read ground truth ({exc})") from exc
    return data["forms"] if isinstance(data, dict) else data


NAME_MATCH_RATIO = 0.5  # a form whose name OCR got partly wrong is still that form (its name field counts wrong)


def _similarity(a: str | None, b: str | None) -> float:
    return difflib.SequenceMatcher(a=a or "", b=b or "").ratio()


def _content(record: dict) -> set[str]:
    """What a form lists, as words to compare forms by: its indicators' and items' names."""
    out = set()
    for value in record.values():
        if isinstance(value, list):
            out |= {str(row.get("level3") or row.get("name") or "") for row in value if isinstance(row, dict)}
    return out - {""}


def _overlap(a: dict, b: dict) -> float:
    ca, cb = _content(a), _content(b)
    return len(ca & cb) / max(1, len(ca | cb))


def pair_forms(records: list[dict], truth: list[dict]) -> tuple[list[tuple[dict, dict | None]], list[dict]]:
    """(truth form, output form or None) pairs, and the output forms left over.

    Each candidate pair of one form type scores its name's likeness plus what the two forms list
    in common (their indicators' names); pairs are taken best first, so that two forms of one
    name (a project filed twice in one file) each find their own. A pair counts when its names are
    at least NAME_MATCH_RATIO alike, or (forms of one file) its contents are, or it is the only one
    of its type left:
    one misread character of a name costs one field, not a whole form.
    """
    unmatched = list(records)
    pairs: list[tuple[dict, dict | None]] = [(expected, None) for expected in truth]
    scored = []
    one_file = len({_file_of(r) for r in records}) == 1  # content alone pairs forms of one file only
    for i, expected in enumerate(truth):
        kind, name = form_key(expected)
        for j, record in enumerate(records):
            if record.get("form_type") != kind:
                continue
            likeness = 1.0 if form_key(record) == (kind, name) else _similarity(name, form_key(record)[1])
            overlap = _overlap(expected, record)
            if likeness >= NAME_MATCH_RATIO or (one_file and overlap >= NAME_MATCH_RATIO):
                scored.append((likeness + overlap, i, j))
    taken: set[int] = set()
    # ties (forms listing the same things) go in page order: truth lists a file's forms as printed
    for _score, i, j in sorted(scored, key=lambda s: (-s[0], s[1], _first_page(records[s[2]]), s[2])):
        if pairs[i][1] is None and j not in taken:
            pairs[i] = (truth[i], records[j])
            taken.add(j)
    unmatched = [r for j, r in enumerate(records) if j not in taken]
    for i, (expected, got) in enumerate(pairs):  # the only one of its type left on both sides
        kind = expected.get("form_type")
        left = [r for r in unmatched if r.get("form_type") == kind]
        if got is None and len(left) == 1 and sum(1 for e, g in pairs if g is None and e.get("form_type") == kind) == 1:
            unmatched.remove(left[0])
            pairs[i] = (expected, left[0])
    # forms whose names were lost (unreadable under a seal, on a fax): as many left of a type on
    # both sides, from one file, are the same forms in page order -- found, their name wrong, not lost
    for kind in {e.get("form_type") for e, g in pairs if g is None}:
        waiting = [i for i, (e, g) in enumerate(pairs) if g is None and e.get("form_type") == kind]
        left = sorted((r for r in unmatched if r.get("form_type") == kind), key=_first_page)
        one_file = len({(r.get("source") or {}).get("file") for r in left}) == 1
        if waiting and len(left) == len(waiting) and one_file:
            for i, record in zip(waiting, left):
                unmatched.remove(record)
                pairs[i] = (pairs[i][0], record)
    return pairs, unmatched


def _first_page(record: dict) -> int:
    return min((record.get("source") or {}).get("pages") or [0])


def evaluate(records: list[dict], truth: list[dict], only_present: bool = False) -> Report:
    """Compare; with `only_present`, truth forms absent from the output are skipped (a partial run).

    Truth that names each form's file (`source_file`, as the generated corpus does) is paired
    within each file: two files may hold projects of one name.
    """
    report = Report()
    for file, expected_forms in _by_file(truth).items():
        got_forms = [r for r in records if file is None or _file_of(r) == file]
        if file is not None and not got_forms and only_present:
            continue
        pairs, unmatched = pair_forms(got_forms, expected_forms)
        where = f"{file}: " if file else ""
        for expected, got in pairs:
            label = f"{where}{form_key(expected)[0]} '{form_key(expected)[1]}'"
            if got is None:
                if only_present:
                    continue
                report.forms_missing.append(label)
            compare_form(report, label, expected, got or {})
        for record in unmatched:
            report.forms_extra.append(f"{where}{form_key(record)[0]} '{form_key(record)[1]}'")
    if any(t.get("source_file") for t in truth):
        files = set(_by_file(truth))
        report.forms_extra += [f"{_file_of(r)}: {form_key(r)[0]} '{form_key(r)[1]}'" for r in records
                               if _file_of(r) not in files]
    return report


def _file_of(record: dict) -> str | None:
    return (record.get("source") or {}).get("file")


def _by_file(truth: list[dict]) -> dict[str | None, list[dict]]:
    groups: dict[str | None, list[dict]] = {}
    for form in truth:
        name = form.get("source_file")
        groups.setdefault(Path(name).name if name else None, []).append(form)
    return groups


def compare_form(report: Report, label: str, expected: dict, got: dict) -> None:
    spec = spec_of(expected)
    report.flags = {item.get("field") for item in got.get("review", [])
                    if isinstance(item, dict) and item.get("kind") in FLAG_KINDS}
    if "template" in expected:  # older truth files name only the form type
        report.check(f"{label} template", expected["template"], got.get("template"), "template")
    for name in HEADER_FIELDS:
        report.check(f"{label} {name}", expected.get(name), got.get(name), name)
    for section in spec.sections:
        if isinstance(section, FieldsSection):
            for name in section.fields:
                report.check(f"{label} {name}", expected.get(name), got.get(name), name)
        elif isinstance(section, (AmountsSection, AmountRowSection)):
            if isinstance(section, AmountRowSection):
                blocks = {section.name: [c.field for c in section.columns]}
            elif section.items:
                blocks = {section.name: [i.field for i in section.items]}
            else:
                blocks = {g.field: [i.field for i in g.items] for g in section.groups}
            for block, names in blocks.items():
                for name in names:
                    report.check(f"{label} {block}.{name}", (expected.get(block) or {}).get(name),
                                 (got.get(block) or {}).get(name), f"{block}.{name}")
        elif isinstance(section, ListSection):
            compare_rows(report, f"{label} {section.name}", expected.get(section.name, []),
                         got.get(section.name, []), [c.field for c in section.columns], section.key)
        elif isinstance(section, IndicatorsSection):
            compare_rows(report, f"{label} {section.name}", expected.get(section.name, []),
                         got.get(section.name, []), spec.indicator_fields, section.key)
            for name in (section.totals.into.values() if section.totals else ()):
                report.check(f"{label} {name}", expected.get(name), got.get(name), name)
            if section.taxonomy:
                compare_rows(report, f"{label} empty_categories", expected.get("empty_categories", []),
                             got.get("empty_categories", []), ["level1", "level2"], "level2")


def compare_rows(report: Report, label: str, expected: list[dict], got: list[dict], fields: list[str],
                 key: str) -> None:
    section = label.rsplit(" ", 1)[-1]  # the record's name for the rows (indicators, main_tasks)
    matcher = difflib.SequenceMatcher(a=[str(r.get(key)) for r in expected],
                                      b=[str(r.get(key)) for r in got], autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        pairs = list(zip(range(a0, a1), range(b0, b1)))
        for i, j in pairs:
            for name in fields:
                report.check(f"{label}[{i}].{name}", expected[i].get(name), got[j].get(name), f"{section}[{j}].{name}")
        for i in range(a0 + len(pairs), a1):  # rows the output lacks
            for name in fields:
                report.check(f"{label}[{i}].{name} (row missing)", expected[i].get(name), None, section)
        for j in range(b0 + len(pairs), b1):  # rows the truth lacks
            for name in fields:
                report.total += 1
                report.wrong.append(f"{label} extra row [{j}].{name}: got {got[j].get(name)!r}")
                if not report.flagged_within(f"{section}[{j}]"):
                    report.silent.append(f"{label} extra row [{j}].{name}")
                else:
                    report.flagged_wrong += 1


def format_report(report: Report) -> str:
    lines = [f"field accuracy: {report.correct}/{report.total} = {100 * report.accuracy:.2f}%",
             f"wrong and flagged: {report.flagged_wrong}; right but flagged: {report.flagged_right}; "
             f"silent-wrong (no review item names the field): {len(report.silent)} "
             f"= {100 * report.silent_rate:.2f}% of fields; flagged: {100 * report.flagged_share:.2f}% of fields"]
    lines += [f"missing form: {f}" for f in report.forms_missing]
    lines += [f"extra form: {f}" for f in report.forms_extra]
    silent = set(report.silent)
    lines += [f"wrong{' (SILENT)' if w.split(': expected')[0].split(': got')[0] in silent else ''}: {w}"
              for w in report.wrong]
    return "\n".join(lines)
