"""Report audit from text: planted errors, a clean report, the seed, robust reading, and the check CLI."""

import json
import re
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import SEED_PARAMS, SEED_REPORT, variant

from xteval import audit
from xteval.checks import Reason, Status
from xteval.cli import main
from xteval.errors import InputError
from xteval.params import load_params

REPORTS = Path(__file__).parent / "fixtures" / "reports"
CLEAN = REPORTS / "clean.txt"


def _run(path, params=None):
    _, _, suite = audit.audit_file(path, params)
    return suite


def _find(suite, prefix):
    hits = [r for r in suite.results if r.id == prefix or r.id.startswith(prefix + ".")]
    assert hits, f"no result {prefix!r} in {[r.id for r in suite.results]}"
    return hits


# ----------------------------------------------------------------- planted errors, one per check

# (fixture, result id or id prefix, status, reason); each fixture is clean.txt with one planted error
PLANTED = [
    ("planted-income-total", "income.total", Status.fail, Reason.sum_mismatch),
    ("planted-income-fiscal", "income.fiscal_appropriation", Status.fail, Reason.sum_mismatch),
    ("planted-expenditure-total", "expenditure.total", Status.fail, Reason.sum_mismatch),
    ("planted-expenditure-basic", "expenditure.basic", Status.fail, Reason.sum_mismatch),
    ("planted-expenditure-project", "expenditure.project", Status.fail, Reason.sum_mismatch),
    ("planted-three-public-control", "three_public.control", Status.fail, Reason.sum_mismatch),
    ("planted-three-public-actual", "three_public.actual", Status.fail, Reason.sum_mismatch),
    ("planted-budget-header", "budget_header", Status.fail, Reason.header_mismatch),
    ("planted-over-control", "three_public.within_control.vehicle", Status.fail, Reason.over_control),
    ("planted-over-control", "three_public.claim", Status.fail, Reason.claim_contradicted),
    ("planted-execution-rate", "execution_rate", Status.fail, Reason.rate_mismatch),
    ("planted-execution-rate-truncated", "execution_rate", Status.warn, Reason.rate_mismatch),
    ("planted-over-appropriation", "execution_rate.within_appropriation", Status.warn, Reason.rate_mismatch),
    ("planted-execution-score", "execution_score", Status.warn, Reason.score_mismatch),
    ("planted-carryover", "carryover", Status.warn, Reason.carryover_mismatch),
    ("planted-adjustment-rate", "adjustment_rate", Status.warn, Reason.large_adjustment),
    ("planted-goal-count", "goals.count", Status.warn, Reason.goal_count_mismatch),
    ("planted-over-achievement", "goals[1].achievement", Status.warn, Reason.over_achievement),
    ("planted-under-achievement", "goals[1].achievement", Status.warn, Reason.under_achievement),
    ("planted-under-achievement", "goals.all_completed_claim", Status.fail, Reason.claim_contradicted),
    ("planted-target-admitted-low", "goals[3].achievement", Status.warn, Reason.over_achievement),
    ("planted-invalid-date", "dates.invalid", Status.fail, Reason.invalid_date),
    ("planted-period-reversed", "periods.reversed", Status.fail, Reason.period_reversed),
    ("planted-period-sum", "periods.sum", Status.fail, Reason.period_sum_mismatch),
    ("planted-period-gap", "periods.coverage", Status.fail, Reason.period_gap_overlap),
    ("planted-monthly-rate", "periods.monthly_rate", Status.warn, Reason.rate_difference),
    ("planted-cross-year-payment", "payment.cross_year", Status.warn, Reason.cross_year_payment),
    ("planted-cross-year-payment", "payment.claim", Status.fail, Reason.claim_contradicted),
    ("planted-list-sum", "list", Status.fail, Reason.sum_mismatch),
    ("planted-percent", "percent", Status.fail, Reason.percent_mismatch),
    ("planted-enumeration", "enumeration", Status.warn, Reason.count_mismatch),
    ("planted-figure-missing", "extract.income.other_income", Status.warn, Reason.not_found),
]


@pytest.fixture(scope="module")
def clean_suite():
    return _run(CLEAN)


@pytest.mark.parametrize(("name", "cid", "status", "reason"), PLANTED, ids=[f"{p[0]}:{p[1]}" for p in PLANTED])
def test_planted_error_is_found(clean_suite, name, cid, status, reason):
    hits = [r for r in _find(_run(REPORTS / f"{name}.txt"), cid) if r.status is status]
    assert hits and hits[0].reason is reason, [(r.id, r.status, r.message) for r in _find(_run(REPORTS / f"{name}.txt"), cid)]
    assert hits[0].message
    # the same check on the clean report does not report it
    assert not [r for r in clean_suite.results if r.id.split(".L")[0] == hits[0].id.split(".L")[0] and r.status is status]


def test_clean_report_has_zero_fails_and_checks_everything(clean_suite):
    assert clean_suite.counts == {"pass": 35, "warn": 0, "fail": 0}, [r.message for r in clean_suite.results if not r.passed]
    ids = {r.id.split(".L")[0] for r in clean_suite.results}
    for cid in ("income.total", "expenditure.project", "three_public.claim", "execution_rate", "execution_score", "carryover"):
        assert cid in ids
    for cid in (
        "dates.valid",
        "periods.sum",
        "periods.coverage",
        "periods.monthly_rate",
        "payment.claim",
        "list",
        "percent",
        "enumeration",
    ):
        assert any(i == cid or i.startswith(cid + ".") for i in ids), cid


# ----------------------------------------------------------------- the seed

# Every real inconsistency of the seed, and the identities that hold (text audit, with its params for 指标值)
SEED_FINDINGS = [
    ("dates.invalid", Status.fail, Reason.invalid_date),  # 9 月 31 日
    ("periods.sum", Status.fail, Reason.period_sum_mismatch),  # 3343659.05 ≠ 3343659.05 + 1115814.3
    ("payment.claim", Status.fail, Reason.claim_contradicted),  # 全年“已支付” vs Q4 paid 2024 年元月
    ("payment.cross_year", Status.warn, Reason.cross_year_payment),
    ("periods.monthly_rate", Status.warn, Reason.rate_difference),  # 371517.67 vs 371938.10 元/月
    ("periods.coverage", Status.passed, Reason.ok),
    ("execution_rate", Status.warn, Reason.rate_mismatch),  # 99% vs 100.18% / 99.98%
    ("execution_rate.within_appropriation", Status.warn, Reason.rate_mismatch),
    ("execution_score", Status.warn, Reason.score_mismatch),  # 30 vs 29.70
    ("carryover", Status.warn, Reason.carryover_mismatch),  # 0 vs 2.19
    ("goals.count", Status.warn, Reason.goal_count_mismatch),  # 7 claimed
    ("adjustment_rate", Status.warn, Reason.large_adjustment),  # 740.35%
    ("goals[0].achievement", Status.warn, Reason.over_achievement),  # 133%
    ("goals[1].achievement", Status.warn, Reason.over_achievement),  # 400%
    ("goals[2].achievement", Status.warn, Reason.over_achievement),  # 202%
    ("goals[3].achievement", Status.warn, Reason.over_achievement),  # 150%
    ("goals[4].achievement", Status.warn, Reason.over_achievement),  # SMS, admitted too low
    ("income.total", Status.passed, Reason.ok),
    ("income.fiscal_appropriation", Status.passed, Reason.ok),
    ("expenditure.total", Status.passed, Reason.ok),
    ("expenditure.basic", Status.passed, Reason.ok),
    ("expenditure.project", Status.passed, Reason.ok),
    ("three_public.control", Status.passed, Reason.ok),
    ("three_public.actual", Status.passed, Reason.ok),
    ("three_public.within_control.total", Status.passed, Reason.ok),
    ("three_public.claim", Status.passed, Reason.ok),
    ("budget_header", Status.passed, Reason.ok),
    ("percent.L24.2", Status.passed, Reason.ok),  # 605 个 ÷ 300 = 201.67% ≈ 202%
    ("enumeration.L20", Status.passed, Reason.ok),  # 4 companies
    ("enumeration.L24", Status.passed, Reason.ok),  # 人口、法人、经济和信用 4 个基础库
    ("enumeration.L40", Status.passed, Reason.ok),  # 7 个二级子项目
]


@pytest.fixture(scope="module")
def seed_suite():
    return _run(SEED_REPORT, load_params(SEED_PARAMS))


@pytest.mark.parametrize(("cid", "status", "reason"), SEED_FINDINGS, ids=[s[0] for s in SEED_FINDINGS])
def test_seed_finding(seed_suite, cid, status, reason):
    r = _find(seed_suite, cid)[0]
    assert (r.status, r.reason) == (status, reason), r.message
    assert r.evidence and all(e.quote for e in r.evidence)


def test_seed_counts_and_key_numbers(seed_suite):
    # 21 checks pass, plus one record that every figure found in the text equals the params'
    assert seed_suite.counts == {"pass": 22, "warn": 13, "fail": 3}
    agree = _find(seed_suite, "source.agree")[0]
    assert agree.passed and "department.yaml" in agree.message
    r = _find(seed_suite, "periods.sum")[0]
    assert (r.observed, r.expected, r.difference, r.unit) == (
        Decimal("3343659.05"),
        Decimal("4459473.35"),
        Decimal("-1115814.30"),
        "元",
    )
    assert _find(seed_suite, "dates.invalid")[0].evidence[0].line == 44
    assert "9 月 31 日" in _find(seed_suite, "dates.invalid")[0].message
    assert "420.43" in _find(seed_suite, "periods.monthly_rate")[0].message
    assert "2024 年元月" in _find(seed_suite, "payment.cross_year")[0].message


def test_seed_extracts_every_template_figure():
    ex = audit.extract(audit.read_report(SEED_REPORT))
    assert ex.not_found == []
    m = ex.model
    assert m.income.total.value == Decimal("11191.02") and m.income.total.line == 15
    assert m.three_public.actual.overseas is None  # the report does not give it: not guessed
    assert [x.name for x in m.expenditure.project_parts] == ["中心项目经费", "专项经费"]
    assert m.claims.execution_score.score == 30 and m.claims.goal_count.value == 7


# ----------------------------------------------------------------- robust reading


def _fullwidth(text: str) -> str:
    table = {ord(c): chr(ord(c) + 0xFEE0) for c in "0123456789.,%:;()"}
    return text.translate(table)


VARIANTS = [
    ("gbk", lambda t: t, "gbk"),
    ("gb18030", lambda t: t, "gb18030"),
    ("utf8-bom", lambda t: t, "utf-8-sig"),
    ("crlf", lambda t: t.replace("\n", "\r\n"), "utf-8"),
    ("fullwidth", _fullwidth, "utf-8"),
    ("no-p-tags", lambda t: re.sub(r"</?p>", "", t), "utf-8"),
    ("page-noise", lambda t: t.replace("\n\n", "\n\n12\n\n", 3), "utf-8"),
    (
        "units-yuan-yi",
        lambda t: t.replace("总收入 2480.50 万元", "总收入 24,805,000.00 元").replace("年中追加 150 万 元", "年中追加 0.015 亿元"),
        "utf-8",
    ),
    (
        "other-phrasings",
        lambda t: (
            t.replace("支出总额 2450.00", "总支出 2450.00")
            .replace("公务用车运行费", "公务用车运行维护费")
            .replace("出国出境费", "因公出国（境）费")
            .replace("预算执行率为", "预算执行率达到")
            .replace("共设置5个绩效目标", "共设定5个绩效目标")
            .replace("已于 2023 年 12 月 20 日支付", "于 2023 年 12 月支付")
            .replace("经费控制数为6.00万元", "经费预算数为6.00万元")
        ),
        "utf-8",
    ),
    ("spaces-in-numbers", lambda t: t.replace("已支付 1200000.00 元", "已支付 1 200 000.00 元"), "utf-8"),
]


@pytest.mark.parametrize(("name", "change", "encoding"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_clean_report_in_other_forms_gives_the_same_findings(tmp_path, clean_suite, name, change, encoding):
    path = tmp_path / f"{name}.txt"
    path.write_bytes(change(CLEAN.read_text(encoding="utf-8")).encode(encoding))
    suite = _run(path)

    def key(s):
        return sorted(
            (r.id.split(".L")[0], r.status.value, None if r.observed is None else Decimal(r.observed).normalize()) for r in s.results
        )

    assert key(suite) == key(clean_suite)


def test_gbk_fixture_reads_as_gbk(clean_suite):
    report = audit.read_report(REPORTS / "clean-gbk.txt")
    assert report.encoding == "gb18030"
    assert _run(REPORTS / "clean-gbk.txt").to_dicts() == clean_suite.to_dicts()


def test_normalising_keeps_line_numbers():
    raw = "甲\r\n<p>总收入 １２.５ 万元</p>\n4.26\n乙"
    report = audit.prepare(raw)
    assert report.text.split("\n") == ["甲", "总收入 12.5 万元", "", "乙"]
    assert report.line_of(report.text.index("总收入")) == 2


def test_no_recognised_figure_is_not_a_pass():
    suite = _run(REPORTS / "no-figures.txt")
    assert suite.failed and _find(suite, "extract.none")[0].status is Status.fail
    assert suite.counts["pass"] == 0


def _empty(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    return tmp_path / "empty.txt"


def _blank(tmp_path):
    (tmp_path / "blank.txt").write_text(" \n\t\n", encoding="utf-8")
    return tmp_path / "blank.txt"


def _undecodable(tmp_path):
    (tmp_path / "latin.txt").write_bytes("总收入".encode()[:2] + b"\xff\xfe\xfd" * 20)
    return tmp_path / "latin.txt"


BAD = [
    ("empty", _empty, "empty file"),
    ("blank", _blank, "empty file"),
    ("binary", lambda tmp: REPORTS / "binary.txt", "binary"),
    ("undecodable", _undecodable, "binary or unknown encoding"),
    ("missing", lambda tmp: tmp / "nope.txt", "file not found"),
    ("directory", lambda tmp: tmp, "is a directory"),
]


@pytest.mark.parametrize(("name", "make", "words"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, name, make, words):
    path = make(tmp_path)
    with pytest.raises(InputError, match=re.escape(words)):
        audit.read_report(path)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("xteval: error: ") and str(path) in err and "Traceback" not in err


# ----------------------------------------------------------------- the CLI


def test_cli_exit_codes(capsys):
    assert main(["check", str(CLEAN)]) == 0
    assert "不符 0" in capsys.readouterr().out
    assert main(["check", str(SEED_REPORT)]) == 1
    assert main(["check", str(REPORTS / "no-figures.txt")]) == 1


def test_cli_json_is_an_array_of_records_with_numeric_strings(capsys):
    assert main(["check", str(SEED_REPORT), "--params", str(SEED_PARAMS), "--json"]) == 1
    records = json.loads(capsys.readouterr().out)
    assert isinstance(records, list)
    checks = [r for r in records if not r["id"].startswith("figure.")]  # one record per figure found follows the checks
    assert len(checks) == 40  # what the appendix lists: the checks on the params, then what the text alone adds
    keys = {"id", "title", "status", "expected", "observed", "difference", "tolerance", "unit", "evidence", "message"}
    for r in records:
        assert keys <= set(r) and r["status"] in ("pass", "warn", "fail")
        for k in ("expected", "observed", "difference", "tolerance"):
            assert r[k] is None or Decimal(r[k]).is_finite()
        for e in r["evidence"]:
            assert set(e) == {"quote", "line"}
    by_id = {r["id"]: r for r in records}
    assert by_id["carryover"]["expected"] == "2.19" and by_id["carryover"]["unit"] == "万元"
    assert by_id["percent.L24.2"]["status"] == "pass"  # the params named with --params give the target 300


def test_cli_html_page_is_offline_grouped_and_highlighted(tmp_path, capsys):
    out = tmp_path / "findings.html"
    assert main(["check", str(SEED_REPORT), "--html", str(out)]) == 1
    page = out.read_text(encoding="utf-8")
    assert page.index('id="fail"') < page.index('id="warn"') < page.index('id="pass"')
    assert "<mark>9 月 31 日</mark>" in page or "<mark>" in page
    assert page.count("<mark>") >= 37
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
    assert "@import" not in page and "<script" not in page


def test_cli_html_escapes_report_text(tmp_path, capsys):
    report = tmp_path / "r.txt"
    text = CLEAN.read_text(encoding="utf-8").replace("总收入 2480.50 万元", "总收入<script>alert(1)</script> 2482.50 万元")
    report.write_text(text, encoding="utf-8")
    out = tmp_path / "f.html"
    main(["check", str(report), "--html", str(out)])
    assert "<script>alert" not in out.read_text(encoding="utf-8")


def test_find_params_beside_the_report():
    assert audit.find_params(SEED_REPORT) == SEED_PARAMS.resolve()
    assert audit.find_params(CLEAN) is None


def test_fixture_text_is_normalisable():
    # the fixtures are plain text the way reports arrive: NFKC makes no structural change
    text = CLEAN.read_text(encoding="utf-8")
    assert unicodedata.normalize("NFKC", text).count("\n") == text.count("\n")


def test_a_fuller_qizhong_list_replaces_the_identity(tmp_path):
    # another department's income also lists 事业收入: the text's own list is checked, not the two-part identity
    text = (
        CLEAN.read_text(encoding="utf-8")
        .replace("总收入 2480.50 万元", "总收入 2490.50 万元")
        .replace("；其他收入 242,000.00 元", "；事业收入 10 万元；其他收入 242,000.00 元")
        .replace("结转结余30.5万元", "结转结余40.5万元")
    )
    path = tmp_path / "r.txt"
    path.write_text(text, encoding="utf-8")
    suite = _run(path)
    assert not suite.failed and "income.total" not in {r.id for r in suite.results}
    listed = [r for r in suite.results if r.id.startswith("list.L9")]
    assert listed and listed[0].passed and "事业收入" in listed[0].message
    path.write_text(text.replace("事业收入 10 万元", "事业收入 12 万元"), encoding="utf-8")
    assert [r.status for r in _run(path).results if r.id.startswith("list.L9")] == [Status.fail]


def test_cli_unwritable_html_is_bad_input_and_prints_nothing(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    assert main(["check", str(CLEAN), "--html", str(blocker / "findings.html")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("xteval: error: ") and err.count("\n") == 1


# (sentence added to the clean report, result id prefix, status or None when no such result may appear)
TEXT_CASES = [
    ("服务期为 2023 年 12 月 1 日至 3 月 31 日。", "periods.reversed", None),  # a winter period runs into the next year
    ("服务期为 2023 年 6 月 1 日至 3 月 31 日。", "periods.reversed", Status.fail),
    ("尾款于次年 2 月支付。", "payment.cross_year", Status.warn),
    ("尾款拟于 2024 年 3 月支付。", "payment.cross_year", None),  # planned, not described as made
    ("尾款已于 2024 年 3 月支付。", "payment.cross_year", Status.warn),
    ("2023 年 2 月 29 日完成验收。", "dates.invalid", Status.fail),
    ("2024 年 2 月 29 日完成验收。", "dates.invalid", None),  # a leap day
    ("配套资金 50 万元，其中省级 20 万元，市级 20 万元。", "list", Status.warn),  # parts short: perhaps not all listed
    ("配套资金 50 万元，其中省级 30 万元，市级 30 万元。", "list", Status.fail),
    ("总投资约 50 万元，其中省级 30 万元，市级 30 万元。", "list", None),  # an approximate total is not reconciled
    ("完成张三、李四、王五 3 个课题。", "enumeration", Status.passed),
    ("完成张三、李四 3 个课题。", "enumeration", Status.warn),
    ("涉及张三、李四等 3 个课题。", "enumeration", None),  # “等” with fewer named: an etc.
]


@pytest.mark.parametrize(("sentence", "cid", "status"), TEXT_CASES, ids=[c[0] for c in TEXT_CASES])
def test_text_check_table(tmp_path, sentence, cid, status):
    path = tmp_path / "r.txt"
    path.write_text(CLEAN.read_text(encoding="utf-8").replace("无。", sentence), encoding="utf-8")
    hits = [r for r in _run(path).results if r.id.startswith(cid) and r.evidence and r.evidence[0].line == 34]
    if status is None:
        assert not [r for r in hits if not r.passed], [r.message for r in hits]
    else:
        assert hits and hits[0].status is status, [r.message for r in hits]


# ----------------------------------------------------------------- any consistent report in the template passes

from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_WAN = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999.99"), places=2)
_SMALL = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("9.99"), places=2)

TEMPLATE = """\t单位名称\t某市某中心
\t年度预算金额\t{fiscal}
绩效完成情况\t部门整体支出管理和使用情况\t<p>（一）收入情况：2023 年度我中心总收入 {total}，其中财政拨款收入 {fiscal}，包括年初预算 {initial}，年中追加 {midyear}；其他收入 {other}。</p> <p>（二）支出情况：2023 年度支出总额 {spend}。包括基本支出 {basic}，其中人员经费 {personnel}，公用经费 {public}；项目支出 {project}，其中中心项目经费 {center}，专项经费 {special}。</p>
<p>（三）“三公经费”预算执行情况：2023年，中心“三公”经费控制数为{c_total}，其中公务接待费{c_rec}，公务用车运行费{c_veh}。我中心2023年度“三公经费”实际支出{a_total}，其中公务接待费{a_rec}，公务用车运行费{a_veh}，未超过控制数。</p> <p>（四）结转结余情况。2023年度我中心财政拨款结转结余{carry}。</p> <p>2023年度我中心预算执行率为{rate}%。</p> <p>预算执行情况总分20分，得分{score}分。</p>
"""


def _render(v: Decimal, as_yuan: bool, wide: bool) -> str:
    text = f"{v * 10000:,.2f} 元" if as_yuan else f"{v} 万元"
    return _fullwidth(text) if wide else text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    initial=_WAN, midyear=_WAN, other=_SMALL, personnel=_WAN, public=_WAN, center=_WAN, special=_WAN,
    c_rec=_SMALL, c_veh=_SMALL, share=st.decimals(min_value=Decimal("0"), max_value=Decimal("1"), places=2),
    yuan=st.lists(st.booleans(), min_size=16, max_size=16), wide=st.booleans(),
)  # fmt: skip
def test_any_consistent_report_in_the_template_has_no_fail(
    tmp_path, initial, midyear, other, personnel, public, center, special, c_rec, c_veh, share, yuan, wide
):
    fiscal, total = initial + midyear, initial + midyear + other
    basic, project = personnel + public, center + special
    spend = basic + project
    assume(spend <= total)
    a_rec, a_veh = (c_rec * share).quantize(Decimal("0.01")), (c_veh * share).quantize(Decimal("0.01"))
    rate = (spend / fiscal * 100).quantize(Decimal("0.1"))
    figures = dict(
        fiscal=fiscal, total=total, initial=initial, midyear=midyear, other=other, spend=spend, basic=basic,
        personnel=personnel, public=public, project=project, center=center, special=special,
        c_total=c_rec + c_veh, c_rec=c_rec, c_veh=c_veh, a_total=a_rec + a_veh, a_rec=a_rec, a_veh=a_veh,
        carry=total - spend,
    )  # fmt: skip
    text = TEMPLATE.format(
        **{k: _render(v, yuan[i % len(yuan)], wide) for i, (k, v) in enumerate(figures.items())},
        rate=rate,
        score=(20 * rate / 100).quantize(Decimal("0.01")),
    )
    path = tmp_path / "r.txt"
    path.write_text(text, encoding="utf-8")
    suite = _run(path)
    assert not suite.failed, [r.message for r in suite.results if r.status is Status.fail]
    ids = {r.id for r in suite.results if r.passed}
    for cid in ("income.total", "income.fiscal_appropriation", "expenditure.total", "expenditure.basic", "expenditure.project"):
        assert cid in ids, cid
    assert not [r for r in suite.results if r.reason is Reason.not_found]


def test_beside_params_the_text_adds_only_what_it_alone_gives():
    """The department notebook runs the identities on the params; the text audit must not run them again."""
    _, _, suite = audit.audit_file(SEED_REPORT, load_params(SEED_PARAMS), model_checks=False)
    ids = {r.id for r in suite.results}
    assert not ids & {"income.total", "budget_header", "execution_rate", "carryover", "goals.count"}
    assert not any(i.startswith("extract.") for i in ids)  # the params give what the text lacks
    assert {"dates.invalid.L44", "source.agree"} <= ids


def test_a_text_figure_that_differs_from_the_params_names_both(tmp_path):
    params = variant(
        tmp_path,
        "department.yaml",
        ('other_income: {value: 22.2, seed: "其他收入 22.2 万元", line: 15}', "other_income: {value: 22.5, illustrative: 转录测试}"),
    )
    _, _, suite = audit.audit_file(SEED_REPORT, load_params(params), model_checks=False)
    r = _find(suite, "source.income.other_income")[0]
    assert (r.status, r.reason, r.observed, r.expected, r.difference) == (
        Status.warn,
        Reason.source_mismatch,
        Decimal("22.2"),
        Decimal("22.5"),
        Decimal("-0.3"),
    )
    assert "第 15 行" in r.message and "department.yaml" in r.message and "少 0.30 万元" in r.message


# ----------------------------------------------------------------- the figure budget


def test_a_text_over_the_figure_budget_is_read_to_its_budget_and_says_where_it_stopped(tmp_path, monkeypatch):
    """A report followed by a dump of numbers: the report's findings stay, the dump is cut, a warn names the lines read."""
    from xteval.audit.reading import FIGURE_BUDGET_ENV

    monkeypatch.setenv(FIGURE_BUDGET_ENV, "1000")
    report = (REPORTS / "planted-income-total.txt").read_text(encoding="utf-8")
    # after the report, 1,500 lines of one number each, then a planted error the budget never reaches
    dump = "".join(f"附表数据 {i} 万元\n" for i in range(1, 1501))
    tail = "九、补充说明\n2023年9月31日完成验收。\n"
    path = tmp_path / "long.txt"
    path.write_text(report + "\n" + dump + tail, encoding="utf-8")

    suite = _run(path)
    (partly,) = _find(suite, "document.partly_read")
    assert partly.status is Status.warn and partly.reason is Reason.partly_read
    lines_read = int(re.search(r"第 1–([\d,]+) 行", partly.message)[1].replace(",", ""))
    # the cut falls after the line that holds the 1,000th number, counted here line by line
    counts = [len(re.findall(r"\d+", line)) for line in (report + "\n" + dump + tail).split("\n")]
    line_of_1000th = next(n for n in range(1, len(counts) + 1) if sum(counts[:n]) >= 1000)
    assert lines_read == line_of_1000th
    assert report.count("\n") + 1 < lines_read < report.count("\n") + 1 + 1500  # inside the dump
    assert partly.expected == len(report + "\n" + dump + tail) and partly.observed < partly.expected
    # what the report plants is still found; the invalid date after the dump is not read
    assert _find(suite, "income.total")[0].status is Status.fail
    assert not [r for r in suite.results if r.reason is Reason.invalid_date]

    # the same text under the default budget: no warn, and the date after the dump is found
    monkeypatch.delenv(FIGURE_BUDGET_ENV)
    whole = _run(path)
    assert not [r for r in whole.results if r.id == "document.partly_read"]
    assert [r for r in whole.results if r.reason is Reason.invalid_date]


def test_a_single_line_over_the_figure_budget_is_cut_at_a_sentence_end():
    """A text with no line break (a hostile “其中” chain) is cut after the sentence of its budget-th number."""
    from xteval.audit.reading import within_figure_budget

    text = "合计 12.5 万元，其中 3 万元。" * 2000
    kept = within_figure_budget(text, 1000)
    # “12.5” is two runs of digits, so a sentence holds three: the 1,000th is in the 334th sentence
    assert kept == ("合计 12.5 万元，其中 3 万元。" * 334)[:-1]
    assert within_figure_budget("收入 5 万元。" * 10, 1000) == "收入 5 万元。" * 10


def test_a_date_in_a_table_row_keeps_its_offset():
    """Date facts point at their own text, also after tabs and spaces that normalising a line again would collapse."""
    from xteval.audit.engine import extract_facts

    report = audit.prepare("一、项目验收\n验收 \t 日期 \t 2023年9月30日\t已完成\n\t \t2024年1月5日 \t 付款")
    dates = [f for f in extract_facts(report).facts if f.field == "date"]
    assert [f.value for f in dates] == ["2023-09-30", "2024-01-05"]
    assert all(report.text[f.start : f.end] == f.quote for f in dates), [(report.text[f.start : f.end], f.quote) for f in dates]


# ----------------------------------------------------------------- the 三公 table pasted as text

_TP_BLOCKED = """某县水利局2023年度一般公共预算财政拨款“三公”经费支出决算表
单位：元
机关运行经费 | 三公经费
| 预算数 | 决算数 |
| 合计 | 因公出国（境）费 | 公务用车购置及运行费 | | | 公务接待费 | 合计 | 因公出国（境）费 | 公务用车购置及运行费 | | | 公务接待费 |
| | | 小计 | 购置费 | 运行费 | | | | 小计 | 购置费 | 运行费 | |
1,203,400.00 | 180,000.00 | 0.00 | 150,000.00 | 0.00 | 150,000.00 | 30,000.00 | 162,500.50 | 0.00 | 141,200.50 | 0.00 | 141,200.50 | 21,300.00
"""


def _table_facts(text):
    from xteval.audit import read_document

    doc = read_document(audit.prepare(text))
    return {f.field: f.value for f in doc.facts if f.cell and f.field.startswith(("three_public.", "expenditure.office"))}


def test_a_three_public_table_in_blocks_with_its_office_column_first_is_read_by_the_forms_columns():
    """预算数 block, then 决算数 block, in 元, with 机关运行经费 before the 三公 columns."""
    facts = _table_facts(_TP_BLOCKED)
    assert facts == {
        "expenditure.office_operation": Decimal("120.34"),
        "three_public.control.total": Decimal("18"),
        "three_public.control.overseas": Decimal("0"),
        "three_public.control.vehicle_total": Decimal("15"),
        "three_public.control.vehicle_purchase": Decimal("0"),
        "three_public.control.vehicle": Decimal("15"),
        "three_public.control.reception": Decimal("3"),
        "three_public.actual.total": Decimal("16.25005"),
        "three_public.actual.overseas": Decimal("0"),
        "three_public.actual.vehicle_total": Decimal("14.12005"),
        "three_public.actual.vehicle_purchase": Decimal("0"),
        "three_public.actual.vehicle": Decimal("14.12005"),
        "three_public.actual.reception": Decimal("2.13"),
    }


def test_a_three_public_table_with_a_column_number_row_reads_the_figures_not_the_column_numbers():
    """The central form numbers its columns (栏次 1 … 12) under the header: that row is not the figures."""
    text = (
        "财政拨款“三公”经费支出决算表\n金额单位：万元\n预算数\t决算数\n"
        + "\t".join(["合计", "因公出国（境）费", "公务用车购置及运行费", "公务接待费"] * 2)
        + "\n"
        + "\t".join(["小计", "购置费", "运行费"] * 2)
        + "\n"
        + "\t".join(str(k) for k in range(1, 13))
        + "\n"
        + "\t".join(["9.60", "0.00", "6.00", "0.00", "6.00", "3.60", "8.15", "0.00", "5.72", "0.00", "5.72", "2.43"])
        + "\n"
    )
    facts = _table_facts(text)
    assert facts["three_public.control.total"] == Decimal("9.60") and facts["three_public.actual.reception"] == Decimal("2.43")
    assert len(facts) == 12


def test_a_three_public_table_whose_row_does_not_fit_its_header_is_left_unread():
    """Twelve figures under thirteen columns, or eleven: no guess at which one is missing."""
    assert _table_facts(_TP_BLOCKED.replace("1,203,400.00 | ", "")) == {}
    assert _table_facts(_TP_BLOCKED.replace("1,203,400.00 | 180,000.00 | ", "")) == {}
    # without the 机关运行经费 column in the header, twelve figures are the twelve 三公 columns
    plain = _TP_BLOCKED.replace("机关运行经费 | 三公经费", "三公经费").replace("1,203,400.00 | ", "")
    assert _table_facts(plain)["three_public.actual.reception"] == Decimal("2.13")
    # a header naming 预算数 seven times and 决算数 five: not the form, nothing read, nothing raised
    odd = "一般公共预算财政拨款“三公”经费支出决算表\n" + " | ".join(["预算数"] * 7 + ["决算数"] * 5) + "\n" + " | ".join(["1.00"] * 12)
    assert _table_facts(odd) == {}


def test_findings_page_escapes_and_cuts_every_text_of_a_record():
    from xteval.checks import Evidence, Suite, note
    from xteval.render.sanitize import MAX_CELL

    long = "<b>" + "长" * (MAX_CELL + 10)
    record = note(
        'x" onmouseover="alert(1)',
        "<i>标题</i>",
        long,
        status=Status.fail,
        unit="万<元>",
        expected=Decimal("12.5"),
        observed=Decimal("10"),
        evidence=(Evidence("<q>", None),),
    )
    page = audit.render_html(Suite([record]), None, title="<t>", embed=False)
    assert 'data-id="x&#34; onmouseover=&#34;alert(1)"' in page and "<i>" not in page and "&lt;i&gt;标题" in page
    assert "&lt;b&gt;" + "长" * (MAX_CELL - 3) + f"…（原文 {len(long)} 字，已截断）" in page
    assert "<td>12.50</td><td>10.00</td>" in page and "<td>万&lt;元&gt;</td>" in page
    assert "<mark>&lt;q&gt;</mark>" in page and '<section id="fail">' in page and "不符（1）" in page
