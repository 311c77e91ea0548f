"""The output contract: what one form becomes in `<out>/<input>/<NN>-<name>.json`.

Each template's record model is derived from its FormSpec (pipeline/spec.py):
the common header, then its fields, sections and indicator columns, each typed
by its value type (pipeline/values.py). `schema/form-record.schema.json` is
generated from the shipped specs (`pipeline schema`; a test keeps the two in
step). Bump SCHEMA_VERSION on any change a consumer could notice.
"""

from __future__ import annotations

import re
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, create_model

from pipeline.model import ReviewItem
from pipeline.spec import (AmountRowSection, AmountsSection, Column, FieldsSection, FormSpec, IndicatorsSection,
                           ListSection)
from pipeline.values import value_type

SCHEMA_VERSION = "1.3"
HEADER_FIELDS = ["title", "year", "reporting_unit", "amount_unit", "signer"]  # every template's


class EmptyCategory(BaseModel):
    """A 一级/二级 category the form lists with '/' instead of indicators."""

    level1: str | None
    level2: str | None


class PageGeometry(BaseModel):
    """How one page's coordinates relate to the file: bboxes are PDF points on the upright page;
    a scanned page's point (x, y) is pixel (x·dpi/72, y·dpi/72) of the upright image, and
    `transform.matrix` (3×3) maps the original image's pixels onto those (its inverse maps a bbox
    back onto the file: pipeline.perspective.to_original). Null transform: the page is the file's."""

    page: int
    file: Optional[str] = None  # the file holding it (an input in several files: its part)
    file_page: Optional[int] = None  # 1-based, in that file
    width: Optional[float] = None
    height: Optional[float] = None
    scanned: bool = False
    dpi: Optional[float] = None
    rotation: int = 0
    skew: float = 0.0
    transform: Optional[dict[str, Any]] = None


class Source(BaseModel):
    file: str
    sha256: str
    pages: list[int]
    geometry: list[PageGeometry] = Field(default_factory=list, description="each of its pages' geometry")


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


_HEADER = {
    "title": (Optional[str], Field(description="the printed title")),
    "year": (Optional[int], Field(description="the year of the title, else of the period")),
    "reporting_unit": (Optional[str], Field(description="填报单位")),
    "amount_unit": (Optional[str], Field(description="金额单位, e.g. 万元")),
    "signer": (Optional[str], Field(description="the handwritten name above the form")),
}


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", name) if part)


def column_types(columns: list[Column]) -> dict[str, tuple[Any, str]]:
    """Record field → (python type, description) for a grid's columns; a field a column of its own
    fills takes that column's type (a target's unit part fills the unit column's field)."""
    own = {c.field: c for c in columns if not c.into}
    out: dict[str, tuple[Any, str]] = {}
    for col in columns:
        vtype = value_type(col.type)
        if col.into:
            for role, name in col.into.items():
                if name in own:
                    out.setdefault(name, (value_type(own[name].type).json["value"], own[name].description))
                else:
                    out.setdefault(name, (vtype.json[role], col.description if role == "value" else ""))
        else:
            out.setdefault(col.field, (vtype.json["value"], col.description))
    return out


def _row_model(name: str, columns: list[Column]) -> type[BaseModel]:
    fields = {f: (t, Field(description=d) if d else Field()) for f, (t, d) in column_types(columns).items()}
    return create_model(name, __base__=_Closed, **fields)


def _amount_model(name: str, items, type_name: str) -> type[BaseModel]:
    json = value_type(type_name).json["value"]
    return create_model(name, __base__=_Closed,
                        **{i.field: (json, Field(description=i.labels[0])) for i in items})


_MODELS: dict[int, tuple[FormSpec, type[BaseModel]]] = {}


def record_model(spec: FormSpec) -> type[BaseModel]:
    """The pydantic model of one template's record (cached per spec object)."""
    cached = _MODELS.get(id(spec))
    if cached is not None and cached[0] is spec:
        return cached[1]
    camel = _camel(spec.template)
    fields: dict[str, Any] = {
        "schema_version": (str, SCHEMA_VERSION),
        "form_id": (str, Field(description="stable key: the input's sha256 (16 hex digits) and the form's "
                                           "number in it, `3fa9c1d2e4b5a6f7-01`; corrections name it")),
        "form_type": (Literal[spec.form_type], spec.form_type),  # type: ignore[valid-type]
        "template": (Literal[spec.template], spec.template),  # type: ignore[valid-type]
        **_HEADER,
    }
    tail: dict[str, Any] = {}
    for section in spec.sections:
        if isinstance(section, FieldsSection):
            for name, d in section.fields.items():
                fields[name] = (value_type(d.type).json["value"], Field(description=d.description or d.labels[0]))
        elif isinstance(section, IndicatorsSection):
            model = _row_model(f"{camel}Indicator", section.columns)
            tail[section.name] = (list[model], Field())  # type: ignore[valid-type]
            if section.totals is not None:
                types = column_types(section.columns)
                for column, name in section.totals.into.items():
                    fields[name] = (types[column][0], Field(description=f"{section.totals.labels[0]}: {column}"))
            if section.taxonomy:
                tail["empty_categories"] = (list[EmptyCategory], Field(default_factory=list))
        elif isinstance(section, AmountsSection):
            if section.items:
                model = _amount_model(f"{camel}{_camel(section.name)}", section.items, section.type)
                fields[section.name] = (model, Field(description=section.labels[0]))
            for group in section.groups:
                model = _amount_model(f"{camel}{_camel(group.field)}", group.items, section.type)
                fields[group.field] = (model, Field(description=group.items[0].labels[0]))
        elif isinstance(section, AmountRowSection):
            model = _row_model(f"{camel}{_camel(section.name)}", section.columns)
            fields[section.name] = (model, Field(description=section.row_labels[0]))
        elif isinstance(section, ListSection):
            model = _row_model(f"{camel}{_camel(section.name)}", section.columns)
            fields[section.name] = (list[model], Field(description=section.labels[0]))  # type: ignore[valid-type]
    fields.update(tail)
    fields["confidence"] = (dict[str, float], Field(
        default_factory=dict, description="each field's calibrated probability of being right, by its path "
                                          "(`budget_amount`, `indicators[3].value`): pipeline/confidence.py"))
    fields["review"] = (list[ReviewItem], Field())
    fields["source"] = (Source, Field())
    model = create_model(f"{camel}Record", __base__=_Closed, __doc__=spec.description or spec.title, **fields)
    _MODELS[id(spec)] = (spec, model)
    return model


def json_schema(specs: list[FormSpec] | None = None) -> dict:
    """The JSON Schema of one output file: a record of any one of the templates."""
    if specs is None:
        from pipeline.config import load_settings

        specs = load_settings().forms
    one_of, defs = [], {}
    for spec in specs:
        schema = record_model(spec).model_json_schema(mode="serialization")
        defs.update(schema.pop("$defs", {}))
        one_of.append(schema)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"form-record-{SCHEMA_VERSION}",
        "title": "Performance-target form record",
        "oneOf": one_of,
        "$defs": defs,
    }
