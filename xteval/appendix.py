"""Executed notebook → self-contained HTML appendix, written atomically.

The template (``templates/xteval``) drops every external script. Chinese text
renders on any reader's machine because the page embeds a subset of Noto Sans
SC holding exactly the characters it uses (WOFF, base64): the reader needs no
CJK font and no network.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import os
import re
import tempfile
from pathlib import Path

import nbformat

from .report import RECORD_MIME

TEMPLATE_DIR = Path(__file__).parent / "templates"
FONT_FAMILY = "XtevalCJK"


@functools.cache
def exporter():
    """One HTML exporter per process, with code and prompts hidden; reused across runs."""
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="xteval",
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def _strip_records(nb):
    nb = nbformat.from_dict(nb)  # a copy: the .ipynb keeps its records
    for cell in nb.cells:
        if "outputs" in cell:
            cell.outputs = [o for o in cell.outputs if RECORD_MIME not in o.get("data", {})]
    return nb


def to_html(nb) -> str:
    """Render an executed notebook as an offline HTML appendix with no code."""
    body, _ = exporter().from_notebook_node(_strip_records(nb))
    return embed_font(body)


_TAG = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.S | re.I)


@functools.cache
def _font_bytes() -> bytes:
    import pylopdf_fonts_zh_cn

    return (Path(pylopdf_fonts_zh_cn.__file__).parent / "NotoSansSC-Regular.otf").read_bytes()


@functools.lru_cache(maxsize=64)
def _subset_woff(chars: str) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(_font_bytes()), lazy=True)
    opts = subset.Options()
    opts.flavor = "woff"
    opts.notdef_outline = True
    sub = subset.Subsetter(opts)
    sub.populate(text=chars)
    sub.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def embed_font(page: str) -> str:
    """Add an @font-face with a Noto Sans SC subset covering the page's CJK characters."""
    text = _TAG.sub(" ", page)
    chars = "".join(sorted({c for c in text if ord(c) > 0x2E7F}))
    if not chars:
        return page
    data = base64.b64encode(_subset_woff(chars)).decode("ascii")
    face = f'<style type="text/css">@font-face{{font-family:"{FONT_FAMILY}";src:url(data:font/woff;base64,{data}) format("woff");}}</style>'
    return page.replace("</head>", face + "\n</head>", 1)


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write to a temporary file beside ``path`` and rename it over, so no reader sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def sha256(path: Path) -> str:
    """Content hash of a file, for provenance and incremental runs."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
