"""``xteval.score``: an indicator table, or a department params file, scored under a framework."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..params import ParamsBase, load_params

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_FRAMEWORK = "mof2020-self"


def score(
    table_or_params: str | Path | pd.DataFrame | ParamsBase,
    framework: str | None = None,
    *,
    xlsx: str | Path | None = None,
    reverse: str | None = None,
    name: str | None = None,
    year: int | None = None,
    unit: str | None = None,
) -> Any:
    """Score an indicator table (or a department's 预算执行率 and goals) under a framework.

    Args:
        table_or_params: a table with the 自评表 columns (``indicator, level1, kind, target,
            actual, weight, grade, score``) as a DataFrame or a .csv / .xlsx file; or department
            params (a .yaml file, or loaded).
        framework: ``mof2020-self`` (the default for a table), ``dept-self`` (the default for department
            params: the same scoring as 部门整体), a ``dept-common-2013@…`` table, or
            ``pefa2016`` (department params only).
        xlsx: also write the Excel 自评表 there (not for ``pefa2016``).
        reverse: the 反向指标 formula, where the framework offers a choice: ``linear`` (its default,
            a convention of this tool) or ``ratio`` (分值 × 指标值 ÷ 完成值, a published 填报说明's rule).
            The choice is in the result's version and each row's basis.
        name, year, unit: the head of the 自评表 (项目名称 or 部门（单位）名称, 年度, 实施单位); for department
            params they replace what the params give.

    Returns:
        A ``ScoreResult``: ``rows`` (each with ``points`` and ``flags``), ``subtotals`` by
        一级指标, ``total``, ``grade`` and the ``reasons`` there is no total; for ``pefa2016``
        a ``PefaResult`` (dimensions and their aggregation).

    Raises:
        InputError: a table or params file that cannot be scored under that framework.
    """
    from ..department import scoring as department
    from ..scoring import engine, frameworks

    if xlsx is not None and Path(xlsx).suffix.lower() != ".xlsx":
        raise InputError("--xlsx 应为 .xlsx 文件 (expected an .xlsx path)", file=xlsx)
    params, file = _department(table_or_params)
    framework = framework or (department.SELF_FRAMEWORK if params is not None else DEFAULT_FRAMEWORK)
    chosen = frameworks.choose(frameworks.get(framework), reverse=reverse) if reverse and framework != "pefa2016" else framework
    form = None  # what the 自评表 shows beyond the scores, for department params
    if params is not None:
        if framework == "pefa2016":
            from ..scoring import pefa

            if xlsx is not None:
                raise InputError("pefa2016 没有自评表，不能写 --xlsx (no 自评表 for PEFA)", file=xlsx)
            return pefa.from_department(params)
        from ..scoring.workbook import FormInfo

        result = department.score_department(params, chosen)
        form = FormInfo.for_department(params)
    else:
        if framework == "pefa2016":
            raise InputError("pefa2016 用 xteval pefa FILE.csv 评分 (use `xteval pefa`)", file=file, field="--framework")
        table = engine.read_table(file) if file is not None else table_or_params
        result = engine.score_table(table, chosen, file=file)
    if xlsx is not None:
        import dataclasses

        from ..files import write_with
        from ..scoring import workbook

        head = {"project": name, "year": year, "implementer": unit}
        form = dataclasses.replace(form or workbook.FormInfo(), **{k: v for k, v in head.items() if v is not None})
        write_with(xlsx, lambda tmp: workbook.write(result, tmp, form))  # a private temporary: no planted name is followed
    return result


def _department(given: Any) -> tuple[Any, Path | None]:
    """(department params, file) when ``given`` is department params; (None, file) for a table."""
    from ..department.model import DepartmentParams

    if not isinstance(given, str | Path | ParamsBase):  # a table (a DataFrame)
        return None, None
    if isinstance(given, ParamsBase):
        params, file = given, None
    else:
        file = Path(given)
        if file.suffix.lower() not in (".yaml", ".yml"):
            return None, file
        params = load_params(file)
    if not isinstance(params, DepartmentParams):
        raise InputError("只能为部门整体支出参数文件评分 (expected notebook: department)", file=file, field="notebook")
    return params, file
