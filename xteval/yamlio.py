"""YAML read as data: the deliberately small loader of params files, frameworks and rule tables.

What YAML 1.1 would silently turn into another number is refused with the field and
the line, and what could make a small file large or deep is refused too (see the
rules below). :func:`load_yaml` is the one entry point; every error is one line.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, ParamsError
from .files import read_input
from .money import INVISIBLE, MAX_INT_DIGITS

# A params file, a framework and a rule table are data, read with a deliberately small
# YAML: what YAML 1.1 would silently turn into another number is refused with the
# field and the line, and what could make a small file large or deep is refused too.
#
# - integers are base 10: ``0100`` (octal 64 in YAML 1.1), ``0x1F``, ``0o17``, ``0b1``
#   and ``1:30`` (sexagesimal 90) are refused; so is ``1_000`` (YAML 1.1 reads 1000,
#   YAML 1.2 a string: ambiguous, and no report writes it);
# - decimals keep their text exactly (``Decimal``); an exponent (``1.0e+400``), inf
#   and nan are refused, and so is any number with more than 15 integer digits;
# - ``true``/``false`` are the only booleans (``yes``, ``no``, ``on``, ``off`` stay text);
# - a key given twice is refused naming both lines;
# - anchors, aliases and ``<<`` merge keys are refused: refusing is simpler and safer
#   than expanding under a cap ("billion laughs"), and a params file never needs them;
# - nesting deeper than :data:`MAX_DEPTH` levels is refused before Python recurses; a file over
#   :data:`MAX_BYTES` is refused before it is parsed, and one of more than :data:`MAX_NODES` nodes
#   as soon as the composer reaches the first node past it (a 49 MB list of 12 M items took 4.7 GB);
# - characters that a reader does not see are refused where they are: U+2028, U+2029 and NEL, which
#   YAML takes as line breaks (inside a comment they turn the rest of the comment into live keys), and
#   zero-width and bidi controls (a key or a unit name shown as another). A BOM may open the file.

MAX_DEPTH = 32
MAX_BYTES = 16 * 1024 * 1024  # a params file is some kilobytes (a long narrative some hundreds): 16 MB is a mistake or an attack
MAX_NODES = (
    50_000  # scalars, lists and maps in one file: the largest shipped file has under 1,500; a dense flow list reaches this in 150 KB
)
_INT, _FLOAT, _BOOL = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool"
_MERGE = "tag:yaml.org,2002:merge"

# Every plain scalar that YAML 1.1 would read as a number, so that each can be checked.
_INT_LIKE = re.compile(r"^[-+]?(?:0[xXoObB][0-9a-fA-F_]*|[0-9][0-9_]*(?::[0-9_]+)*)$")
_FLOAT_LIKE = re.compile(
    r"^[-+]?(?:[0-9][0-9_]*(?::[0-9_]+)*\.[0-9_]*|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?$"
    r"|^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$"
)
_BOOL_LIKE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


def number_problem(text: str, tag: str) -> str | None:
    """Why a YAML number's text is refused (see above), or None when it reads unambiguously in base 10."""
    t = text.lstrip("+-")
    text = text if len(text) <= 40 else f"{text[:37]}…"  # quoted in a one-line message
    if ":" in t:
        return f"60 进制写法 {text!r} 不被接受（YAML 1.1 会读作另一个数）：写十进制数，或加引号作文本 (sexagesimal number refused)"
    if t[:2].lower() in ("0x", "0o", "0b"):
        return f"十六/八/二进制写法 {text!r} 不被接受：写十进制数 (hex, octal or binary number refused)"
    if "_" in t:
        return f"数字中的下划线 {text!r} 不被接受：去掉下划线 (underscore in a number refused)"
    if tag == _FLOAT and t.lower() in (".inf", ".nan"):
        return f"不是有限数值 {text!r} (not a finite number)"
    if tag == _FLOAT and "e" in t.lower():
        return f"科学计数法 {text!r} 不被接受：写出全部数字 (exponent refused)"
    digits = (t.split(".")[0] if tag == _FLOAT else t).lstrip("0")
    if len(digits) > MAX_INT_DIGITS:
        return f"整数部分超过 {MAX_INT_DIGITS} 位（{len(digits):,} 位）(more than {MAX_INT_DIGITS} integer digits)"
    if tag != _FLOAT and len(t) > 1 and t[0] == "0":
        return f"前导零有歧义 {text!r}（YAML 1.1 读作八进制 {_octal(t)}）：写 {digits or '0'}，或加引号作文本 (leading zero is ambiguous)"
    return None


def _octal(digits: str) -> str:
    return str(int(digits, 8)) if len(digits) <= 20 and set(digits) <= set("01234567") else "无效数"


class YamlRefusal(Exception):
    """What the exact loader refuses, with the line and the field path it was found at."""

    def __init__(self, reason: str, mark, field: str):
        super().__init__(reason)
        self.reason, self.line, self.field = reason, (mark.line + 1 if mark else None), field


def _segment(index) -> str:
    if index is None:
        return ""
    if isinstance(index, int):
        return f"[{index}]"
    return str(getattr(index, "value", "?"))[:80]


class _ExactLoader(yaml.SafeLoader):
    """SafeLoader reading YAML as data: numbers from their text in base 10, no aliases, bounded depth."""

    yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag not in (_INT, _FLOAT, _BOOL, "tag:yaml.org,2002:value")]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream):
        super().__init__(stream)
        self._path: list[str] = []
        self._nodes = 0

    def field(self) -> str:
        out = ""
        for seg in self._path:
            if seg:
                out += seg if seg.startswith("[") else (f".{seg}" if out else seg)
        return out or "(top level)"

    def compose_node(self, parent, index):
        self._path.append(_segment(index))
        try:
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise YamlRefusal(
                    "锚点与别名（& 与 *）不被接受：请逐项写出 (anchors and aliases are refused)", event.start_mark, self.field()
                )
            if len(self._path) > MAX_DEPTH:
                raise YamlRefusal(f"嵌套超过 {MAX_DEPTH} 层 (nested deeper than {MAX_DEPTH} levels)", event.start_mark, self.field())
            self._nodes = getattr(self, "_nodes", 0) + 1  # the libyaml loader has an __init__ of its own
            if self._nodes > MAX_NODES:
                raise YamlRefusal(f"条目超过 {MAX_NODES:,} 个 (more than {MAX_NODES:,} nodes)", event.start_mark, self.field())
            node = super().compose_node(parent, index)
            self._check(node)
            return node
        finally:
            self._path.pop()

    def _check(self, node) -> None:
        if isinstance(node, yaml.ScalarNode) and node.tag in (_INT, _FLOAT):
            problem = number_problem(node.value, node.tag)
            if problem:
                raise YamlRefusal(problem, node.start_mark, self.field())
        elif isinstance(node, yaml.MappingNode):
            seen: dict[tuple[str, str], yaml.Node] = {}
            for key, _ in node.value:
                if key.tag == _MERGE:
                    raise YamlRefusal("合并键 << 不被接受：请逐项写出 (merge keys are refused)", key.start_mark, self.field())
                if not isinstance(key, yaml.ScalarNode):
                    continue
                first = seen.setdefault((key.tag, key.value), key)
                if first is not key:
                    where = self.field()
                    name = key.value[:80]
                    raise YamlRefusal(
                        f"键 {name!r} 重复：第 {first.start_mark.line + 1} 行与第 {key.start_mark.line + 1} 行 (duplicate key)",
                        key.start_mark,
                        name if where == "(top level)" else f"{where}.{name}",
                    )


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    problem = number_problem(node.value, _INT)
    if problem:  # compose_node checked it already; the constructor stays safe on its own
        raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark)
    return int(node.value)


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    problem = number_problem(node.value, _FLOAT)
    if problem:
        raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark)
    try:
        return Decimal(node.value)
    except InvalidOperation:
        raise yaml.constructor.ConstructorError(None, None, f"不是数值 {node.value!r} (not a number)", node.start_mark) from None


def _construct_bool(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> bool:
    value = loader.construct_scalar(node)
    if not _BOOL_LIKE.match(value):
        raise yaml.constructor.ConstructorError(
            None, None, f"布尔值只能写 true 或 false: {value!r} (boolean must be true or false)", node.start_mark
        )
    return value.lower() == "true"


_ExactLoader.add_implicit_resolver(_BOOL, _BOOL_LIKE, list("tTfF"))
_ExactLoader.add_implicit_resolver(_FLOAT, _FLOAT_LIKE, list("-+0123456789."))
_ExactLoader.add_implicit_resolver(_INT, _INT_LIKE, list("-+0123456789"))
_ExactLoader.add_constructor(_INT, _construct_int)
_ExactLoader.add_constructor(_FLOAT, _construct_decimal)
_ExactLoader.add_constructor(_BOOL, _construct_bool)

try:  # libyaml, when PyYAML was built with it
    from yaml.cyaml import CParser as _CParser
except ImportError:  # pragma: no cover - PyYAML without libyaml
    _CParser = None

if _CParser is not None:

    class _ExactCLoader(_ExactLoader, _CParser):
        """The same loader with libyaml scanning and parsing the text into events.

        Only the events come from C: composing the nodes (where aliases, depth, duplicate keys
        and numbers are checked), resolving tags and constructing values stay the Python code
        of :class:`_ExactLoader`. Scanning is most of the work: an unchanged batch parses every
        params file before it can skip it, and this is about five times faster.
        """

        def __init__(self, stream):
            _CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            self._path = []

    # The Python reader, scanner and parser come before CParser in the MRO; the events must be libyaml's.
    for _name in ("check_event", "peek_event", "get_event", "dispose"):
        setattr(_ExactCLoader, _name, getattr(_CParser, _name))
    _Loader = _ExactCLoader
else:  # pragma: no cover - PyYAML without libyaml
    _Loader = _ExactLoader


_HIDDEN = re.compile("[\u2028\u2029\x85" + "".join(re.escape(chr(cp)) for cp in INVISIBLE) + "]")


class _Mark:
    """Where a refused character stands, as a YAML mark says it (0-based line)."""

    def __init__(self, line: int):
        self.line = line


def _refuse_hidden(text: str) -> None:
    m = _HIDDEN.search(text, 1 if text.startswith("\ufeff") else 0)
    if m is not None:
        ch = m.group()
        what = "YAML 会当作换行" if ch in "\u2028\u2029\x85" else "看不见，会隐藏或颠倒文字"
        reason = f"含不可见字符 U+{ord(ch):04X}（{what}）：请删除 (invisible character refused)"
        raise YamlRefusal(reason, _Mark(text.count("\n", 0, m.start())), "")


def parse_yaml(text: str) -> Any:
    """Parse YAML text with the exact loader (see the rules above).

    Raises:
        YamlRefusal: a refused number, key, alias, depth or invisible character, with its line and field.
        yaml.YAMLError: the text is not YAML.
    """
    if not text.isascii():
        _refuse_hidden(text)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()


def read_bytes(path: Path) -> bytes:
    """A params file's bytes (through :func:`xteval.files.read_input`); a refusal (missing, a FIFO, over the cap) is a ParamsError naming it."""
    try:
        return read_input(path)
    except InputError as exc:
        raise ParamsError(exc.reason, file=path) from None


def load_yaml(path: str | Path, data: bytes | None = None) -> Any:
    """Read a YAML file with the exact loader; every error is one line naming the file, the line and the field.

    Args:
        path: the file; read through :func:`xteval.files.read_input` unless ``data`` is given.
        data: the file's bytes, when the caller has read them already (read once, hashed once).

    Raises:
        ParamsError: unreadable, not UTF-8, not YAML, or refused by the exact loader.
    """
    path = Path(path)
    data = read_bytes(path) if data is None else data
    if len(data) > MAX_BYTES:
        raise ParamsError(f"文件过大: {len(data):,} 字节，上限 {MAX_BYTES:,} (a YAML file over {MAX_BYTES // 2**20} MB)", file=path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ParamsError("不是 UTF-8 文本 (not UTF-8 text)", file=path) from None
    try:
        return parse_yaml(text)
    except YamlRefusal as exc:
        where = ", ".join(str(x) for x in (f"line {exc.line}" if exc.line else "", exc.field) if x)
        raise ParamsError(exc.reason, file=path, field=where or None) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"line {mark.line + 1}" if mark else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "nesting depth" in problem:  # libyaml stops far deeper than MAX_DEPTH while reading ahead
            raise ParamsError(f"嵌套超过 {MAX_DEPTH} 层 (nested deeper than {MAX_DEPTH} levels)", file=path, field=where) from None
        raise ParamsError(f"YAML 语法错误 (YAML syntax error: {problem})", file=path, field=where) from None
    except RecursionError:  # a parser path this loader does not bound; never a traceback
        raise ParamsError(f"嵌套过深 (nested too deeply; at most {MAX_DEPTH} levels)", file=path) from None
