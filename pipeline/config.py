"""One pydantic config, loaded from configs/*.yaml; CLI flags only override it.

`configs/default.yaml` holds the run settings; `configs/forms/*.yaml` hold one
FormSpec per template (pipeline/spec.py) and the vocabulary (taxonomy, synonyms,
comparators) as data.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline.errors import ConfigError
from pipeline.resources import data_dir
from pipeline.spec import FormSpec
from pipeline.values import TYPES

# settings the command line also sets: an error in one names the flag too
CLI_FLAGS = {"batch.workers": "--workers", "batch.threads": "--threads", "batch.executor": "--executor",
             "output.formats": "--format", "out_dir": "--out"}
REPO_CONFIGS = data_dir("configs")  # the shipped configs, in a checkout or an installed wheel


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TableSettings(_Strict):
    """Tolerances for finding ruled tables on digital PDF pages (PDF points)."""

    snap_tolerance: float = Field(default=3.0, ge=0)  # ruling lines closer than this are one line
    join_tolerance: float = Field(default=3.0, ge=0)  # collinear segments with gaps below this are joined
    edge_min_length: float = Field(default=3.0, ge=0)  # shorter segments are noise
    intersection_tolerance: float = Field(default=3.0, ge=0)
    min_rows: int = Field(default=1, ge=1)
    min_cols: int = Field(default=2, ge=1)
    line_gap_ratio: float = Field(default=0.5, gt=0)  # chars whose tops differ by > ratio*size start a new line
    phrase_gap: float = Field(default=24.0, gt=0)  # a horizontal gap wider than this splits a text line into phrases
    # also find tables drawn without ruling, from text alignment (pipeline/text_grid.py); off for
    # forms, which are ruled: their lines of text around the grid must stay lines
    find_unruled: bool = False


class ScanSettings(_Strict):
    """The scanned path: pages without a usable text layer, and image files."""

    dpi: int = Field(default=200, ge=50, le=1200)  # rasterising dpi for image-only PDF pages (see docs/benchmarks.md)
    default_image_dpi: int = Field(default=200, ge=50, le=1200)  # for image files that do not say their resolution
    max_image_pixels: int = Field(default=120_000_000, ge=1_000_000)  # larger images are refused (decompression bombs)
    # a page is read with at most this many pixels: larger images are scaled down on reading and PDF
    # pages rendered at a dpi that fits (a worker needs ~40 bytes a pixel: 24 M keeps it near 1.2 GB)
    max_working_pixels: int = Field(default=24_000_000, ge=1_000_000)
    deskew: bool = True
    max_skew_degrees: float = Field(default=5.0, ge=0, le=45)
    suppress_seals: bool = True  # red/blue seal ink removed by colour before reading
    perspective: bool = True  # keystoned photos flattened, the desk cropped (pipeline/perspective.py)
    # images below this share of `dpi` are upscaled to `dpi` (cubic): OCR and the grid's
    # tolerances are tuned at the working resolution
    upscale_below: float = Field(default=0.75, gt=0, le=1)


class OcrSettings(_Strict):
    engine: str = "rapidocr"  # a name the engine registry knows (pipeline/engines/registry.py)
    options: dict[str, Any] = Field(default_factory=dict)  # passed to the engine
    min_ink_pt2: float = Field(default=4.0, ge=0)  # a cell with less ink than this (pt², a `/` has more) is empty, never read
    uncertain_below: float = Field(default=0.80, ge=0, le=1)  # recogniser confidence under which a cell is re-read, and counts as unsure
    reread: bool = True
    # a known name replaces a near-identical reading when the recogniser gives it at least this
    # share of the reading's probability (a list prior times the OCR likelihood)
    known_name_min_ratio: float = Field(default=0.001, ge=0, le=1)

    @field_validator("engine")
    @classmethod
    def _registered(cls, name: str) -> str:
        from pipeline.engines.registry import OCR_ENGINES, factory

        if name not in OCR_ENGINES and ":" not in name:
            raise ValueError(f"unknown OCR engine {name!r}: expected one of {', '.join(OCR_ENGINES)}, "
                             f"or module:factory")
        try:
            factory("ocr", name)  # a plugin must load here, once, not fail on every page
        except ConfigError as exc:
            raise ValueError(str(exc).removeprefix("config: ")) from None
        return name


class OutputSettings(_Strict):
    csv_bom: bool = True  # Excel on Chinese Windows needs the BOM to read UTF-8
    max_name_chars: int = Field(default=60, ge=8, le=200)
    # the run-wide tables also as these (stages/summaries.py), beside JSON and CSV, which are always written
    formats: list[Literal["xlsx", "sqlite", "parquet"]] = Field(default_factory=list)


class GenericTableSettings(_Strict):
    """Tables that match no form: written as plain tables (pipeline/generic/)."""

    enabled: bool = True
    csv_merged: Literal["repeat", "blank"] = "repeat"  # a merged body cell in CSV: value repeated, or blank
    header_max_rows: int = Field(default=5, ge=1)  # a header taller than this is body text that looks like one
    # a column whose header holds one of these words, or whose leaf header is one of code_leaf_headers,
    # keeps its values as text (功能分类科目编码 2010101, 类/款/项 `05`): codes, not amounts
    code_header_words: list[str] = Field(default_factory=lambda: ["编码", "代码", "编号"])
    code_leaf_headers: list[str] = Field(default_factory=lambda: ["类", "款", "项"])
    edge_tolerance_pt: float = Field(default=4.0, ge=0)  # column edges this close (after aligning left edges) are one edge
    min_header_similarity: float = Field(default=0.8, ge=0, le=1)  # a continuation's first rows this like the header repeat it
class BatchSettings(_Strict):
    """How a batch is spread over cores or machines; never changes a result (not fingerprinted)."""

    executor: Literal["serial", "process", "ray"] = "process"  # serial | process | ray (pipeline/executors.py)
    workers: int = Field(default=0, ge=0)  # 0: one per core
    threads: int = Field(default=0, ge=0)  # OCR threads per worker; 0: its share of the cores (cores // workers)
    ray_address: str | None = None  # a running Ray cluster (`ray start --head`); None: a local one
    # one input that takes longer than this (a page that sends an engine into a loop) fails as timed
    # out and the batch goes on; 0: no limit
    input_timeout_s: float = Field(default=900.0, ge=0)


class Vocabulary(_Strict):
    """The indicator taxonomy and the words each indicator column allows."""

    taxonomy: dict[str, list[str]]  # canonical 一级 -> canonical 二级 list
    synonyms: dict[str, str] = Field(default_factory=dict)  # variant -> canonical (一级 or 二级)
    comparators: dict[str, str]  # written form -> canonical (≥ ≤ = > < 定性): symbols and words
    comparator_suffix_words: list[str] = Field(default_factory=list)  # of those, written after the number
    units: list[str]
    empty_units: list[str]  # written for "no unit": 无, /
    placeholders: list[str]  # a cell that says "none here": /
    # one stroke OCR reads for a placeholder's — or /: a row of nothing else is an empty category
    placeholder_lookalikes: list[str] = Field(default_factory=list)
    # a unit symbol a recogniser reads as two glyphs (`%o` for ‰), in any typeface: written -> unit
    unit_lookalikes: dict[str, str] = Field(default_factory=dict)
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
    # a text dump, CSV, HTML or markdown file is read whole as cells (~300 bytes of memory per byte of
    # text, and repair time grows faster than its rows): one form is a few kB, an archive's dump of
    # a hundred forms under 1 MB
    max_text_mb: float = Field(default=2.0, gt=0)
    max_loaded_mb: float = Field(default=50.0, gt=0)  # a Word or Excel file is read whole: larger ones are refused
    pdf_suffixes: list[str] = Field(default_factory=lambda: [".pdf"])
    forms: list[FormSpec] = Field(default_factory=list)  # one per template, configs/forms/<template>.yaml
    vocabulary: Vocabulary | None = None
    # per-run options, set from the command line; not part of the fingerprint
    out_dir: Path = Path("outputs")
    password: str | None = None

    def fingerprint(self) -> str:
        """A hash of everything that can change a result (for resumable runs)."""
        # not the run-wide tables' formats: they are written from the records, whatever converted them
        data = self.model_dump(mode="json", exclude={"out_dir": True, "password": True, "batch": True,
                                                     "output": {"formats"}})
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def spec(self, template: str) -> FormSpec:
        for f in self.forms:
            if f.template == template:
                return f
        raise KeyError(template)


def _read_yaml(path: Path, mapping: bool = True) -> Any:
    """A YAML file's content; `mapping`: it must be one (settings are `key: value`)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}); save the config as UTF-8") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from None
    if mapping and not isinstance(data, dict):
        raise ConfigError(f"{path}: a config is a mapping of settings (`key: value`), not a {type(data).__name__}")
    return data


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
    # more template folders (a user's own templates): a template id given again replaces the shipped one
    extra_dirs = [Path(d) if Path(d).is_absolute() or config_file is None else config_file.parent / d
                  for d in data.pop("template_dirs", None) or []]
    specs: dict[str, tuple[Path, Any]] = {}
    for folder in [forms_dir, *extra_dirs]:
        if not folder.is_dir():
            raise ConfigError(f"{folder}: template folder not found")
        for path in sorted(folder.glob("*.yaml")):
            if path.stem != "vocabulary":
                spec = _read_yaml(path)
                key = spec.get("template", path.stem) if isinstance(spec, dict) else path.stem
                specs[key] = (path, spec)
    data["forms"] = [spec for _path, spec in specs.values()]
    data["vocabulary"] = _read_yaml(forms_dir / "vocabulary.yaml")
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = list(first["loc"])
        if loc[:1] == ["forms"] and len(loc) > 1 and isinstance(loc[1], int):  # name the template's file
            path = list(specs.values())[loc[1]][0]
            raise ConfigError(f"{path}: {'.'.join(str(p) for p in loc[2:])}: {first['msg']}") from exc
        where = config_file if config_file is not None else "config"
        key = ".".join(str(p) for p in loc)
        flag = next((f for k, f in CLI_FLAGS.items() if key == k or key.startswith(k + ".")), None)
        raise ConfigError(f"{where}: {key}{f' ({flag})' if flag else ''}: {first['msg']}") from None
    _check_value_types(settings, [path for path, _spec in specs.values()])
    return settings


def _check_value_types(settings: Settings, paths: list[Path]) -> None:
    """Every field and column names a registered value type (pipeline/values.py)."""
    for spec, path in zip(settings.forms, paths):
        named = [(name, d.type) for name, d in spec.fields.items()]
        for section in spec.sections:
            named += [(c.field, c.type) for c in getattr(section, "columns", [])]
            if getattr(section, "type", None):
                named.append((section.name, section.type))
        for name, type_name in named:
            if type_name not in TYPES:
                raise ConfigError(f"{path}: {name}: unknown value type '{type_name}' "
                                  f"(known: {', '.join(sorted(TYPES))})")
