"""The Excel 自评表 in the 财预〔2020〕10号 附件 form: header, funds block, goals, indicator rows, formulas, round trip.

The LibreOffice test recalculates the written workbook headless (``soffice --convert-to
xlsx`` of a copy computes every formula) and compares each formula's value with
xteval's own numbers. It is skipped only where no LibreOffice is installed;
``.ci/run`` installs Debian's ``libreoffice-calc``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import PARAMS, ROOT, SEED_PARAMS
from openpyxl import load_workbook

from xteval.department import scoring as department
from xteval.errors import InputError
from xteval.money import N, half_up
from xteval.params import load_params
from xteval.scoring import engine
from xteval.scoring import workbook as selfeval_xlsx
from xteval.scoring.workbook import FormInfo

FIX = ROOT / "tests" / "fixtures" / "scoring"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
DEPARTMENTS = sorted(p for p in (PARAMS / "2023").glob("*.yaml") if "notebook: department" in p.read_text(encoding="utf-8"))


@pytest.fixture
def seed():
    return load_params(SEED_PARAMS)


@pytest.fixture
def seed_result(seed):
    return department.score_department(seed, "mof2020-self")


def _cells(ws) -> dict[str, object]:
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


def test_form_layout(tmp_path: Path, seed, seed_result):
    path = selfeval_xlsx.write(seed_result, tmp_path / "自评表.xlsx", FormInfo.for_department(seed))
    ws = load_workbook(path)["自评表"]
    v = _cells(ws)
    assert v["A1"] == "部门整体支出绩效自评表" and v["A2"] == "（2023 年度）"  # a department's own form
    assert (v["A3"], v["A4"], v["E4"], v["A5"]) == ("部门（单位）名称", "主管部门", "实施单位", "部门资金（万元）")
    assert v["B3"] == "湘潭市大数据和产业创新发展中心" and load_workbook(path).properties.title == "部门整体支出绩效自评表"
    assert v["F4"] == "湘潭市大数据和产业创新发展中心" and v["B4"] == "湘潭市人民政府"
    assert [ws.cell(5, j).value for j in range(3, 9)] == list(selfeval_xlsx.FUNDS_HEADERS)
    assert [ws.cell(r, 2).value for r in range(6, 10)] == list(selfeval_xlsx.FUNDS_ROWS)
    assert [N(v[c]) for c in ("C6", "D6", "E6", "F6")] == [Decimal("1329.07"), Decimal("11168.82"), Decimal("11188.83"), 10]
    assert (v["A10"], v["B10"], v["F10"]) == ("年度总体目标", "预期目标", "实际完成情况")
    assert "归集数据≥5亿条" in v["B11"] and "归集数据20亿条" in v["F11"]
    assert [ws.cell(12, j).value for j in range(1, 9)] == list(selfeval_xlsx.HEADERS)
    rows = {ws.cell(r, 3).value: r for r in range(13, ws.max_row + 1)}
    r = rows["归集数据"]
    assert [ws.cell(r, j).value for j in (2, 4)] == ["数量指标", "≥5亿条"] and N(ws.cell(r, 5).value) == 20
    assert ws.cell(r, 5).number_format == 'General"亿条"'  # the number stays a number, the unit shows
    assert ws.cell(r, 8).value is None and ws.cell(r, 7).comment.text.startswith("偏离度≥130%")  # the tool's note, not its reason
    q = rows["签订智慧湘潭 PPP 项目退库协议"]
    assert (ws.cell(q, 2).value, ws.cell(q, 4).value, ws.cell(q, 5).value) == ("社会效益指标", "定性", "达成")
    labels = [ws.cell(r, 1).value for r in range(13, ws.max_row + 1)]
    assert "总分" in labels and "评价等级" in labels and "填表人" in labels
    sign = labels.index("填表人") + 13
    assert (ws.cell(sign, 3).value, ws.cell(sign, 5).value) == ("联系电话", "填报日期")
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert "A13:A19" in merged and ws["C19"].value == "小计"  # 产出指标: six rows and its 小计


def test_formulas_number_formats_and_print_setup(tmp_path: Path, seed, seed_result):
    ws = load_workbook(selfeval_xlsx.write(seed_result, tmp_path / "a.xlsx", FormInfo.for_department(seed)))["自评表"]
    assert ws["G6"].value.startswith("=") and "ROUND(E6/D6,4)" in ws["G6"].value and ws["G6"].number_format == "0.00%"
    assert ws["H6"].value.startswith("=") and ws["H6"].number_format == "0.00"
    assert ws["F19"].value == "=SUM(F13:F18)" and ws["G19"].value == "=SUM(G13:G18)"
    total = next(r for r in range(13, ws.max_row + 1) if ws.cell(r, 1).value == "总分")
    assert ws.cell(total, 7).value == "=SUM(H6,G19,G21,G23)" and ws.cell(total, 6).value == "=SUM(F6,F19,F21,F23)"
    assert ws["G13"].number_format == "0.00" and ws["F13"].number_format == "0.00"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.print_title_rows == "$12:$12" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws["A13"].border.left.style == "thin" and ws.column_dimensions["C"].width >= 30


def test_text_from_a_params_file_never_becomes_a_formula(tmp_path: Path, seed_result):
    form = FormInfo(project='=HYPERLINK("http://x","点我")', implementer="=cmd|' /C calc'!A0", level2={"归集数据": "=1+1"})
    ws = load_workbook(selfeval_xlsx.write(seed_result, tmp_path / "x.xlsx", form))["自评表"]
    for coord in ("B3", "F4"):
        assert ws[coord].data_type == "s" and ws[coord].value.startswith("=")
    formulas = [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas and all(c[0] in "FGH" for c in formulas)  # only the funds, 小计 and 总分 columns hold formulas


@pytest.mark.parametrize("source", ["seed", "csv"])
def test_round_trip(tmp_path: Path, seed, seed_result, source):
    result = seed_result if source == "seed" else engine.score_table(engine.read_table(FIX / "ok-mof2020.csv"))
    form = FormInfo.for_department(seed) if source == "seed" else None
    back = selfeval_xlsx.read(selfeval_xlsx.write(result, tmp_path / "a.xlsx", form))
    again = engine.score_table(back, "mof2020-self")
    assert again.to_json() == result.to_json()
    for col in ("target", "actual", "weight"):
        assert [v for v in back[col] if v is not None] == [v for v in result.rows[col] if v is not None]


def test_round_trip_dept_common_keeps_no_data(tmp_path: Path, seed):
    result = department.score_department(seed, "dept-common-2013@yueyang")
    back = engine.score_table(selfeval_xlsx.read(selfeval_xlsx.write(result, tmp_path / "c.xlsx")), "dept-common-2013@yueyang")
    assert (back.total, back.missing) == (Decimal("9.00"), 7)
    assert [r["score"] for r in back.to_json()["rows"]] == [r["score"] for r in result.to_json()["rows"]]


def test_rows_carry_their_sheet_row_numbers(tmp_path: Path, seed_result):
    back = selfeval_xlsx.read(selfeval_xlsx.write(seed_result, tmp_path / "a.xlsx"))
    assert back.attrs["rows"][:3] == [6, 13, 14]  # 预算执行率 from the funds block, then the indicator rows


def test_not_a_workbook(tmp_path: Path):
    path = tmp_path / "x.xlsx"
    path.write_text("not a zip", encoding="utf-8")
    with pytest.raises(InputError, match="不是有效的 .xlsx 文件"):
        selfeval_xlsx.read(path)
    import zipfile

    with zipfile.ZipFile(path, "w") as z:  # a zip, but not a workbook
        z.writestr("readme.txt", "hello")
    with pytest.raises(InputError, match=r"不是有效的 .xlsx 文件.*\[Content_Types\].xml"):
        selfeval_xlsx.read(path)


def test_a_zip_bomb_workbook_is_refused_before_it_is_unpacked(tmp_path: Path, capsys, monkeypatch):
    """300 MB of zeros in a 300 KB .xlsx: one line, exit 2, and openpyxl never opens it."""
    import zipfile

    from xteval.cli import main

    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            zeros = bytes(1 << 20)
            for _ in range(300):
                member.write(zeros)
    assert path.stat().st_size < 1_000_000
    inflated = []
    real_read = zipfile.ZipExtFile.read

    def counting_read(self, n=-1):
        data = real_read(self, n)
        inflated.append(len(data))
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    assert main(["score", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "解压后过大" in err and str(path) in err
    assert sum(inflated) < 1 << 20  # refused from its declared size: the 300 MB of zeros is never inflated


def test_a_target_that_cannot_be_read_names_its_row(tmp_path: Path, seed_result):
    path = selfeval_xlsx.write(seed_result, tmp_path / "a.xlsx")
    wb = load_workbook(path)
    wb["自评表"]["D14"] = "约五亿条"
    wb.save(path)
    with pytest.raises(InputError, match="年度指标值无法识别") as err:
        selfeval_xlsx.read(path)
    assert (err.value.row, err.value.field) == (14, "D 列")


# --------------------------------------------------------------------------- LibreOffice recalculation


def _recalculate(paths: list[Path], tmp_path: Path) -> Path:
    """The folder where LibreOffice headless wrote a recalculated copy of each workbook (formulas' values cached in it)."""
    out = tmp_path / "recalculated"
    env = {**os.environ, "HOME": str(tmp_path)}  # a private LibreOffice profile, nothing shared with other runs
    r = subprocess.run(
        [
            SOFFICE,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    return out


def _rows_of_the_total(ws) -> tuple[int, list[int]]:
    """The 总分 row and the indicator rows scored with a number above it."""
    total = next(r for r in range(13, ws.max_row + 1) if ws.cell(r, 1).value == "总分")
    scored = [r for r in range(13, total) if isinstance(ws.cell(r, 7).value, (int, float)) and ws.cell(r, 3).value != "小计"]
    return total, scored


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory) -> dict[str, tuple[object, Path, Path]]:
    """Every workbook the LibreOffice tests look at, by name: (xteval's result, the written form, LibreOffice's copy).

    One ``soffice`` run recalculates them all: each start of LibreOffice costs about 2 s, and ten starts did the
    work of one. The forms: each 2023 department's, and the seed's with every indicator's 得分 set to 0 (``zero``)
    and then its first set to 无数据 (``no-data``), as an evaluator edits it.
    """
    folder = tmp_path_factory.mktemp("forms")
    forms: dict[str, tuple[object, Path]] = {}
    for params_file in DEPARTMENTS:
        p = load_params(params_file)
        result = department.score_department(p, "mof2020-self")
        forms[params_file.stem] = (result, selfeval_xlsx.write(result, folder / f"{params_file.stem}.xlsx", FormInfo.for_department(p)))
    seed_result, seed_form = forms[SEED_PARAMS.stem]
    wb = load_workbook(seed_form)
    ws = wb["自评表"]
    total, scored = _rows_of_the_total(ws)
    for r in scored:  # every indicator to 0: the 总分 falls to the funds block's points, below every band but 差
        ws.cell(r, 7).value = 0
    wb.save(folder / "zero.xlsx")
    ws.cell(scored[0], 7).value = "无数据"
    wb.save(folder / "no-data.xlsx")
    forms["zero"], forms["no-data"] = (seed_result, folder / "zero.xlsx"), (seed_result, folder / "no-data.xlsx")
    out = _recalculate([path for _, path in forms.values()], tmp_path_factory.mktemp("soffice"))
    return {name: (result, path, out / path.name) for name, (result, path) in forms.items()}


def _expected_formula_values(result, form_given: bool) -> dict[str, Decimal]:
    """What every formula of the form must come to, from xteval's own result."""
    rows = result.rows
    execution = rows[rows["level1"] == "预算执行率"].iloc[0]
    out = {"G6": half_up(execution["actual"], 2) / 100, "H6": execution["points"]}
    return out


@pytest.mark.skipif(SOFFICE is None, reason="no LibreOffice installed (.ci/run installs Debian's libreoffice-calc)")
@pytest.mark.parametrize("params_file", DEPARTMENTS, ids=lambda p: p.stem)
def test_libreoffice_recalculation_gives_xteval_numbers(recalculated, params_file: Path):
    result, path, copy = recalculated[params_file.stem]
    formulas = {c.coordinate: c.value for row in load_workbook(path)["自评表"].iter_rows() for c in row if c.data_type == "f"}
    calc = load_workbook(copy, data_only=True)["自评表"]
    expected = _expected_formula_values(result, True)
    ws = load_workbook(path)["自评表"]
    subtotal_rows = [r for r in range(13, ws.max_row + 1) if ws.cell(r, 3).value == "小计"]
    level1 = [name for name in result.level1_weights if name != "预算执行率" and name in set(result.rows["level1"])]
    for r, name in zip(subtotal_rows, level1, strict=True):
        expected[f"F{r}"] = result.level1_weights[name]
        expected[f"G{r}"] = result.subtotals.get(name, Decimal(0))
    total = next(r for r in range(13, ws.max_row + 1) if ws.cell(r, 1).value == "总分")
    expected[f"F{total}"] = sum(result.level1_weights.values(), Decimal(0))
    expected[f"G{total}"] = result.total
    expected[f"G{total + 1}"] = result.grade or "不定级"  # 评价等级: a live formula of 总分
    for coord in ("G7",):  # 当年财政拨款 has no 全年执行数 in the report: its 执行率 stays empty
        expected[coord] = None
    checked = 0
    for coord, formula in formulas.items():
        got = calc[coord].value
        if coord in expected:
            want = expected[coord]
            if want is None:
                assert got in (None, ""), (coord, formula, got)
            elif isinstance(want, str):
                assert got == want, (coord, formula, got, want)
            else:
                assert got is not None and half_up(Decimal(repr(got)), 4) == half_up(Decimal(want), 4), (coord, formula, got, want)
            checked += 1
        else:
            assert got in (None, ""), (coord, formula, got)  # the empty fund rows' 执行率
    assert checked == len(expected) and checked >= 7


@pytest.mark.skipif(SOFFICE is None, reason="no LibreOffice installed (.ci/run installs Debian's libreoffice-calc)")
def test_recalculated_form_reads_back_to_the_same_scores(recalculated, seed_result):
    result, _, copy = recalculated[SEED_PARAMS.stem]
    back = engine.score_table(selfeval_xlsx.read(copy), "mof2020-self")
    assert back.to_json() == result.to_json() == seed_result.to_json()


@pytest.mark.skipif(SOFFICE is None, reason="no LibreOffice installed (.ci/run installs Debian's libreoffice-calc)")
def test_the_grade_follows_an_edited_score_after_recalculation(recalculated):
    """An evaluator lowers one 得分: LibreOffice recomputes 总分, and 评价等级 (a formula of it) follows."""
    _, path, copy = recalculated["zero"]
    ws = load_workbook(path)["自评表"]
    total, scored = _rows_of_the_total(ws)
    assert ws.cell(total + 1, 7).data_type == "f" and scored and all(ws.cell(r, 7).value == 0 for r in scored)
    calc = load_workbook(copy, data_only=True)["自评表"]
    assert Decimal(repr(calc.cell(total, 7).value)) < 60
    assert calc.cell(total + 1, 7).value == "差"
    _, path, copy = recalculated["no-data"]
    assert load_workbook(path)["自评表"].cell(scored[0], 7).value == "无数据"
    again = load_workbook(copy, data_only=True)["自评表"]
    assert again.cell(total + 1, 7).value == "不定级"


def test_deviation_reasons_are_left_to_the_evaluator(tmp_path: Path, seed, seed_result):
    """偏差原因分析 holds only what the params give; what the tool noticed is a note on the 得分 cell."""
    from openpyxl import load_workbook

    path = selfeval_xlsx.write(seed_result, tmp_path / "form.xlsx", FormInfo.for_department(seed))
    ws = load_workbook(path)["自评表"]
    total = next(r for r in range(13, ws.max_row + 1) if ws.cell(r, 1).value == "总分")
    reasons = [ws.cell(r, 8).value for r in range(13, total)]
    assert not any(v and "未达到" in str(v) for v in reasons)
    notes = [ws.cell(r, 7).comment.text for r in range(13, total) if ws.cell(r, 7).comment]
    short = [r for _, r in seed_result.rows.iterrows() if r["kind"] == "positive" and r["points"] is not None and r["points"] < r["weight"]]
    assert len([n for n in notes if "低于年度指标值" in n]) >= len(short) - 1  # 预算执行率 is in the funds block
    footer = next(str(ws.cell(r, 1).value) for r in range(total, ws.max_row + 1) if str(ws.cell(r, 1).value).startswith("评分框架"))
    assert "计分方法的依据" in footer and "等级档次的依据：文件规定" in footer


def test_the_department_form_states_it_is_a_convention_and_the_basis_of_its_execution_rate(tmp_path: Path, seed, seed_result):
    path = selfeval_xlsx.write(seed_result, tmp_path / "自评表.xlsx", FormInfo.for_department(seed))
    footer = " ".join(str(v) for v in _cells(load_workbook(path)["自评表"]).values() if isinstance(v, str) and "惯例" in v)
    assert "非官方表式" in footer and "财预〔2020〕10号" in footer
    assert "全年预算数取财政拨款收入" in footer and "执行率 = 全年执行数 ÷ 全年预算数" in footer


def test_a_project_keeps_the_10_form(tmp_path: Path, seed_result):
    ws = load_workbook(selfeval_xlsx.write(seed_result, tmp_path / "项目.xlsx"))["自评表"]
    assert (ws["A1"].value, ws["A3"].value, ws["A5"].value) == ("项目支出绩效自评表", "项目名称", "项目资金（万元）")
    assert not any("非官方表式" in str(c.value) for row in ws.iter_rows() for c in row if c.value)
