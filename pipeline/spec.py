"""FormSpec: one declarative spec per form template (configs/forms/<template>.yaml).

A spec says what a template prints and what its record holds: the title that
starts a form, the lines above the grid, and its sections — label–value fields,
an indicator grid, an amount block, a task list — each column or field with a
*value type* (pipeline/values.py). Python keeps only the registry of section
readers (pipeline/repair/sections.py) and value types; everything a template
is lives here as data, so a new template is a new YAML file.

From a spec the record model, the JSON Schema, the CSV columns, the validation
checks and `pipeline eval`'s fields are derived (pipeline/records.py).
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

SectionKind = Literal["fields", "indicators", "amounts", "amount_row", "list"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldDef(_Strict):
    """One label–value field: `项目名称 | 人民调解专项`."""

    labels: list[str]  # canonical label first, then synonyms / variants
    type: str = "text"  # a value type (pipeline/values.py)
    description: str = ""
    # when blank (or read unsure), take the value of the indicator whose 三级指标 is one of these
    infer_from_indicator: list[str] = Field(default_factory=list)


class Column(_Strict):
    """One column of a grid: the header labels that name it and the type of its cells.

    A target type (`combined_target`, `worded_target`) fills several record fields from one
    cell; `into` names them (comparator / value / unit → record field names).
    """

    field: str
    labels: list[str]
    type: str = "text"
    description: str = ""
    into: dict[str, str] = Field(default_factory=dict)

    def outputs(self) -> list[str]:
        """The record fields this column fills, in order."""
        if self.into:
            return list(self.into.values())
        return [self.field]


class FieldsSection(_Strict):
    """Label–value pairs in rows; a row of labels with its values on the next row also reads."""

    kind: Literal["fields"] = "fields"
    fields: dict[str, FieldDef]
    # merged captions at the left of a block (`总体目标`): labels with no value of their own
    captions: list[str] = Field(default_factory=list)


class TotalsRow(_Strict):
    """A row under the grid that totals some of its columns (总分 | … | 100 | 92.5 under 分值 | 得分)."""

    labels: list[str]
    into: dict[str, str]  # grid column field → record field (weight: total_weight)


class IndicatorsSection(_Strict):
    """The indicator grid: a header row naming the columns, then one row per indicator."""

    kind: Literal["indicators"] = "indicators"
    name: str = "indicators"
    labels: list[str] = Field(default_factory=list)  # the section's caption (绩效指标), if printed
    columns: list[Column]
    taxonomy: bool = True  # level1/level2 columns hold taxonomy labels, filled down when merged
    key: str = "level3"  # the column that names a row (eval aligns rows on it)
    totals: TotalsRow | None = None
    # the 一级 category the grid's last rows belong to: a paged grid without it was cut off (stages/complete.py)
    closes_with: str | None = None


class AmountItem(_Strict):
    field: str
    labels: list[str]


class AmountGroup(_Strict):
    """Amounts that sit side by side in pairs: the k-th label–value pair of a row is group k's."""

    field: str
    items: list[AmountItem]


class AmountsSection(_Strict):
    """An amount block: each amount under (or right of) its own label."""

    kind: Literal["amounts"] = "amounts"
    name: str
    labels: list[str]  # the block's caption (预算情况)
    items: list[AmountItem] = Field(default_factory=list)  # one group, written as `name.field`
    groups: list[AmountGroup] = Field(default_factory=list)  # several: `group.field`
    type: str = "amount"
    # parts that must add up to a total: {total: [part, ...]}; a blank total is inferred from them
    sums: dict[str, list[list[str]]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_layout(self):
        if bool(self.items) == bool(self.groups):
            raise ValueError("an amounts section has either items or groups")
        return self


class AmountRowSection(_Strict):
    """A matrix of amounts (columns 年初预算数 | 全年预算数 | …); the record takes one row of it."""

    kind: Literal["amount_row"] = "amount_row"
    name: str
    labels: list[str]  # the block's caption (项目资金)
    row_labels: list[str]  # the row taken (年度资金总额)
    columns: list[Column]


class ListSection(_Strict):
    """A list of rows under a caption and a header (年度主要任务 | 任务名称 | 主要内容)."""

    kind: Literal["list"] = "list"
    name: str
    labels: list[str]
    columns: list[Column]
    key: str = "name"


Section = Annotated[Union[FieldsSection, IndicatorsSection, AmountsSection, AmountRowSection, ListSection],
                    Field(discriminator="kind")]


class Check(_Strict):
    """A consistency check run by validate (pipeline/stages/validate.py has the kinds)."""

    kind: Literal["equals_indicator", "sums"]
    field: str  # a record field (`budget_amount`) or an amounts section (`budget`)
    indicators: list[str] = Field(default_factory=list)  # equals_indicator: the 三级指标 names


class FormSpec(_Strict):
    template: str  # the spec's id; every record carries it
    form_type: str  # what kind of form this is (project, department, self_evaluation …)
    title: str = ""  # the printed title without its year, for titles OCR half-read under a seal
    title_keywords: list[str]  # all must appear in a title line
    description: str = ""
    preamble: dict[str, list[str]] = Field(default_factory=dict)  # reporting_unit / amount_unit prefixes
    sections: list[Section]
    required: list[str] = Field(default_factory=list)  # fields a complete form has
    checks: list[Check] = Field(default_factory=list)
    name_field: str  # the field that names a form (file names, eval pairing)
    budget_field: str | None = "budget_amount"  # the form's budget for projects.csv (dotted: budget.total)

    @model_validator(mode="after")
    def _sections_named_once(self):
        names = [s.name for s in self.sections if not isinstance(s, FieldsSection)]
        if len(names) != len(set(names)):
            raise ValueError(f"sections named twice: {names}")
        if sum(isinstance(s, IndicatorsSection) for s in self.sections) > 1:
            raise ValueError("at most one indicators section")
        return self

    # ---- views the readers use -------------------------------------------------------------
    @property
    def fields(self) -> dict[str, FieldDef]:
        """Every label–value field of the spec."""
        out: dict[str, FieldDef] = {}
        for section in self.sections:
            if isinstance(section, FieldsSection):
                out.update(section.fields)
        return out

    @property
    def captions(self) -> list[str]:
        return [c for s in self.sections if isinstance(s, FieldsSection) for c in s.captions]

    @property
    def indicator_section(self) -> IndicatorsSection | None:
        return next((s for s in self.sections if isinstance(s, IndicatorsSection)), None)

    @property
    def indicator_columns(self) -> list[Column]:
        section = self.indicator_section
        return list(section.columns) if section else []

    @property
    def indicator_fields(self) -> list[str]:
        """The record fields of one indicator, in column order (a field two columns fill, once)."""
        return list(dict.fromkeys(name for col in self.indicator_columns for name in col.outputs()))

    def labels(self) -> set[str]:
        """Every label the template prints (fields, columns, captions): to tell templates apart."""
        out: set[str] = set()
        for section in self.sections:
            if isinstance(section, FieldsSection):
                out.update(label for d in section.fields.values() for label in d.labels)
                out.update(section.captions)
            elif isinstance(section, (IndicatorsSection, ListSection)):
                out.update(label for c in section.columns for label in c.labels)
                out.update(section.labels)
                if getattr(section, "totals", None):
                    out.update(section.totals.labels)
            elif isinstance(section, AmountsSection):
                items = section.items or [i for g in section.groups for i in g.items]
                out.update(label for i in items for label in i.labels)
                out.update(section.labels)
            elif isinstance(section, AmountRowSection):
                out.update(label for c in section.columns for label in c.labels)
                out.update(section.labels + section.row_labels)
        return out
