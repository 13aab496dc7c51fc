"""The ``xteval`` command: a thin layer over the library.

Every error is one line on stderr (``xteval: error: FILE: FIELD: reason``) and
a documented exit code: 0 success, 1 findings failed or a notebook failed,
2 bad input or usage, or an output that cannot be written (nothing half-written),
3 an internal error (a fault in xteval: one line naming the exception; the
traceback only with ``XTEVAL_DEBUG=1``), 130 interrupted. No traceback reaches a
user from any input.
"""

from __future__ import annotations

import argparse
import codecs
import inspect
import os
import sys
from collections.abc import Callable
from pathlib import Path

from . import __version__
from .errors import EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, XtevalError, one_line

DEBUG_ENV = "XTEVAL_DEBUG"  # XTEVAL_DEBUG=1: an internal error shows its traceback

EXIT_CODES = """exit codes:
  0  success: check found no 不符 (with --out: in no document, and every document was read); run and batch wrote every page (whatever 不符 the pages show,
     the index counts them; with --strict a page that shows 不符 gives 1)
  1  check found a 不符 (with --out: a document shows one or could not be read), a notebook run failed (its outputs are kept), or with --strict a page
     run or batch wrote shows a 不符
  2  bad input or usage, or an output that cannot be written: one line names the file,
     field and reason; nothing is half-written and earlier outputs are kept
  3  internal error: a fault in xteval (XTEVAL_DEBUG=1 shows the traceback)
  130 interrupted"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors: one line, exit 2, like every input error
        self.exit(EXIT_INPUT, f"xteval: error: {message} (see '{self.prog} --help')\n")


def _sub(subs, name: str, handler: Callable[[argparse.Namespace], int]):
    """A command; as click does, its help is the first line of its handler's docstring, and its example the ``example:`` line."""
    doc = inspect.cleandoc(handler.__doc__ or "")  # python -OO drops docstrings: the command still runs, without help
    help, example = doc.partition("\n")[0], doc.partition("example:")[2].strip()
    p = subs.add_parser(
        name,
        help=help,
        description=help,
        epilog=f"example:\n  {example}\n\n{EXIT_CODES}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.set_defaults(handler=handler)
    return p


def _file_argument(p: argparse.ArgumentParser, name: str, help: str, metavar: str | None = None) -> None:
    """A path the command reads (a report, a table, a params file)."""
    p.add_argument(name, type=Path, metavar=metavar, help=help)


def _file_option(p: argparse.ArgumentParser, flags: str | tuple[str, ...], metavar: str, help: str) -> None:
    """An optional path (a file to read or to write, or a folder); absent, it is None."""
    p.add_argument(*((flags,) if isinstance(flags, str) else flags), type=Path, default=None, metavar=metavar, help=help)


# --------------------------------------------------------------------------- run


def _evaluation(args: argparse.Namespace) -> dict[str, str]:
    """The --organization/--evaluator/--date options, validated like a params file's ``evaluation``."""
    from pydantic import ValidationError

    from .errors import InputError
    from .params import Evaluation

    given = {"organization": args.organization, "evaluator": args.evaluator, "date": args.date}
    try:
        return Evaluation(**{k: v for k, v in given.items() if v}).to_record()
    except ValidationError as exc:
        err = exc.errors()[0]
        raise InputError(err["msg"].removeprefix("Value error, "), field=f"--{err['loc'][0]}") from None


def cmd_run(args: argparse.Namespace) -> int:
    """运行参数文件对应的 notebook 并导出 HTML 附录 (run one params file)

    example: xteval run params/2023/department.yaml --out outputs
    """
    import os

    from .runner.paths import private_dirs_if_home_is_read_only
    from .runner.run import run_params
    from .summary.model import OUTPUT_ENV

    private_dirs_if_home_is_read_only()
    evaluation = _evaluation(args)
    if args.out is not None:
        os.environ[OUTPUT_ENV] = str(args.out.resolve())  # a year summary reads the appendices of this folder
    extra = {"inputs": {"evaluation": evaluation}} if evaluation else None
    result = run_params(args.params_file, args.out, notebook=args.notebook, extra_meta=extra)
    print(f"wrote {result.html}")
    print(f"wrote {result.ipynb}")
    fails = _page_fails(result.record)
    if fails:
        print(f"不符 {fails} 项，见 {result.html}")
    return EXIT_FINDINGS if args.strict and fails else EXIT_OK


def _page_fails(record: dict) -> int:
    """The 不符 a page shows, from its run record (0 when it records none)."""
    fails = record.get("fail")
    return fails if isinstance(fails, int) and not isinstance(fails, bool) and fails > 0 else 0


# --------------------------------------------------------------------------- check


def cmd_check(args: argparse.Namespace) -> int:
    """勾稽检查一份自评报告文本 (reconcile the figures of a report text)

    example: xteval check params/2023/sources/xiangtan-bigdata-2023.txt --json
    """
    import json

    from .api import check
    from .errors import InputError

    if args.out is not None or len(args.reports) > 1 or args.reports[0].is_dir():
        return _check_many(args)
    args.report = args.reports[0]
    if args.executor != "local" or args.scheduler is not None:
        raise InputError("--executor/--scheduler 只用于批量检查（与 --out 一起使用） (for --out only)", file=args.report)
    if args.html is not None and args.html.is_dir():
        raise InputError("--html 应为文件路径而不是目录 (is a directory)", file=args.html)
    found = check(args.report, args.params, args.against)
    if args.html is not None:
        from .files import write_atomic

        write_atomic(args.html, found.html())
    if args.json:
        print(json.dumps(found.records(), ensure_ascii=False, indent=2))
    else:
        _print_findings(found, args.report)
    if args.html is not None:
        print(f"wrote {args.html}", file=sys.stderr)
    return EXIT_FINDINGS if found.failed else EXIT_OK


def _check_many(args: argparse.Namespace) -> int:
    """``check PATH... --out DIR``: every report under the paths, a page each, the triage index and the export."""
    from .errors import InputError
    from .intake import intake, print_summary

    if args.out is None:
        first = Path(args.reports[0])
        what = "是目录，" if len(args.reports) == 1 and first.is_dir() else ""
        raise InputError(f"{what}多个文件或文件夹需要 --out 输出目录 (several reports or a folder need --out DIR)", file=first)
    for flag in ("json", "html", "params", "against"):
        if getattr(args, flag):
            raise InputError(f"--{flag} 只用于检查单个文件，批量检查的结果见 --out 目录 (--{flag} is for one report)", file=args.out)
    if args.jobs is not None and args.jobs < 1:
        raise InputError("--jobs 应为正整数 (--jobs must be at least 1)", file=args.out)
    summary = intake(
        args.reports,
        args.out,
        jobs=args.jobs,
        force=args.force,
        progress=_intake_progress(),
        executor=args.executor,
        scheduler=args.scheduler,
    )
    print_summary(summary)
    return EXIT_FINDINGS if summary.fails or summary.unreadable else EXIT_OK


def _intake_progress():
    """A tqdm bar on a terminal (stderr); quiet otherwise."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bar: dict = {}

    def show(done: int, total: int, name: str) -> None:
        if "bar" not in bar:
            bar["bar"] = tqdm(total=total, unit="份", file=sys.stderr)
        bar["bar"].update(1)
        if done == total:
            bar["bar"].close()

    return show


def _print_findings(found, report: Path) -> None:
    """The findings as ``xteval check`` prints them: the kind, fails first, every figure, the counts."""
    from .audit.kinds import kinds
    from .render.labels import in_words  # what an evaluator reads: 总收入, never income.total (--json keeps the ids)

    marks = {"fail": "不符", "warn": "提示", "pass": "通过", "skip": "未执行"}
    kind = found.kind
    if kind:
        print(f"文档类型：{kind.title}（{kind.id}）")  # the id after the title: scripts read the kind from it
    else:
        print(f"文档类型：未识别（已知：{'、'.join(k.title for k in kinds().values())}），按部门整体支出自评报告读取")
    for r in sorted(found.suite.results, key=lambda r: ("fail", "warn", "skip", "pass").index(r.status.value)):
        where = f" (第 {r.evidence[0].line} 行)" if r.evidence and r.evidence[0].line else ""
        print(f"[{marks[r.status.value]}] {in_words(r.title)}：{in_words(r.message)}{where}")
    print(f"识别出的数字（{len(found.figures)} 项）:")
    for r in found.figures:
        print(f"  {in_words(r.message)}：{r.evidence[0].quote}")
    c = found.counts
    used = f"；指标值取自 {found.params_file}" if found.params_file is not None else ""
    print(f"{report}: 不符 {c['fail']}，提示 {c['warn']}，通过 {c['pass']}，识别出数字 {len(found.figures)} 项{used}")


# --------------------------------------------------------------------------- extract


def cmd_extract(args: argparse.Namespace) -> int:
    """从报告生成部门参数草稿：识别出的数字为 seed，其余为 todo (draft params from a report)

    example: xteval extract params/2023/sources/xiangtan-bigdata-2023.txt -o params/2023/draft.yaml
    """
    from .api import extract
    from .errors import InputError

    out = args.output
    if out is not None:
        if out.exists() or out.is_symlink():
            raise InputError("已存在，不覆盖 (exists: never overwritten; choose another -o)", file=out)
        if out.suffix.lower() not in (".yaml", ".yml"):
            raise InputError("-o 应为 .yaml 文件 (expected a .yaml path)", file=out)
    draft = extract(args.report, out.resolve().parent if out is not None else None)
    if draft.partly:
        print(f"xteval: warning: {args.report}: {draft.partly} (text over the figure budget; see XTEVAL_MAX_FIGURES)", file=sys.stderr)
    if out is None:
        sys.stdout.write(draft.text)
        return EXIT_OK
    _write_new(out, draft.text)
    from .params import load_yaml, pending

    print(f"wrote {out}（待填 {len(pending(load_yaml(out)))} 项）")
    return EXIT_OK


def _write_new(out: Path, text: str) -> None:
    """Write a file that must not exist yet: the name is claimed first, so a race never overwrites."""
    from .errors import InputError
    from .files import write_atomic

    try:
        out.parent.mkdir(parents=True, exist_ok=True)  # a draft for a new unit goes in a folder of its own
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
        os.close(fd)
        write_atomic(out, text)
    except FileExistsError:
        raise InputError("已存在，不覆盖 (exists: never overwritten)", file=out) from None
    except OSError as exc:
        raise InputError(f"无法写入 (cannot write: {exc.strerror})", file=out) from None


# --------------------------------------------------------------------------- new


def cmd_new(args: argparse.Namespace) -> int:
    """由往年参数生成新年度参数：结构与指标值沿用，实际数清空待填，来源重置 (scaffold a new year)

    example: xteval new 2024 --from 2023
    """
    from .params import load_yaml, pending
    from .scaffold import new_year

    written = new_year(args.year, args.params, args.source_year)
    for path in written:
        todo = len(pending(load_yaml(path))) if path.suffix == ".yaml" else 0
        print(f"wrote {path}" + (f"（待填 {todo} 项）" if todo else ""))
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    """新建工作目录：params/（含一个示例单位）、sources/、outputs/ 与中文说明，可放在任何位置 (create a workspace)

    example: xteval init 我的评价
    """
    from .scaffold import init_workspace

    written = init_workspace(args.folder, args.year)
    for path in written:
        print(f"wrote {path}")
    example = written[-1].relative_to(args.folder).as_posix()
    print(f"下一步：cd {args.folder} && xteval run {example}")
    return EXIT_OK


# --------------------------------------------------------------------------- batch


def cmd_batch(args: argparse.Namespace) -> int:
    """批量运行目录下全部参数文件：并行、增量、失败隔离，并生成 outputs/index.html (run many params files)

    example: xteval batch params/2023 --jobs 2
    """
    import signal

    from .runner.batch import progress_printer, run_batch, summary_lines
    from .runner.paths import private_dirs_if_home_is_read_only

    private_dirs_if_home_is_read_only()

    def _term(signum, frame):  # SIGTERM unwinds like Ctrl-C: workers clean up, exit 130
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _term)
    summary = run_batch(
        args.paths or [Path("params")],
        args.out,
        jobs=args.jobs,
        force=args.force,
        executor=args.executor,
        scheduler=args.scheduler,
        progress=progress_printer(),
        evaluation=_evaluation(args),
    )
    print("\n".join(summary_lines(summary)))
    if summary.failed:
        return EXIT_FINDINGS
    if args.strict:
        from .render.report import run_meta

        flagged = [o for o in summary.outcomes if _page_fails(run_meta(o.job.ipynb))]
        if flagged:
            print(f"--strict：{len(flagged)} 页有不符：" + "、".join(o.job.name for o in flagged))
            return EXIT_FINDINGS
    return EXIT_OK


# --------------------------------------------------------------------------- score


def cmd_score(args: argparse.Namespace) -> int:
    """按评分框架为指标表评分：各行得分与提示、一级指标小计、总分、等级 (score an indicator table)

    example: xteval score params/2023/department.yaml --framework dept-common-2013@yueyang --json
    """
    from .api import score
    from .errors import InputError
    from .money import fmt
    from .scoring.frameworks import BASIS_WORDS

    if args.year is not None and not 1900 <= args.year <= 2100:
        raise InputError(f"--year 应为年份，如 2023 (not a year: {args.year})", field="--year")
    if args.xlsx is None and (args.name, args.year, args.unit) != (None, None, None):
        raise InputError("--name/--year/--unit 填写自评表表头，需与 --xlsx 一起使用 (with --xlsx only)", file=args.file)
    result = score(args.file, args.framework, xlsx=args.xlsx, reverse=args.reverse, name=args.name, year=args.year, unit=args.unit)
    if not hasattr(result, "rows"):  # pefa2016 on department params: dimensions, not rows
        return _print_pefa(result, args.json)
    for warning in result.warnings:
        print(f"xteval: warning: {args.file}: {warning}", file=sys.stderr)
    if args.json:
        print(result.dumps())
    else:
        for _, row in result.rows.iterrows():
            pts = "无数据" if row["points"] is None else fmt(row["points"], sep=False)
            flags = f"  [{'；'.join(row['flags'])}]" if row["flags"] else ""
            basis = BASIS_WORDS.get(row["basis"].basis, row["basis"].basis)
            print(f"{row['level1']}\t{row['indicator']}\t{pts}/{row['weight']}\t依据：{basis}{flags}")
        print("小计: " + "，".join(f"{k} {fmt(v, sep=False)}" for k, v in result.subtotals.items()))
        print(f"{result.framework} {result.version}: {result.status()}")
    if args.xlsx is not None:
        print(f"wrote {args.xlsx}", file=sys.stderr)
    return EXIT_OK


# --------------------------------------------------------------------------- pefa


def _print_pefa(result, as_json: bool) -> int:
    import json

    from .money import fmt_rate

    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return EXIT_OK
    print(result.window_text)
    for d in result.dimensions.values():
        years = "，".join(f"{y} 年 {fmt_rate(v)}" for y, v in d.values.items())
        said = "；".join(x for x in (d.note, d.basis) if x)
        print(f"{d.id}: {d.score}  {years}{'  ' if years and said else ''}{said}")
    for ind in result.aggregation.values():
        used = "，".join(f"{k} {v}" for k, v in ind.dimensions.items())
        print(f"{ind.id}: {ind.score}（{ind.method}：{used}）{'  ' + ind.note if ind.note else ''}")
    print(f"pefa2016 {result.version}")
    return EXIT_OK


def cmd_pefa(args: argparse.Namespace) -> int:
    """PEFA 2016 预算可靠性评分：PI-1、PI-2（2.1–2.3）、PI-3（3.1–3.2）逐年与汇总 (PEFA budget reliability)

    example: xteval pefa outturn.csv --json
    """
    from .scoring import pefa

    return _print_pefa(pefa.read_csv(args.file), args.json)


def _evaluation_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--organization", default=None, metavar="NAME", help="评价机构，写入每份附件的标题栏（参数文件 evaluation 已填写的优先）"
    )
    p.add_argument("--evaluator", default=None, metavar="NAME", help="评价人，写入标题栏（参数文件已填写的优先）")
    p.add_argument("--date", default=None, metavar="DATE", help="评价日期，如 2024-03-31 或 2024年3月31日（参数文件已填写的优先）")


def _run_command(subs) -> None:
    p = _sub(subs, "run", cmd_run)
    _file_argument(p, "params_file", "参数文件 YAML；其 notebook 键指定随软件包提供的 notebook（notebooks/<notebook>.ipynb）")
    _file_option(p, "--out", "OUT", "输出根目录，写入 <out>/<year>/<name>.ipynb 与 .html（默认：项目根目录下 outputs/）")
    _file_option(p, "--notebook", "FILE", "改用自备的 notebook（.ipynb，含标记为 parameters 的 params_path 参数）；默认用随软件包提供的")
    _strict_option(p)
    _evaluation_options(p)


def _strict_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--strict", action="store_true", help="页面显示不符时退出码为 1（默认 0：页面已写出，不符由索引与页面列出）")


def _batch_command(subs) -> None:
    p = _sub(subs, "batch", cmd_batch)
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="参数文件或目录（默认：params/），递归查找 *.yaml，跳过 sources/")
    p.add_argument("--jobs", "-j", type=int, default=None, metavar="N", help="并行运行数（默认：CPU 核数）")
    p.add_argument("--force", action="store_true", help="全部重新运行，不跳过未变化的运行")
    p.add_argument("--executor", choices=("local", "dask"), default="local", help="local：本机进程池；dask：dask.distributed 集群")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS", help="dask 调度器地址 tcp://host:8786（默认：本机 LocalCluster）")
    _file_option(p, "--out", "OUT", "输出根目录（默认：项目根目录下 outputs/）")
    _strict_option(p)
    _evaluation_options(p)


def _check_command(subs) -> None:
    p = _sub(subs, "check", cmd_check)
    p.add_argument(
        "reports",
        type=Path,
        nargs="+",
        metavar="REPORT",
        help="报告：纯文本（UTF-8 或 GBK/GB18030）、.docx、网页 .html/.htm、工作簿 .xlsx/.xls、带文字层的 .pdf，扫描件 .pdf 需安装 ocr 扩展（pip install 'xteval[ocr]'）；"
        "多个文件或文件夹时需 --out，逐份检查并写出索引",
    )
    _file_option(
        p,
        "--out",
        "DIR",
        "批量检查：每份文档的检查结果页与 JSON、文档索引 index.html、全部问题 findings.xlsx 和结果库写入此目录；再次运行只读取新增或改动的文档",
    )
    p.add_argument("--jobs", type=int, default=None, metavar="N", help="批量检查时并行的进程数（默认：CPU 核数）")
    p.add_argument("--force", action="store_true", help="批量检查时全部重新读取，不用结果库中已有的结果")
    p.add_argument(
        "--executor",
        choices=("local", "dask"),
        default="local",
        help="批量检查在何处读取：local 本机进程池；dask：dask.distributed 集群（文件须在各 worker 可读的共享目录）",
    )
    p.add_argument("--scheduler", default=None, metavar="ADDRESS", help="dask 调度器地址 tcp://host:8786（默认：本机 LocalCluster）")
    p.add_argument("--json", action="store_true", help="以 JSON 数组输出全部检查结果，另附每个识别出的数字一条（id figure.<字段>）")
    _file_option(p, "--against", "OTHER", "同一单位同一年度的另一份文件（如决算说明）：两份都有的数字逐项核对，不一致处列出两份文件与行号")
    _file_option(p, "--html", "OUT", "另写一份离线 HTML 检查结果页，按结果分组、高亮原文摘引")
    _file_option(
        p,
        "--params",
        "PARAMS",
        "同一报告的参数文件，提供原文未写出的指标值，并逐项核对原文数字；不给时只查原文，不会自动找参数文件或草稿",
    )


def _extract_command(subs) -> None:
    p = _sub(subs, "extract", cmd_extract)
    _file_argument(p, "report", "报告：纯文本、.docx、.html、.xlsx/.xls、.pdf（扫描件需 ocr 扩展）")
    _file_option(p, ("-o", "--output"), "FILE", "写入的参数草稿 .yaml（已存在时拒绝覆盖）；省略时打印到标准输出")


def _new_command(subs) -> None:
    p = _sub(subs, "new", cmd_new)
    p.add_argument("year", type=int, metavar="YEAR", help="要新建的年度，写入 <params>/YEAR/；该目录已存在时拒绝覆盖")
    p.add_argument(
        "--from", dest="source_year", type=int, default=None, metavar="YEAR", help="沿用哪一年的参数（默认：早于 YEAR 的最近一年）"
    )
    p.add_argument("--params", type=Path, default=Path("params"), metavar="DIR", help="参数根目录，每年一个子目录（默认：params）")


def _init_command(subs) -> None:
    p = _sub(subs, "init", cmd_init)
    p.add_argument("folder", type=Path, metavar="DIR", help="要新建的工作目录；已存在且不是空目录时拒绝，不写入任何文件")
    p.add_argument("--year", type=int, default=None, metavar="YEAR", help="示例参数的年度，写入 params/YEAR/（默认：上一年）")


def _score_command(subs) -> None:
    p = _sub(subs, "score", cmd_score)
    _file_argument(
        p,
        "file",
        "指标表 .csv / .xlsx（列 indicator, level1, kind, target, actual, weight, grade, score，或自评表格式），或部门参数 .yaml",
        metavar="FILE",
    )
    p.add_argument(
        "--framework",
        default=None,
        metavar="NAME",
        help="评分框架：指标表默认 mof2020-self（项目支出）；部门参数默认 dept-self（部门整体，沿用 10号 计分）；dept-common-2013@yueyang 等 53 号共性指标的各地评分表版本（部门参数文件）；pefa2016（部门参数文件）",
    )
    p.add_argument(
        "--reverse",
        choices=("linear", "ratio"),
        default=None,
        help="反向指标的计分公式：linear（默认，本工具约定：超出部分按比例扣分，达 2 倍为 0）或 ratio（地方填报说明：分值 × 指标值 ÷ 完成值）",
    )
    p.add_argument("--json", action="store_true", help="以 JSON 输出 {framework, total, grade, subtotals, rows}（数值为数字字符串）")
    p.add_argument("--name", default=None, metavar="NAME", help="自评表表头的项目名称（部门参数时为部门（单位）名称，默认取参数文件）")
    p.add_argument("--year", type=int, default=None, metavar="YEAR", help="自评表表头的年度")
    p.add_argument("--unit", default=None, metavar="UNIT", help="自评表表头的实施单位")
    _file_option(
        p,
        "--xlsx",
        "OUT",
        "另写 Excel 自评表（部门参数写部门整体支出绩效自评表，其余写财预〔2020〕10号项目支出绩效自评表：资金、年度总体目标、各级指标，执行率、小计、总分为公式）",
    )


def _pefa_command(subs) -> None:
    p = _sub(subs, "pefa", cmd_pefa)
    _file_argument(
        p,
        "file",
        metavar="FILE.csv",
        help="列 年度, 类别, 科目, 预算数, 决算数（或 year, kind, category, budget, actual）；类别 支出/收入/预备费/利息/经济分类支出；金额可带 元/万元",
    )
    p.add_argument("--json", action="store_true", help="以 JSON 输出各维度得分、逐年数值与指标汇总")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="xteval",
        description="xteval: 预算绩效评价的勾稽检查与评分工具 (reconciliation and scoring for budget performance evaluation).",
        epilog=f"example:\n  xteval run params/2023/department.yaml\n\n{EXIT_CODES}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"xteval {__version__}")
    subs = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)
    _init_command(subs)
    _run_command(subs)
    _check_command(subs)
    _extract_command(subs)
    _new_command(subs)
    _batch_command(subs)
    _score_command(subs)
    _pefa_command(subs)
    return parser


def main(argv: list[str] | None = None) -> int:
    _printable_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return EXIT_INPUT
    try:
        return args.handler(args)
    except XtevalError as exc:
        print(f"xteval: error: {one_line(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("xteval: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `xteval check … | head`: the reader left; nothing to report
        sys.stdout = open(os.devnull, "w")  # so the flush at exit does not raise again
        return EXIT_OK
    except Exception as exc:
        # Every input problem is an XtevalError; reaching here is a fault in xteval.
        if os.environ.get(DEBUG_ENV) == "1":
            raise
        print(
            f"xteval: internal error: {type(exc).__name__}: {one_line(str(exc), 300)} "
            f"(a fault in xteval, not in your input; run again with {DEBUG_ENV}=1 for the traceback and report it)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _printable_streams() -> None:
    """stdout and stderr that never fail on a character: UTF-8 where the locale's encoding cannot say Chinese
    (``LANG=C``, ``PYTHONIOENCODING=ascii``), and an escape for what still cannot be written (a GBK file name)."""
    codecs.register_error(_ESCAPE, _escape_unencodable)
    for stream in (sys.stdout, sys.stderr):
        if not hasattr(stream, "reconfigure"):  # replaced by a caller (pytest's capture): theirs to decide
            continue
        try:
            "中文".encode(stream.encoding or "ascii")
            stream.reconfigure(errors=_ESCAPE)
        except (LookupError, UnicodeEncodeError):
            stream.reconfigure(encoding="utf-8", errors=_ESCAPE)


_ESCAPE = "xteval-escape"


def _escape_unencodable(exc: UnicodeError) -> tuple[str, int]:
    """A byte of a non-UTF-8 file name (a surrogate) as ``\\xd6``, any other unencodable character as ``\\u…``."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    shown = "".join(
        f"\\x{ord(c) - 0xDC00:02x}" if 0xDC80 <= ord(c) <= 0xDCFF else c.encode("ascii", "backslashreplace").decode() for c in bad
    )
    return shown, exc.end


if __name__ == "__main__":
    sys.exit(main())
