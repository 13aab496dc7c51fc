"""The ``xteval`` command: a thin layer over the library.

Every error is one line on stderr (``xteval: error: FILE: FIELD: reason``) and
a documented exit code: 0 success, 1 findings failed or a notebook failed,
2 bad input or usage (nothing written), 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from . import __version__
from .errors import EXIT_INPUT, EXIT_INTERRUPTED, EXIT_OK, XtevalError

EXIT_CODES = """exit codes:
  0  success
  1  a check failed, or a notebook run failed (its outputs are kept)
  2  bad input or usage: one line names the file, field and reason; nothing is written
  130 interrupted"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors: one line, exit 2, like every input error
        self.exit(EXIT_INPUT, f"xteval: error: {message} (see 'xteval {self.prog.split()[-1]} --help')\n")


def _sub(subs, name: str, help: str, example: str, handler: Callable[[argparse.Namespace], int]):
    p = subs.add_parser(
        name,
        help=help,
        description=help,
        epilog=f"example:\n  {example}\n\n{EXIT_CODES}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.set_defaults(handler=handler)
    return p


# --------------------------------------------------------------------------- run


def cmd_run(args: argparse.Namespace) -> int:
    from .run import run_params

    result = run_params(args.params_file, args.out)
    print(f"wrote {result.html}")
    print(f"wrote {result.ipynb}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="xteval",
        description="xteval: 预算绩效评价的勾稽检查与评分工具 (reconciliation and scoring for budget performance evaluation).",
        epilog=f"example:\n  xteval run params/2023/department.yaml\n\n{EXIT_CODES}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"xteval {__version__}")
    subs = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)

    p = _sub(
        subs,
        "run",
        "运行参数文件对应的 notebook 并导出 HTML 附录 (run one params file)",
        "xteval run params/2023/department.yaml --out outputs",
        cmd_run,
    )
    p.add_argument("params_file", type=Path, help="参数文件 YAML；其 notebook 键指定 notebooks/<notebook>.ipynb")
    p.add_argument(
        "--out", type=Path, default=None, help="输出根目录，写入 <out>/<year>/<name>.ipynb 与 .html（默认：项目根目录下 outputs/）"
    )

    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return EXIT_INPUT
    try:
        return args.handler(args)
    except XtevalError as exc:
        print(f"xteval: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("xteval: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
