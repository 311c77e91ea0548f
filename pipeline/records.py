"""The output contract: what one form becomes in `<out>/<input>/<NN>-<name>.json`.

These models are the single source of `schema/form-record.schema.json`
(`pipeline schema` regenerates it; a test keeps the two in step).
Bump SCHEMA_VERSION on any change a consumer could notice.
"""

from __future__ import annotations

from typing import Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from pipeline.model import Indicator, ReviewItem

SCHEMA_VERSION = "1.0"

Comparator = Literal["≥", "≤", "=", ">", "<", "定性"]


class IndicatorRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level1: str | None = Field(description="一级指标, canonical taxonomy name")
    level2: str | None = Field(description="二级指标, canonical taxonomy name")
    level3: str | None = Field(description="三级指标 as written (unwrapped, punctuation normalised)")
    value: float | int | str | None = Field(description="指标值: a number when numeric, else the text")
    unit: str | None = Field(description="度量单位; null for 无 or /")
    comparator: Comparator | None = Field(description="指标值类型")
    note: str | None = Field(description="备注")


class DepartmentIndicatorRecord(IndicatorRecord):
    description: str | None = Field(description="指标值说明 (指标解释)")


class EmptyCategory(BaseModel):
    """A 一级/二级 category the form lists with '/' instead of indicators."""

    level1: str | None
    level2: str | None


class Source(BaseModel):
    file: str
    sha256: str
    pages: list[int]


class _FormBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: str = SCHEMA_VERSION
    title: str | None
    year: int | None
    reporting_unit: str | None = Field(description="填报单位")
    amount_unit: str | None = Field(description="金额单位, e.g. 万元")
    signer: str | None = Field(description="the handwritten name above the form")


class ProjectRecord(_FormBase):
    form_type: Literal["project"] = "project"
    project_name: str | None
    budget_amount: float | int | None = Field(description="年度本级预算金额, in amount_unit")
    project_category: str | None
    period: str | None = Field(description="项目支出实施期, e.g. 2026.01-2026.12")
    annual_goal: str | None
    indicators: list[IndicatorRecord]
    empty_categories: list[EmptyCategory] = Field(default_factory=list)
    review: list[ReviewItem]
    source: Source


class MainTask(BaseModel):
    name: str | None
    content: str | None


class Budget(BaseModel):
    total: float | int | None = Field(description="资金总额")
    general_public_budget: float | int | None = Field(description="一般公共预算")
    government_fund: float | int | None = Field(description="政府性基金拨款")
    special_account: float | int | None = Field(description="财政专户管理资金")
    other_funds: float | int | None = Field(description="其他资金")
    basic_expenditure: float | int | None = Field(description="基本支出")
    project_expenditure: float | int | None = Field(description="项目支出")


class DepartmentRecord(_FormBase):
    form_type: Literal["department"] = "department"
    department_name: str | None
    annual_duty_goal: str | None
    main_tasks: list[MainTask]
    budget: Budget
    indicators: list[DepartmentIndicatorRecord]
    empty_categories: list[EmptyCategory] = Field(default_factory=list)
    review: list[ReviewItem]
    source: Source


class FormRecord(BaseModel):
    """A form record is either a project form or a department form."""

    record: Union[ProjectRecord, DepartmentRecord] = Field(discriminator="form_type")


RECORD_TYPES = {"project": ProjectRecord, "department": DepartmentRecord}


def indicator_record(ind: Indicator, form_type: str) -> dict:
    data = ind.model_dump()
    if form_type != "department":
        data.pop("description", None)
    return data


def json_schema() -> dict:
    """The JSON Schema of one output file: a project record or a department record."""
    project = ProjectRecord.model_json_schema(mode="serialization")
    department = DepartmentRecord.model_json_schema(mode="serialization")
    defs = {**project.pop("$defs", {}), **department.pop("$defs", {})}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"form-record-{SCHEMA_VERSION}",
        "title": "Performance-target form record",
        "oneOf": [project, department],
        "$defs": defs,
    }
