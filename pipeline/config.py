"""One pydantic config, loaded from configs/*.yaml; CLI flags only override it.

`configs/default.yaml` holds the run settings; `configs/forms/*.yaml` hold the
form definitions (labels, synonyms, taxonomy, vocabularies) as data.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.errors import ConfigError

REPO_CONFIGS = Path(__file__).resolve().parent.parent / "configs"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TableSettings(_Strict):
    """Tolerances for finding ruled tables on digital PDF pages (PDF points)."""

    snap_tolerance: float = 3.0  # ruling lines closer than this are one line
    join_tolerance: float = 3.0  # collinear segments with gaps below this are joined
    edge_min_length: float = 3.0  # shorter segments are noise
    intersection_tolerance: float = 3.0
    min_rows: int = 1
    min_cols: int = 2
    line_gap_ratio: float = 0.5  # chars whose tops differ by > ratio*size start a new line
    phrase_gap: float = 24.0  # a horizontal gap wider than this splits a text line into phrases
    # also find tables drawn without ruling, from text alignment (pipeline/text_grid.py); off for
    # forms, which are ruled: their lines of text around the grid must stay lines
    find_unruled: bool = False


class ScanSettings(_Strict):
    """The scanned path: pages without a usable text layer, and image files."""

    dpi: int = 200  # rasterising dpi for image-only PDF pages (see docs/benchmarks.md)
    default_image_dpi: int = 200  # for image files that do not say their resolution
    max_image_pixels: int = 120_000_000  # larger images are refused (decompression bombs)
    deskew: bool = True
    max_skew_degrees: float = 5.0
    suppress_seals: bool = True  # red/blue seal ink removed by colour before reading


class OcrSettings(_Strict):
    engine: str = "rapidocr"  # rapidocr | paddle
    options: dict[str, Any] = Field(default_factory=dict)  # passed to the engine
    min_ink_pt2: float = 4.0  # a cell with less ink than this (pt², a `/` has more) is empty, never read
    uncertain_below: float = 0.80  # confidence under which a cell is re-read, then flagged
    reread: bool = True
    # a known name replaces a near-identical reading when the recogniser gives it at least this
    # share of the reading's probability (a list prior times the OCR likelihood)
    known_name_min_ratio: float = 0.001


class OutputSettings(_Strict):
    csv_bom: bool = True  # Excel on Chinese Windows needs the BOM to read UTF-8
    max_name_chars: int = 60


class GenericTableSettings(_Strict):
    """Tables that match no form: written as plain tables (pipeline/generic/)."""

    enabled: bool = True
    csv_merged: Literal["repeat", "blank"] = "repeat"  # a merged body cell in CSV: value repeated, or blank
    header_max_rows: int = 5  # a header taller than this is body text that looks like one
    # a column whose header holds one of these words, or whose leaf header is one of code_leaf_headers,
    # keeps its values as text (功能分类科目编码 2010101, 类/款/项 `05`): codes, not amounts
    code_header_words: list[str] = Field(default_factory=lambda: ["编码", "代码", "编号"])
    code_leaf_headers: list[str] = Field(default_factory=lambda: ["类", "款", "项"])
    edge_tolerance_pt: float = 4.0  # column edges this close (after aligning left edges) are one edge
    min_header_similarity: float = 0.8  # a continuation's first rows this like the header repeat it
class BatchSettings(_Strict):
    """How a batch is spread over cores or machines; never changes a result (not fingerprinted)."""

    executor: str = "process"  # serial | process | ray (pipeline/executors.py)
    workers: int = 0  # 0: one per core
    threads: int = 0  # OCR threads per worker; 0: its share of the cores (cores // workers)
    ray_address: str | None = None  # a running Ray cluster (`ray start --head`); None: a local one


class FieldDef(_Strict):
    labels: list[str]  # canonical label first, then synonyms / variants
    type: str = "text"  # text | number | period
    # when blank, take the value of the indicator whose 三级指标 is one of these
    infer_from_indicator: list[str] = Field(default_factory=list)


class IndicatorColumn(_Strict):
    field: str  # level1 | level2 | level3 | value | unit | comparator | note | description
    labels: list[str]


class BudgetItem(_Strict):
    field: str
    labels: list[str]


class FormDef(_Strict):
    form_type: str
    title_keywords: list[str]  # all must appear in a title line
    title: str = ""  # the printed title without its year, for titles OCR half-read under a seal
    fields: dict[str, FieldDef]
    indicator_columns: list[IndicatorColumn]
    indicator_section_labels: list[str] = Field(default_factory=list)
    task_section: FieldDef | None = None
    task_columns: dict[str, list[str]] = Field(default_factory=dict)
    budget_section: FieldDef | None = None
    budget_items: list[BudgetItem] = Field(default_factory=list)
    preamble: dict[str, list[str]] = Field(default_factory=dict)  # reporting_unit / amount_unit prefixes


class Vocabulary(_Strict):
    """The indicator taxonomy and the words each indicator column allows."""

    taxonomy: dict[str, list[str]]  # canonical 一级 -> canonical 二级 list
    synonyms: dict[str, str] = Field(default_factory=dict)  # variant -> canonical (一级 or 二级)
    comparators: dict[str, str]  # written form -> canonical (≥ ≤ = > < 定性)
    units: list[str]
    empty_units: list[str]  # written for "no unit": 无, /
    placeholders: list[str]  # a cell that says "none here": /
    qualitative_values: list[str] = Field(default_factory=list)
    # names an OCR reading may be corrected to, where the recogniser's own scores allow it
    known_names: list[str] = Field(default_factory=list)


class Settings(_Strict):
    tables: TableSettings = Field(default_factory=TableSettings)
    output: OutputSettings = Field(default_factory=OutputSettings)
    scan: ScanSettings = Field(default_factory=ScanSettings)
    ocr: OcrSettings = Field(default_factory=OcrSettings)
    generic: GenericTableSettings = Field(default_factory=GenericTableSettings)
    batch: BatchSettings = Field(default_factory=BatchSettings)
    image_suffixes: list[str] = Field(default_factory=lambda: [".png", ".jpg", ".jpeg", ".tif", ".tiff"])
    dump_suffixes: list[str] = Field(default_factory=lambda: [".txt", ".tsv"])
    # read whole by pipeline/carriers/: Word and Excel originals, and what other tools write
    office_suffixes: list[str] = Field(default_factory=lambda: [".docx", ".xlsx", ".xlsm"])
    markup_suffixes: list[str] = Field(default_factory=lambda: [".html", ".htm", ".md", ".csv"])
    max_loaded_mb: float = 50.0  # a dump, office or markup file is read whole: larger ones are refused
    pdf_suffixes: list[str] = Field(default_factory=lambda: [".pdf"])
    forms: list[FormDef] = Field(default_factory=list)
    vocabulary: Vocabulary | None = None
    # per-run options, set from the command line; not part of the fingerprint
    out_dir: Path = Path("outputs")
    password: str | None = None

    def fingerprint(self) -> str:
        """A hash of everything that can change a result (for resumable runs)."""
        data = self.model_dump(mode="json", exclude={"out_dir", "password", "batch"})
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def form(self, form_type: str) -> FormDef:
        for f in self.forms:
            if f.form_type == form_type:
                return f
        raise KeyError(form_type)


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from exc


def _deep_merge(base: dict, override: dict) -> dict:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def load_settings(config_file: Path | None = None, overrides: dict | None = None,
                  configs_dir: Path = REPO_CONFIGS) -> Settings:
    """Default config, then the user's file, then CLI overrides; forms from configs/forms/."""
    data = _read_yaml(configs_dir / "default.yaml")
    data["forms_dir"] = configs_dir / data.get("forms_dir", "forms")
    if config_file is not None:
        user = _read_yaml(config_file)
        if "forms_dir" in user:  # relative to the file that names it
            user["forms_dir"] = config_file.parent / user["forms_dir"]
        data = _deep_merge(data, user)
    if overrides:
        data = _deep_merge(data, overrides)
    forms_dir = Path(data.pop("forms_dir"))
    data["forms"] = [_read_yaml(p) for p in sorted(forms_dir.glob("*.yaml")) if p.stem != "vocabulary"]
    data["vocabulary"] = _read_yaml(forms_dir / "vocabulary.yaml")
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"config: {where}: {first['msg']}") from exc
