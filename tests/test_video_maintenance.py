"""视频监控维护保养: the traffic police CSVs, SLA deductions and bad records, as tables."""

from decimal import Decimal

import pytest
from conftest import PARAMS, ROOT, plain_papermill

from xteval.checks import Reason, Status
from xteval.errors import InputError
from xteval.params import load_params, load_yaml, validate
from xteval.projects import video_maintenance as vm

FIX = ROOT / "tests" / "fixtures" / "projects"
SEED = PARAMS / "2023" / "video_maintenance.yaml"


def params(phases="video-phases-ok.csv", online="video-online-ok.csv", tickets="video-tickets-ok.csv"):
    """The seed params with its three CSV files pointed at fixtures."""
    data = load_yaml(SEED)
    for key, name in (("phases", phases), ("online", online), ("tickets", tickets)):
        data[key] = {"value": str(FIX / name), "illustrative": "fixture"}
    return validate(data, SEED)


def test_fee_after_deductions_on_fixtures():
    # 公安一期 2023-01 at 96.0% < 97% (1.5 万元); ticket T2 took 30.5 h > 24 h (0.3 万元)
    p = params()
    t = vm.totals(p, vm.load_data(p))
    assert t == {"fee": Decimal(15), "deduction": Decimal("1.8"), "payable": Decimal("13.2")}


def test_per_phase_table_on_fixtures():
    p = params()
    df = vm.phase_frame(p, vm.load_data(p)).set_index("分期")
    assert df.loc["公安一期", "在线率未达标月数"] == 1 and df.loc["公安一期", "超时工单"] == 1
    assert df.loc["交警道路", "应付（万元）"] == Decimal(10)


def test_monthly_table_pivots_month_by_phase():
    p = params()
    df = vm.monthly_frame(vm.load_data(p))
    assert list(df.columns) == ["月份", "交警道路", "公安一期"] and list(df["月份"]) == ["2023-01", "2023-02"]


FINDINGS = [
    # (fixtures, check id, status, reason, words in the message)
    ({"phases": "video-phase-zero-cameras.csv"}, "video.phase[公安一期]", Status.fail, Reason.invalid_value, "第 3 行"),
    ({"online": "video-online-above-100.csv"}, "video.online[3]", Status.fail, Reason.invalid_value, "101.2"),
    ({"tickets": "video-repair-before-report.csv"}, "video.ticket[T1]", Status.fail, Reason.invalid_date, "T1"),
    ({}, "video.online_sla[公安一期/2023-01]", Status.warn, Reason.sla_breach, "96.0"),
    ({}, "video.repair_sla[T2]", Status.warn, Reason.sla_breach, "30.5"),
]


@pytest.mark.parametrize(("files", "rid", "status", "reason", "words"), FINDINGS)
def test_findings_name_the_record(files, rid, status, reason, words):
    p = params(**files)
    found = {r.id: r for r in vm.run_checks(p, vm.load_data(p))}
    r = found[rid]
    assert (r.status, r.reason) == (status, reason) and words in r.message, r.message


def test_bad_records_take_no_deduction():
    # a rate above 100% and a repair before its report are findings, not SLA breaches
    p = params(online="video-online-above-100.csv", tickets="video-repair-before-report.csv")
    assert vm.totals(p, vm.load_data(p))["deduction"] == Decimal(0)


BAD_FILES = [
    ({"phases": "video-phases-missing-columns.csv"}, 1, None, "cameras"),
    ({"tickets": "video-tickets-missing-columns.csv"}, 1, None, "reported_at"),
    ({"tickets": "video-tickets-bad-date.csv"}, 2, "reported_at", "2023-02-30"),
    ({"online": "video-online-bad-month.csv"}, 2, "month", "2023-13"),
    ({"online": "no-such-file.csv"}, None, None, "不存在"),
]


@pytest.mark.parametrize(("files", "row", "field", "words"), BAD_FILES)
def test_unreadable_csv_is_an_input_error_naming_file_row_and_column(files, row, field, words):
    p = params(**files)
    with pytest.raises(InputError) as exc:
        vm.load_data(p)
    assert (exc.value.row, exc.value.field) == (row, field)
    assert next(iter(files.values())) in str(exc.value) and words in str(exc.value)


def test_seed_totals():
    p = load_params(SEED)
    t = vm.totals(p, vm.load_data(p))
    assert t == {"fee": Decimal("776.80"), "deduction": Decimal("5.4"), "payable": Decimal("771.40")}


@pytest.fixture(scope="module")
def plain_run(tmp_path_factory):
    return plain_papermill("video_maintenance", tmp_path_factory.mktemp("plain") / "o.ipynb")


def test_notebook_end_to_end(plain_run):
    html = plain_run.page
    for text in ("湘潭市交警支队", "公安七期", "771.40", "示例数据", "在线率"):
        assert text in html, text


def test_plain_papermill_run(plain_run):
    assert plain_run.done.returncode == 0, plain_run.done.stderr[-2000:]
    assert '"fail"' in plain_run.text  # report.record ran
