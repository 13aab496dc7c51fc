"""Claims in words and changes, as the issue states them: one sentence each, the finding it must (not) give."""

from __future__ import annotations

from pathlib import Path

import pytest

from xteval.audit import audit_file

PROJECT = "某县某局2023年度城区绿化养护项目支出绩效自评报告\n一、项目概况\n（一）项目资金情况\n"
ACCOUNTS = "某县某局2023年度部门决算情况说明\n一、收入支出决算总体情况说明\n"

# (text, result reason expected as a fail, or None: no fail may be reported)
CASES = [
    (PROJECT + "全年补植苗木1200株（目标1000株），超额完成20%。\n", None),
    (PROJECT + "全年补植苗木1200株（目标1000株），超额完成25%。\n", "percent_mismatch"),
    (PROJECT + "编制养护档案420个（年度目标300个）、完成率达150%。\n", "percent_mismatch"),
    (PROJECT + "编制养护档案420个（年度目标300个）、完成率达140%。\n", None),
    (
        ACCOUNTS + "2023年一般公共预算财政拨款支出1,690.38万元，完成年初预算100%，决算数大于预算数48.26万元。\n",
        "claim_contradicted",
    ),
    (ACCOUNTS + "2023年一般公共预算财政拨款支出1,690.38万元，完成年初预算的102.94%，决算数大于预算数48.26万元。\n", None),
    (
        PROJECT + "全年补植苗木900株，目标≥1000株；修剪行道树3000株，目标≥2000株。项目全部完成了预期指标任务。\n",
        "claim_contradicted",
    ),
    # a change is never a total: the 其中 list after it lists this year's parts
    (
        ACCOUNTS
        + "2023年本年支出合计500.00万元，比上年增加20.00万元，增长4.17%，主要原因是人员增加，其中：基本支出300.00万元，项目支出200.00万元。\n",
        None,
    ),
    (ACCOUNTS + "2023年本年支出合计500.00万元，比上年增加20.00万元，增长5.17%。\n", "change_mismatch"),
    (ACCOUNTS + "2023年本年支出合计500.00万元，比上年（2022年为470.00万元）增加20.00万元。\n", "change_mismatch"),
    (ACCOUNTS + "2023年本年支出合计500.00万元，比上年减少20.00万元，下降3.85%。\n", None),  # 20 ÷ 520
    (
        ACCOUNTS
        + "“三公”经费财政拨款支出年初预算为16.00万元，支出决算为16.86万元，其中公务接待费支出决算7.24万元。“三公”经费支出控制在预算以内。\n",
        "over_control",
    ),
]


@pytest.mark.parametrize(("text", "reason"), CASES, ids=[f"{i}-{c[1]}" for i, c in enumerate(CASES)])
def test_claim_and_change_table(tmp_path: Path, text: str, reason: str | None):
    path = tmp_path / "r.txt"
    path.write_text(text, encoding="utf-8")
    _, _, suite = audit_file(path)
    fails = [r for r in suite.results if r.status.value == "fail"]
    if reason is None:
        assert not fails, [r.message for r in fails]
    else:
        assert reason in {r.reason.value for r in fails}, [r.message for r in suite.results if r.status.value != "pass"]
