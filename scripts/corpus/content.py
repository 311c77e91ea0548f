"""Seeded contents of a form: organisation, people, goals, indicators and their targets.

Everything said here comes from the data files (data/departments.yaml, data/common.yaml); this
module only draws from them. `records.py` assembles the drawings into the truth record of each
template (docs/templates.md).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parents[2]

# canonical order of the indicator taxonomy (configs/forms/vocabulary.yaml)
LEVEL2_KEYS = ("数量指标", "质量指标", "时效指标", "成本指标", "经济效益", "社会效益", "生态效益",
               "可持续影响", "服务对象满意度", "经济成本指标", "社会成本指标", "生态环境成本指标")


@dataclass(frozen=True)
class Spec:
    """One indicator as the data lists it: `name|unit|target[|comparator]`."""

    name: str
    unit: str | None
    kind: str                  # "num", "qual", "date"
    lo: float = 0.0
    hi: float = 0.0
    decimals: int = 0
    words: tuple[str, ...] = ()
    comparator: str = "≥"

    @classmethod
    def parse(cls, text: str) -> "Spec":
        parts = text.strip().split("|")
        if len(parts) == 2:
            parts = [parts[0], "", parts[1]]
        name, unit, target = parts[0], parts[1] or None, parts[2]
        comparator = parts[3] if len(parts) > 3 else "≥"
        if target.startswith("q:"):
            return cls(name, None, "qual", words=tuple(target[2:].split("/")), comparator="定性")
        if target == "t":
            return cls(name, None, "date", comparator="定性")
        lo, hi = target.split("-")
        decimals = max(len(b.partition(".")[2]) for b in (lo, hi))
        return cls(name, unit, "num", float(lo), float(hi), decimals, comparator=comparator)


@dataclass
class Department:
    key: str
    names: dict[str, list[str]]          # level -> name suffixes
    projects: list[str]
    goals: list[str]
    tasks: list[str]
    indicators: dict[str, list[Spec]] = field(default_factory=dict)


@dataclass
class Data:
    departments: list[Department]
    common: dict
    generic: dict[str, list[Spec]]
    synonyms: dict[str, list[str]]       # canonical taxonomy label -> printed variants
    placeholders: list[str]


def _specs(text: str) -> list[Spec]:
    return [Spec.parse(item) for item in text.split("；") if item.strip()]


@lru_cache(maxsize=1)
def data() -> Data:
    load = lambda p: yaml.load(p.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    raw, common = load(DATA / "departments.yaml"), load(DATA / "common.yaml")
    vocab = load(ROOT / "configs" / "forms" / "vocabulary.yaml")
    depts = []
    for key, d in raw.items():
        county = [s for s in d["names"].split("；")]
        names = {"county": county, "city": [d.get("city", county[0])], "province": [d["province"]]}
        depts.append(Department(key, names, d["projects"].split("；"), d["goals"].split("；"),
                                d["tasks"].split("；"),
                                {k: _specs(d[k]) for k in LEVEL2_KEYS if k in d}))
    synonyms: dict[str, list[str]] = {}
    for variant, canonical in vocab["synonyms"].items():
        synonyms.setdefault(canonical, []).append(variant)
    return Data(depts, common, {k: _specs(v) for k, v in common["indicators"].items()},
                synonyms, list(vocab["placeholders"]))


# ---------------------------------------------------------------- numbers

def num(x: float):
    """A JSON number: int when whole."""
    x = round(x, 6)
    return int(x) if float(x).is_integer() else x


def fmt(x) -> str:
    """How a number prints: no trailing zeros, no exponent."""
    if x is None:
        return ""
    if isinstance(x, float):
        x = num(x)
    if isinstance(x, float):
        return f"{x:.6f}".rstrip("0").rstrip(".")
    return str(x)


def amount(rng: random.Random, lo: float, hi: float) -> float:
    """A money amount in 万元, log-uniform, with 0-2 decimals (977.11, 19.2, 10)."""
    x = math.exp(rng.uniform(math.log(lo), math.log(hi)))
    return num(round(x, rng.choice([0, 1, 2, 2])))


def draw_number(rng: random.Random, spec: Spec):
    if spec.lo == spec.hi:
        return num(spec.lo)
    if spec.decimals:
        return num(round(rng.uniform(spec.lo, spec.hi), spec.decimals))
    x = rng.uniform(spec.lo, spec.hi)
    step = 1
    for bound, s in ((100000, 1000), (10000, 100), (1000, 10), (200, 5)):
        if spec.hi >= bound and rng.random() < 0.8:
            step = s
            break
    value = max(spec.lo, round(x / step) * step)
    if spec.unit == "%" and spec.hi <= 100 and rng.random() < 0.1 and value < 100:
        value += 0.5
    return num(value)


# ---------------------------------------------------------------- organisation

@dataclass
class Org:
    place: str               # 甘肃省定西市安定区
    department: Department
    name: str                # the reporting unit
    core: str                # 水利 (the name without its 局/厅/委员会), for subordinate units


def _county(rng: random.Random, counties: list[str]) -> str:
    if rng.random() < 0.25:
        syl = data().common["county_syllables"]
        return rng.choice(syl) + rng.choice(syl) + rng.choice(["县", "县", "区"])
    return rng.choice(counties)


def make_org(rng: random.Random, department: Department | None = None) -> Org:
    d = data()
    dept = department or rng.choice(d.departments)
    places, munis = d.common["places"], d.common["municipalities"]
    level = rng.choices(["county", "city", "province"], [6, 3, 1])[0]
    if rng.random() < 0.06:
        muni = rng.choice(sorted(munis))
        place = muni + (_county(rng, munis[muni]) if level != "province" else "")
        level = "county" if level != "province" else "city"
    else:
        province = rng.choice(sorted(places))
        city = rng.choice(sorted(places[province]))
        if level == "province":
            place = province
        elif level == "city":
            place = (province if rng.random() < 0.3 else "") + city
        else:
            place = (province if rng.random() < 0.3 else "") + city + _county(rng, places[province][city])
    suffix = rng.choice(dept.names[level])
    core = suffix
    for end in ("委员会", "局", "厅", "馆", "联合会", "分局"):
        if core.endswith(end) and len(core) > len(end):
            core = core[: -len(end)]
            break
    return Org(place, dept, place + suffix, core)


def subordinate(rng: random.Random, org: Org) -> str:
    """An implementing unit under the department (or the department itself)."""
    if rng.random() < 0.5:
        return org.name
    return org.place + org.core + rng.choice(["服务中心", "事务中心", "发展中心", "综合行政执法大队", "工作站"])


def person(rng: random.Random) -> str:
    c = data().common
    return rng.choice(c["surnames"]) + "".join(rng.choice(c["given_chars"]) for _ in range(rng.choice([1, 2, 2])))


# ---------------------------------------------------------------- texts

def goal(rng: random.Random, dept: Department, project: str, length: str) -> str:
    """A goal text: "short" (~10 characters), "medium" or "long" (up to ~300, wrapping many lines)."""
    c = data().common
    if length == "short":
        return rng.choice(c["short_goals"] + [f"完成{project}。"])
    n = rng.randint(1, 2) if length == "medium" else rng.randint(3, len(dept.goals))
    clauses = rng.sample(dept.goals, min(n, len(dept.goals)))
    text = rng.choice(c["goal_openers"]) + "；".join(clauses) + "。"
    if length == "long":
        tasks = "、".join(rng.sample(dept.tasks, min(3, len(dept.tasks))))
        text += f"统筹抓好{tasks}等重点工作，" + "".join(rng.sample(c["goal_closers"], rng.randint(1, 3)))
    return text


def goal_length(rng: random.Random) -> str:
    return rng.choices(["short", "medium", "long"], [2, 5, 3])[0]


def deadline(rng: random.Random, year: int) -> str:
    t = rng.choice(data().common["deadline_templates"])
    return t.format(year=year, month=rng.randint(3, 12), day=rng.choice([10, 15, 20, 30]))


def period(rng: random.Random, year: int) -> str:
    return rng.choice([f"{year}.01-{year}.12", f"{year}.01-{year}.12", f"{year}年1月-{year}年12月",
                       f"{year}年", f"{year}年1月1日至{year}年12月31日", f"{year}-{year + 2}年", "1年"])


# ---------------------------------------------------------------- indicators

@dataclass
class Target:
    comparator: str
    value: object
    unit: str | None


def draw_target(rng: random.Random, spec: Spec, year: int, plain_comparators: bool = False) -> Target:
    """A target for the spec; plain_comparators keeps to ≥ ≤ = 定性 (the wording template)."""
    if spec.kind == "qual":
        return Target("定性", rng.choice(spec.words), None)
    if spec.kind == "date":
        return Target("定性", deadline(rng, year), None)
    value = draw_number(rng, spec)
    cmp = spec.comparator
    if cmp == "≥" and value == 100 and spec.unit == "%" and rng.random() < 0.5:
        cmp = "="
    elif cmp == "≥" and rng.random() < 0.06:
        cmp = rng.choice([">", "="])
    elif cmp == "≤" and rng.random() < 0.05:
        cmp = "<"
    if plain_comparators:
        cmp = {">": "≥", "<": "≤"}.get(cmp, cmp)
    return Target(cmp, value, spec.unit)


def pick_specs(rng: random.Random, dept: Department, level2: str, n: int) -> list[Spec]:
    own = list(dept.indicators.get(level2, []))
    generic = [s for s in data().generic.get(level2, []) if s.name not in {o.name for o in own}]
    chosen = rng.sample(own, min(n, len(own)))
    if len(chosen) < n:
        chosen += rng.sample(generic, min(n - len(chosen), len(generic)))
    return chosen


def printed_label(rng: random.Random, canonical: str, variant_rate: float) -> str:
    """The taxonomy label as a form prints it: canonical, or a common variant (满意度)."""
    variants = data().synonyms.get(canonical, [])
    if variants and rng.random() < variant_rate:
        return rng.choice(sorted(variants))
    return canonical
