"""The Excel 自评表: layout (Chinese headers, merged 一级指标, 小计, 总分, 等级) and a round trip."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from conftest import ROOT, SEED_PARAMS
from openpyxl import load_workbook

from xteval.errors import InputError
from xteval.params import load_params
from xteval.scoring import department, engine
from xteval.scoring import workbook as selfeval_xlsx

FIX = ROOT / "tests" / "fixtures" / "scoring"


@pytest.fixture
def seed_result():
    return department.score_department(load_params(SEED_PARAMS), "mof2020-self")


def test_layout(tmp_path: Path, seed_result):
    path = selfeval_xlsx.write(seed_result, tmp_path / "自评表.xlsx")
    ws = load_workbook(path)["自评表"]
    assert [c.value for c in ws[3]] == list(selfeval_xlsx.HEADERS)
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "A6:A12" in merged  # 产出指标: six rows and its 小计
    assert ws["A6"].value == "产出指标" and ws["B12"].value == "小计" and ws["I12"].value == 50
    values = [[c.value for c in row] for row in ws.iter_rows()]
    total = next(r for r in values if r[0] == "总分")
    grade = next(r for r in values if r[0] == "等级")
    assert (total[5], total[8], grade[8]) == (100, 100, "优")
    over = next(r for r in values if r[1] == "归集数据")
    assert over[9] == "偏离度≥130%"


@pytest.mark.parametrize("source", ["seed", "csv"])
def test_round_trip(tmp_path: Path, seed_result, source):
    result = seed_result if source == "seed" else engine.score_table(engine.read_table(FIX / "ok-mof2020.csv"))
    path = selfeval_xlsx.write(result, tmp_path / "a.xlsx")
    back = selfeval_xlsx.read(path)
    again = engine.score_table(back, "mof2020-self")
    assert again.to_json() == result.to_json()
    for col in ("target", "actual", "weight"):
        assert [v for v in back[col] if v is not None] == [v for v in result.rows[col] if v is not None]


def test_round_trip_dept_common_keeps_no_data(tmp_path: Path):
    result = department.score_department(load_params(SEED_PARAMS), "dept-common-2013@yueyang")
    back = engine.score_table(selfeval_xlsx.read(selfeval_xlsx.write(result, tmp_path / "c.xlsx")), "dept-common-2013@yueyang")
    assert (back.total, back.missing) == (Decimal("9.00"), 7)
    assert [r["score"] for r in back.to_json()["rows"]] == [r["score"] for r in result.to_json()["rows"]]


def test_rows_carry_their_sheet_row_numbers(tmp_path: Path, seed_result):
    back = selfeval_xlsx.read(selfeval_xlsx.write(seed_result, tmp_path / "a.xlsx"))
    assert back.attrs["rows"][:3] == [4, 6, 7]  # row 5 is 预算执行率's 小计


def test_not_a_workbook(tmp_path: Path):
    path = tmp_path / "x.xlsx"
    path.write_text("not a zip", encoding="utf-8")
    with pytest.raises(InputError, match="不是可读的 xlsx"):
        selfeval_xlsx.read(path)
