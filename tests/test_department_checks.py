"""Department-year checks on the params model: one pass/warn/fail table per check, and the seed's own findings."""

from decimal import Decimal

import pytest
from conftest import SEED_PARAMS, variant

from xteval import rules
from xteval.checks import Reason, Status
from xteval.department.checks import department_checks
from xteval.errors import ConfigError
from xteval.params import load_params


def _by_id(suite):
    return {r.id: r for r in suite.results}


def _run(tmp_path, *subs):
    return _by_id(department_checks(load_params(variant(tmp_path, "v.yaml", *subs) if subs else SEED_PARAMS)))


# What the seed's params really give: (check id, status, reason)
SEED = [
    ("budget_header", Status.passed, Reason.ok),
    ("three_public.within_control.total", Status.passed, Reason.ok),
    ("three_public.within_control.reception", Status.passed, Reason.ok),
    ("three_public.within_control.vehicle", Status.passed, Reason.ok),
    ("three_public.claim", Status.passed, Reason.ok),
    ("execution_rate", Status.warn, Reason.rate_mismatch),
    ("execution_rate.within_appropriation", Status.warn, Reason.rate_mismatch),
    ("execution_score", Status.warn, Reason.score_mismatch),
    ("carryover", Status.warn, Reason.carryover_mismatch),
    ("adjustment_rate", Status.warn, Reason.large_adjustment),
    ("goals.count", Status.warn, Reason.goal_count_mismatch),
    ("goals[0].achievement", Status.warn, Reason.over_achievement),  # 133%
    ("goals[1].achievement", Status.warn, Reason.over_achievement),  # 400%
    ("goals[2].achievement", Status.warn, Reason.over_achievement),  # 605 / 300
    ("goals[3].achievement", Status.warn, Reason.over_achievement),  # 150%
    ("goals[4].achievement", Status.warn, Reason.over_achievement),  # SMS 125%, target admitted too low
    ("goals[5].achievement", Status.passed, Reason.ok),
    ("goals[7].achievement", Status.passed, Reason.ok),
    ("goals.all_completed_claim", Status.passed, Reason.ok),
]


@pytest.mark.parametrize(("cid", "status", "reason"), SEED, ids=[s[0] for s in SEED])
def test_seed_params_findings(cid, status, reason):
    r = _by_id(department_checks(load_params(SEED_PARAMS)))[cid]
    assert (r.status, r.reason) == (status, reason), r.message


def test_seed_numbers_and_messages():
    res = _by_id(department_checks(load_params(SEED_PARAMS)))
    assert res["execution_rate"].expected == Decimal("99.98") and res["execution_rate"].observed == 99
    assert "100.18%" in res["execution_rate"].message and "99.98%" in res["execution_rate"].message
    assert res["execution_score"].expected == Decimal("29.70") and res["execution_score"].difference == Decimal("0.30")
    assert res["carryover"].expected == Decimal("2.19") and "-20.01" in res["carryover"].message
    assert res["adjustment_rate"].observed == Decimal("740.35") and "未记入预算调整数" in res["adjustment_rate"].message
    assert "财预〔2020〕10号" in res["goals[2].achievement"].message
    assert "偏低" in res["goals[4].achievement"].message and "125.07%" in res["goals[4].achievement"].message
    assert res["execution_rate.within_appropriation"].difference == Decimal("20.01")


# One table per check: (substitutions in the seed params, check id, status, reason)
TABLE = [
    # header
    ([("budget_header: {value: 11168.82,", "budget_header: {value: 11169.82,")], "budget_header", Status.fail, Reason.header_mismatch),
    # 三公 actual ≤ control, and the claim
    ([("vehicle: {value: 3.19,", "vehicle: {value: 3.29,")], "three_public.within_control.vehicle", Status.fail, Reason.over_control),
    ([("vehicle: {value: 3.19,", "vehicle: {value: 3.29,")], "three_public.claim", Status.fail, Reason.claim_contradicted),
    ([("reception: {value: 0.65,", "reception: {value: 2.24,")], "three_public.within_control.reception", Status.passed, Reason.ok),
    # 预算执行率 at its stated precision: 100.18% and 99.98% are the computed rates
    ([("execution_rate: {value: 99,", "execution_rate: {value: 100,")], "execution_rate", Status.passed, Reason.ok),
    ([("execution_rate: {value: 99,", "execution_rate: {value: 99.98,")], "execution_rate", Status.passed, Reason.ok),
    ([("execution_rate: {value: 99,", "execution_rate: {value: 100.2,")], "execution_rate", Status.passed, Reason.ok),
    ([("execution_rate: {value: 99,", "execution_rate: {value: 99.9,")], "execution_rate", Status.warn, Reason.rate_mismatch),
    ([("execution_rate: {value: 99,", "execution_rate: {value: 97,")], "execution_rate", Status.fail, Reason.rate_mismatch),
    ([("execution_rate: {value: 99,", "execution_rate: {value: 99.5,")], "execution_rate", Status.fail, Reason.rate_mismatch),
    # spending within 财政拨款收入
    ([("total: {value: 11188.83,", "total: {value: 11168.82,")], "execution_rate.within_appropriation", Status.passed, Reason.ok),
    # execution score = 分值 × rate
    ([("execution_rate: {value: 99,", "execution_rate: {value: 100,")], "execution_score", Status.passed, Reason.ok),
    ([("score: 30, max: 30,", "score: 29.7, max: 30,")], "execution_score", Status.passed, Reason.ok),
    ([("score: 30, max: 30,", "score: 29, max: 30,")], "execution_score", Status.warn, Reason.score_mismatch),
    # 结转结余 = 总收入 − 支出总额
    ([("fiscal: {value: 0,", "fiscal: {value: 2.19,")], "carryover", Status.passed, Reason.ok),
    ([("fiscal: {value: 0,", "fiscal: {value: 2.20,")], "carryover", Status.warn, Reason.carryover_mismatch),
    # 预算调整率 bands (rules/checks.yaml): ≤ 10% pass, above warn
    ([("midyear_addition: {value: 9839.75,", "midyear_addition: {value: 100,")], "adjustment_rate", Status.passed, Reason.ok),
    ([("midyear_addition: {value: 9839.75,", "midyear_addition: {value: 300,")], "adjustment_rate", Status.warn, Reason.large_adjustment),
    # goal count against the goals listed (8 in the params)
    ([("goal_count: {value: 7,", "goal_count: {value: 8,")], "goals.count", Status.passed, Reason.ok),
    # over- and under-achievement, and the “均已完成” claim
    ([("actual: {value: 133,", "actual: {value: 129,")], "goals[0].achievement", Status.passed, Reason.ok),
    ([("actual: {value: 133,", "actual: {value: 130,")], "goals[0].achievement", Status.warn, Reason.over_achievement),
    ([("actual: {value: 133,", "actual: {value: 99,")], "goals[0].achievement", Status.warn, Reason.under_achievement),
    ([("actual: {value: 133,", "actual: {value: 99,")], "goals.all_completed_claim", Status.fail, Reason.claim_contradicted),
    ([("短信发送量年初预估偏低。", "短信发送量增加。")], "goals[4].achievement", Status.passed, Reason.ok),
]


@pytest.mark.parametrize(("subs", "cid", "status", "reason"), TABLE, ids=[f"{t[1]}-{i}" for i, t in enumerate(TABLE)])
def test_department_check_table(tmp_path, subs, cid, status, reason):
    r = _run(tmp_path, *subs)[cid]
    assert (r.status, r.reason) == (status, reason), r.message
    assert r.message and r.title


def test_failure_message_states_both_values_and_direction(tmp_path):
    r = _run(tmp_path, ("vehicle: {value: 3.19,", "vehicle: {value: 3.29,"))["three_public.within_control.vehicle"]
    assert "3.29" in r.message and "3.20" in r.message and "多 0.09 万元" in r.message
    assert r.difference == Decimal("0.09") and r.unit == "万元"


def test_missing_figures_list_their_checks_as_not_run_instead_of_raising():
    p = load_params(SEED_PARAMS)
    income = p.income.model_copy(update={"total": None})
    claims = p.claims.model_copy(update={"execution_rate": None})
    suite = department_checks(p.model_copy(update={"income": income, "claims": claims}))
    res = _by_id(suite)
    for cid in ("income.total", "carryover"):  # each check that needs 总收入: 未执行, naming it, never a guess
        assert res[cid].status is Status.skipped and res[cid].status.label == "未执行", cid
        assert res[cid].message.startswith("未执行：缺少 ") and "总收入" in res[cid].message, res[cid].message
        assert res[cid].expected is None and res[cid].observed is None
    assert "execution_rate" not in res  # no rate stated: nothing to compare, not a check left undone
    assert res["income.fiscal_appropriation"].status is Status.passed
    assert "skip" not in suite.counts and suite.counts["fail"] == 0  # 未执行 is not a finding


def test_rules_cite_their_source_and_version():
    data = rules.checks()
    assert data["version"]
    for key, rule in data.items():
        if key != "version":
            assert rule.get("source"), key
            assert rule.get("basis") in ("document", "convention", "illustrative"), key
    assert data["over_achievement"]["ratio"] == Decimal("1.30")
    assert "财预〔2020〕10号" in data["over_achievement"]["source"]


def test_broken_rules_file_is_a_config_error(tmp_path, monkeypatch):
    bad = tmp_path / "checks.yaml"
    bad.write_text("version: x\n", encoding="utf-8")
    monkeypatch.setattr(rules, "CHECKS_FILE", bad)
    rules.checks.cache_clear()
    try:
        with pytest.raises(ConfigError, match="over_achievement"):
            rules.checks()
    finally:
        rules.checks.cache_clear()


PURCHASE = (
    '    vehicle: {value: 3.19, seed: "公务用车运行费3.19万元", line: 19}\n',
    '    vehicle: {value: 3.19, seed: "公务用车运行费3.19万元", line: 19}\n'
    "    vehicle_purchase: {value: 1.20, illustrative: 示例：一辆车的购置费}\n",
)


def test_a_stated_car_purchase_is_a_part_of_the_three_public_total(tmp_path):
    # the seed's actual split adds up without a purchase; a planted 1.20 of 购置费 makes its total short by 1.20
    short = _run(tmp_path, PURCHASE)["three_public.actual"]
    assert short.status is Status.fail and short.expected == Decimal("5.04") and short.observed == Decimal("3.84")
    assert "公务用车购置费" in short.title
    # with the total that holds it, the parts add up again
    whole = _run(tmp_path, PURCHASE, ('total: {value: 3.84, seed: "“三公经费”实际支出3.84万元"', "total: {value: 5.04, illustrative: 示例"))
    assert whole["three_public.actual"].status is Status.passed


def test_the_purchase_row_shows_only_where_the_params_give_one(tmp_path):
    from xteval.department.tables import three_public_table

    def items(path):
        return [str(x) for x in three_public_table(load_params(path)).data["项目"]]

    assert not any("购置" in x for x in items(SEED_PARAMS))
    assert any(x.startswith("公务用车购置费") for x in items(variant(tmp_path, "p.yaml", PURCHASE)))
