"""智慧湘潭 PPP: band lookup, payment formula, checks and bad input, as tables."""

import subprocess
import sys
from decimal import Decimal

import pytest
from conftest import PARAMS, ROOT, plain_papermill

from xteval.checks import Reason, Status
from xteval.errors import InputError, ParamsError
from xteval.params import load_params, load_yaml, validate
from xteval.projects import ppp

FIX = ROOT / "tests" / "fixtures" / "projects"
SEED = PARAMS / "2023" / "ppp.yaml"


def params(csv: str | None = None, **changes):
    """The seed PPP params with top-level keys replaced and the sub-project CSV pointed at a fixture."""
    data = load_yaml(SEED)
    data.update(changes)
    if csv:
        data["subprojects"] = {"value": str(FIX / csv), "illustrative": "fixture"}
    return validate(data, SEED)


def by_id(results):
    return {r.id: r for r in results}


@pytest.mark.parametrize(
    ("score", "coefficient"),
    [
        ("0", "0"),
        ("59.9", "0"),
        ("60", "0.70"),
        ("79.99", "0.85"),
        ("80", "0.95"),
        ("90", "1.00"),
        ("100", "1.00"),
        ("100.1", None),
        ("-1", None),
    ],
)
def test_coefficient_by_band(score, coefficient):
    p = params()
    got = ppp.coefficient(p.bands, Decimal(score))
    assert got == (None if coefficient is None else Decimal(coefficient))


BAD_BANDS = [
    ("gap", [(0, 60, 0), (70, 100, 1)], "空档"),
    ("overlap", [(0, 65, 0), (60, 100, 1)], "重叠"),
    ("not-from-0", [(10, 100, 1)], "0–100"),
    ("not-to-100", [(0, 90, 1)], "0–100"),
    ("empty-band", [(0, 60, 0), (60, 60, 1), (60, 100, 1)], "上限不大于下限"),
]


@pytest.mark.parametrize(("name", "bands", "reason"), BAD_BANDS, ids=[b[0] for b in BAD_BANDS])
def test_band_table_with_gaps_or_overlaps_is_a_params_error(name, bands, reason):
    rows = [{"min": a, "max": b, "coefficient": {"value": k, "illustrative": "t"}} for a, b, k in bands]
    with pytest.raises(ParamsError) as exc:
        params(bands=rows)
    assert exc.value.field == "bands" and reason in str(exc.value)


@pytest.mark.parametrize(
    ("csv", "name", "expected"),
    [("ppp-ok.csv", "甲", "120"), ("ppp-ok.csv", "乙", "116.5"), ("ppp-ok.csv", "丙", None), ("ppp-score-out-of-range.csv", "乙", None)],
)
def test_payment_formula(csv, name, expected):
    # 100 × 70% + (100 × 30% + 20) × k − deduction
    p = params(csv)
    sub = next(s for s in ppp.load_data(p) if s.name == name)
    got = ppp.payment(p, sub)
    assert got == (None if expected is None else Decimal(expected))


CHECKS = [
    # (csv, changes, check id, status, reason)
    ("ppp-ok.csv", {}, "ppp.linked_share", Status.passed, Reason.ok),
    (
        "ppp-ok.csv",
        {"linked_share": {"value": 25, "unit": "%", "illustrative": "t"}},
        "ppp.linked_share",
        Status.fail,
        Reason.invalid_value,
    ),
    ("ppp-score-out-of-range.csv", {}, "ppp.score[乙]", Status.fail, Reason.invalid_value),
    ("ppp-count-mismatch.csv", {}, "ppp.count.not_built", Status.fail, Reason.count_mismatch),
    ("ppp-count-mismatch.csv", {}, "ppp.count.started_built", Status.fail, Reason.count_mismatch),
    ("ppp-ok.csv", {}, "ppp.payment", Status.fail, Reason.sum_mismatch),
    ("ppp-ok.csv", {"paid": {"value": "236.5", "illustrative": "t"}}, "ppp.payment", Status.passed, Reason.ok),
]


@pytest.mark.parametrize(("csv", "changes", "rid", "status", "reason"), CHECKS)
def test_checks_table(csv, changes, rid, status, reason):
    p = params(csv, **changes)
    r = by_id(ppp.run_checks(p, ppp.load_data(p)))[rid]
    assert (r.status, r.reason) == (status, reason), r.message


def test_score_finding_names_the_record_and_row():
    p = params("ppp-score-out-of-range.csv")
    r = by_id(ppp.run_checks(p, ppp.load_data(p)))["ppp.score[乙]"]
    assert "第 3 行" in r.message and "乙" in r.message and "120" in r.message


def test_linked_share_cites_its_document():
    p = params("ppp-ok.csv", linked_share={"value": 25, "unit": "%", "illustrative": "t"})
    r = by_id(ppp.run_checks(p, ppp.load_data(p)))["ppp.linked_share"]
    assert "财办金〔2017〕92号" in r.message and r.difference == Decimal(-5)


@pytest.mark.parametrize(
    ("csv", "row", "field", "words"),
    [
        ("ppp-missing-columns.csv", 1, None, "accepted_year"),
        ("ppp-bad-amount.csv", 2, "availability_base", "一百"),
        ("ppp-unknown-state.csv", 2, "state", "abandoned"),
        ("no-such-file.csv", None, None, "不存在"),
    ],
)
def test_bad_csv_is_an_input_error_naming_file_row_and_column(csv, row, field, words):
    p = params(csv)
    with pytest.raises(InputError) as exc:
        ppp.load_data(p)
    assert (exc.value.row, exc.value.field) == (row, field)
    assert csv in str(exc.value) and words in str(exc.value)


def test_seed_reconciles_and_counts_match():
    p = load_params(SEED)
    subs = ppp.load_data(p)
    results = by_id(ppp.run_checks(p, subs))
    assert ppp.total_payment(p, subs) == Decimal(5034)
    assert all(r.status is Status.passed for r in results.values()), [r.message for r in results.values() if not r.passed]
    assert results["ppp.payment"].evidence[0].quote == "已完成 5034 万元政府付费"


def test_cli_bad_band_table_exits_2_with_one_line(tmp_path):
    text = SEED.read_text(encoding="utf-8").replace("{min: 70, max: 80,", "{min: 72, max: 80,")
    bad = tmp_path / "ppp.yaml"
    bad.write_text(text.replace("data/ppp_subprojects.csv", str(PARAMS / "2023" / "data" / "ppp_subprojects.csv")), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "xteval.cli", "run", str(bad), "--out", str(tmp_path / "o")], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "bands" in done.stderr and "空档" in done.stderr and "Traceback" not in done.stderr


@pytest.fixture(scope="module")
def plain_run(tmp_path_factory):
    return plain_papermill("ppp", tmp_path_factory.mktemp("plain") / "o.ipynb")


def test_notebook_end_to_end(plain_run):
    html = plain_run.page
    for text in ("5,034.00", "财办金〔2017〕92号", "示例数据", "智慧纪检项目", "绩效得分分档与付费系数", "data:image/png"):
        assert text in html, text


def test_plain_papermill_run(plain_run):
    assert plain_run.done.returncode == 0, plain_run.done.stderr[-2000:]
    assert '"fail"' in plain_run.text  # report.record ran
