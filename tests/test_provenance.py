"""Provenance checked on load: a seed quotes its source report, and the amount it quotes is the value."""

from __future__ import annotations

import pytest
from conftest import SEED_PARAMS, variant

from xteval.errors import ParamsError
from xteval.params import load_params

OTHER = 'other_income: {value: 22.2, seed: "其他收入 22.2 万元", line: 15}'

# (substitution, field named in the error, words of the reason); None: the file loads
CASES = [
    ((OTHER, 'other_income: {value: 22.2, seed: "其他收入 22.3 万元", line: 15}'), "income.other_income.seed", "不在源报告中"),
    ((OTHER, 'other_income: {value: 22.5, seed: "其他收入 22.2 万元", line: 15}'), "income.other_income.value", "不符"),
    ((OTHER, 'other_income: {value: "222,000.00 元", seed: "其他收入 22.2 万元", line: 15}'), None, None),  # units converted
    ((OTHER, 'other_income: {value: 22.2, seed: "其他收入 ２２.２ 萬元", line: 15}'), None, None),  # full-width, traditional
    ((OTHER, 'other_income: {value: 22.2, seed: "其他收入22.2万元", line: 15}'), None, None),  # spacing
    ((OTHER, 'other_income: {value: 22.2, seed: "其他收入", line: 15}'), "income.other_income.seed", "没有金额"),
    (
        ('actual: {value: 133, seed: "目标任务完成率达133%", line: 24}', 'actual: {value: 134, seed: "目标任务完成率达133%", line: 24}'),
        "goals[0].actual.value",
        "不符",
    ),
    (("source_report: sources/xiangtan-bigdata-2023.txt\n", ""), "budget_header.seed", "source_report"),
    (("level1: 产出指标", "level1: 未注明"), "goals[0].level1", "不是评分框架的一级指标"),
    (("level1: 产出指标", "level1: 产出"), None, None),  # a framework alias
]


@pytest.mark.parametrize(("sub", "field", "words"), CASES, ids=[c[1] or f"loads-{i}" for i, c in enumerate(CASES)])
def test_provenance_table(tmp_path, sub, field, words):
    text = SEED_PARAMS.read_text(encoding="utf-8")
    assert sub[0] in text
    path = tmp_path / "department.yaml"
    variant(tmp_path, "department.yaml")  # copies the report beside it
    path.write_text(text.replace(sub[0], sub[1], 1), encoding="utf-8")
    if field is None:
        load_params(path)
        return
    with pytest.raises(ParamsError) as err:
        load_params(path)
    line = str(err.value)
    assert f": {field}: " in line and words in line and "\n" not in line


def test_a_payload_in_a_seed_never_loads(tmp_path):
    path = variant(
        tmp_path, "department.yaml", ('seed: "年度预算金额 11168.82 万元"', 'seed: "年度预算金额 11168.82 万元<script>x</script>"')
    )
    with pytest.raises(ParamsError, match="budget_header.seed"):
        load_params(path)
