"""The department-year: a 部门整体支出绩效自评报告 transcribed as a params model.

``notebook: department`` params files validate against :class:`DepartmentParams`
(registered in ``xteval.registry``). Every figure carries its provenance
(see ``xteval.params``).
"""

from __future__ import annotations

import enum

from pydantic import Field, field_validator

from ..params import Amount, Claim, Figure, NamedAmount, ParamsBase, Provenance, Score, _Strict


class Income(_Strict):
    total: Amount = Field(description="总收入")
    fiscal_appropriation: Amount = Field(description="财政拨款收入")
    initial_budget: Amount = Field(description="年初预算")
    non_tax_revenue: Amount | None = Field(None, description="其中：非税收入")
    midyear_addition: Amount = Field(description="年中追加")
    other_income: Amount = Field(description="其他收入")


class Expenditure(_Strict):
    total: Amount = Field(description="支出总额")
    basic: Amount = Field(description="基本支出")
    personnel: Amount = Field(description="人员经费")
    public_operation: Amount = Field(description="公用经费")
    project: Amount = Field(description="项目支出")
    project_parts: list[NamedAmount] = Field(description="项目支出明细（中心项目经费、专项经费…）")


class ThreePublicSplit(_Strict):
    total: Amount = Field(description="合计")
    reception: Amount = Field(description="公务接待费")
    vehicle: Amount = Field(description="公务用车运行费")
    overseas: Amount | None = Field(None, description="出国出境费；报告未提及时留空")


class ThreePublic(_Strict):
    control: ThreePublicSplit = Field(description="三公经费控制数")
    actual: ThreePublicSplit = Field(description="三公经费实际支出")
    within_control_claim: Claim | None = Field(None, description="报告“未超过控制数”之类的表述")


class Carryover(_Strict):
    fiscal: Amount = Field(description="财政拨款结转结余")


class Claims(_Strict):
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


class Goal(_Strict):
    """One 绩效目标/指标 with its 指标值 (target) and 完成值 (actual)."""

    name: str = Field(description="指标名称")
    level1: str = Field(description="一级指标：产出指标 / 效益指标 / 满意度指标")
    level2: str | None = Field(None, description="二级指标：数量 / 质量 / 时效 / 成本 …")
    kind: GoalKind = Field(description="positive ≥ / reverse ≤ / equal = / qualitative")
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

    budget_header: Amount = Field(description="表头“年度预算金额”")
    income: Income = Field(description="收入")
    expenditure: Expenditure = Field(description="支出")
    three_public: ThreePublic = Field(description="三公经费")
    carryover: Carryover = Field(description="结转结余")
    claims: Claims = Field(default_factory=Claims, description="报告表述")
    goals: list[Goal] = Field(default_factory=list, description="绩效指标")
    narrative: Narrative | None = Field(None, description="文字部分")
