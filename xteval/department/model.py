"""The department-year: a 部门整体支出绩效自评报告 transcribed as a params model.

``notebook: department`` params files validate against :class:`DepartmentParams`
(registered in ``xteval.registry``). Every figure carries its provenance
(see ``xteval.params``).
"""

from __future__ import annotations

import enum
from typing import Any

from pydantic import Field, field_validator

from ..params import Amount, Claim, Figure, NamedAmount, ParamsBase, Provenance, Score, StrictModel


class Income(StrictModel):
    total: Amount | None = Field(None, description="总收入")
    fiscal_appropriation: Amount | None = Field(None, description="财政拨款收入")
    initial_budget: Amount | None = Field(None, description="年初预算")
    non_tax_revenue: Amount | None = Field(None, description="其中：非税收入")
    midyear_addition: Amount | None = Field(None, description="年中追加")
    other_income: Amount | None = Field(None, description="其他收入")


class Expenditure(StrictModel):
    total: Amount | None = Field(None, description="支出总额")
    basic: Amount | None = Field(None, description="基本支出")
    personnel: Amount | None = Field(None, description="人员经费")
    public_operation: Amount | None = Field(None, description="公用经费")
    project: Amount | None = Field(None, description="项目支出")
    project_parts: list[NamedAmount] | None = Field(None, description="项目支出明细（中心项目经费、专项经费…）；报告未列明细时留空")


class ThreePublicSplit(StrictModel):
    total: Amount | None = Field(None, description="合计")
    reception: Amount | None = Field(None, description="公务接待费")
    vehicle: Amount | None = Field(None, description="公务用车运行费")
    # a 决算说明 states the purchase apart (公务用车购置及运行费 = 购置费 + 运行费): without it the parts of a unit that
    # bought a car could not add up to the total it states
    vehicle_purchase: Amount | None = Field(None, description="公务用车购置费；报告未提及时留空")
    overseas: Amount | None = Field(None, description="出国出境费；报告未提及时留空")


# the parts of a split with their names, in the order pages and charts show them (the total last)
THREE_PUBLIC_PARTS = (
    ("reception", "公务接待费"),
    ("vehicle", "公务用车运行费"),
    ("vehicle_purchase", "公务用车购置费"),
    ("overseas", "出国出境费"),
)


def shown_three_public_parts(tp: ThreePublic | None) -> list[tuple[str, str]]:
    """The parts a page shows: every part, but the 购置费 only where the params give one (most units buy no car)."""
    splits = [s for s in (getattr(tp, "control", None), getattr(tp, "actual", None)) if s is not None]
    return [(k, n) for k, n in THREE_PUBLIC_PARTS if k != "vehicle_purchase" or any(s.vehicle_purchase is not None for s in splits)]


class ThreePublic(StrictModel):
    control: ThreePublicSplit | None = Field(None, description="三公经费控制数")
    actual: ThreePublicSplit | None = Field(None, description="三公经费实际支出")
    within_control_claim: Claim | None = Field(None, description="报告“未超过控制数”之类的表述")


class Carryover(StrictModel):
    fiscal: Amount | None = Field(None, description="财政拨款结转结余")


class CommonInputs(StrictModel):
    """Figures the 财预〔2013〕53号 common indicators need beyond the report's 收支 (all optional).

    A figure left out makes its indicator 无数据 (never 0, never full marks).
    Amounts are 万元 like every other amount; counts and rates are plain numbers.
    """

    carry_in: Amount | None = Field(None, description="上年结转（年初结转结余，= 上年度累计结转结余）；缺省时取上年参数的结转结余")
    year_end_balance: Amount | None = Field(
        None, description="年末结转结余总额（全部资金，决算数）；缺省时取 carryover.fiscal（财政拨款结转结余）"
    )
    staff_in_service: Figure | None = Field(None, description="在职人员数（部门决算口径，人）")
    staff_authorized: Figure | None = Field(None, description="编制数（机构编制部门核定批复数，人）")
    three_public_budget_previous: Amount | None = Field(None, description="上年度“三公”经费预算数；缺省时取上年参数的三公经费控制数")
    budget_adjustment: Amount | None = Field(
        None, description="预算调整数：年度内追加、追减、结构调整的绝对额之和，剔除政策性、不可抗力、上级临时交办等因素"
    )
    key_project_spending: Amount | None = Field(None, description="重点项目支出（与项目支出同一口径）")
    payment_progress_actual: Figure | None = Field(None, description="实际支付进度（%，某一时点执行数 ÷ 全年预算数）")
    payment_progress_planned: Figure | None = Field(None, description="既定支付进度（%，申报绩效目标时确定）")
    public_funds_budget: Amount | None = Field(None, description="预算安排的公用经费总额（实际支出取 expenditure.public_operation）")
    procurement_budget: Amount | None = Field(None, description="政府采购预算数（批复的年度政府采购计划）")
    procurement_actual: Amount | None = Field(None, description="实际政府采购金额")
    fixed_assets_in_use: Amount | None = Field(None, description="实际在用固定资产总额")
    fixed_assets_total: Amount | None = Field(None, description="所有固定资产总额")
    work_planned: Figure | None = Field(None, description="计划工作数（部门整体绩效目标确定的工作任务数）")
    work_done: Figure | None = Field(None, description="实际完成工作数")
    work_on_time: Figure | None = Field(None, description="及时完成的实际工作数")
    work_quality_ok: Figure | None = Field(None, description="质量达标的实际工作数")
    key_work_assigned: Figure | None = Field(None, description="党委、政府、人大等交办或下达的重点工作数")
    key_work_done: Figure | None = Field(None, description="重点工作实际完成（办结）数")
    late_special_funds: Figure | None = Field(None, description="未按时限下达的专项资金个数（岳阳样表“支付进度”）")
    budget_rules_points_met: Figure | None = Field(None, description="管理制度健全性三个要点中符合的个数（评价人判断）")
    noncompliant_cases: Figure | None = Field(None, description="资金使用不合规事项个数（评价人认定）")
    building_area_control_rate: Figure | None = Field(None, description="新建楼堂馆所面积控制率（%）")
    building_investment_control_rate: Figure | None = Field(None, description="新建楼堂馆所投资概算控制率（%）")


class Claims(StrictModel):
    execution_rate: Figure | None = Field(None, description="报告所称预算执行率（%）")
    execution_score: Score | None = Field(None, description="报告所称预算执行得分，如 30/30")
    goal_count: Figure | None = Field(None, description="报告所称绩效目标个数")
    all_goals_completed: Claim | None = Field(None, description="报告所称“所有目标均已完成”")
    adjustment_not_counted: Claim | None = Field(None, description="“未记入预算调整数”之类的表述")


class GoalKind(enum.StrEnum):
    """How a 绩效指标 compares 完成值 with 指标值."""

    positive = "positive"  # ≥
    reverse = "reverse"  # ≤
    equal = "equal"  # =
    qualitative = "qualitative"


class Goal(StrictModel):
    """One 绩效目标/指标 with its 指标值 (target) and 完成值 (actual)."""

    name: str = Field(description="指标名称")
    level1: str = Field(description="一级指标：产出指标 / 效益指标 / 满意度指标")
    level2: str | None = Field(None, description="二级指标：数量 / 质量 / 时效 / 成本 …")
    kind: GoalKind = Field(description="指标方向：positive ≥ / reverse ≤ / equal = / qualitative")
    unit: str = Field("", description="计量单位")
    target: Figure | None = Field(None, description="指标值")
    actual: Figure | None = Field(None, description="完成值")
    weight: Figure | None = Field(None, description="分值（权重）")
    grade: str | None = Field(None, description="定性指标等级：达成 / 部分达成 / 未达成")
    score: Figure | None = Field(None, description="评价人给出的得分（定性指标）")
    evidence: str = Field("", description="佐证材料或原文")

    @field_validator("level1")
    @classmethod
    def _framework_level1(cls, v: str) -> str:
        """一级指标 must be a name (or alias) of the default framework's indicator levels: the notebook scores by it."""
        names = level1_names()
        if v not in names:
            raise ValueError(f"一级指标 {v!r} 不是评分框架的一级指标 (level1 must be one of: {'、'.join(sorted(set(names.values())))})")
        return v


def level1_names() -> dict[str, str]:
    """Accepted 一级指标 → canonical name, from the ``mof2020-self`` framework (预算执行率 is not a goal's level)."""
    from ..scoring import frameworks

    fw = frameworks.get("mof2020-self")
    return {k: v for k, v in fw.alias_map.items() if v != "预算执行率"}


class Narrative(Provenance):
    functions: str = Field("", description="单位基本职能")
    problems: str = Field("", description="存在的问题")
    improvements: str = Field("", description="改进措施")


class DepartmentParams(ParamsBase):
    """One department-year: 部门整体支出绩效自评报告 transcribed."""

    budget_header: Amount | None = Field(None, description="表头“年度预算金额”")
    income: Income = Field(default_factory=Income, description="收入")
    expenditure: Expenditure = Field(default_factory=Expenditure, description="支出")
    three_public: ThreePublic = Field(default_factory=ThreePublic, description="三公经费")
    carryover: Carryover = Field(default_factory=Carryover, description="结转结余")
    common: CommonInputs = Field(default_factory=CommonInputs, description="共性指标所需的其他数据（可选，缺省记无数据）")
    claims: Claims = Field(default_factory=Claims, description="报告表述")
    goals: list[Goal] = Field(default_factory=list, description="绩效指标（可选：无目标时目标类检查未执行，目标类指标记无数据）")
    narrative: Narrative | None = Field(None, description="文字部分")

    @field_validator("income", "expenditure", "three_public", "carryover", "common", "claims", mode="before")
    @classmethod
    def _empty_section(cls, v: Any) -> Any:
        """A section whose every line was deleted from a draft (``income:`` with nothing under it) has no figures."""
        return {} if v is None else v

    @field_validator("goals", mode="before")
    @classmethod
    def _no_goals(cls, v: Any) -> Any:
        return [] if v is None else v
