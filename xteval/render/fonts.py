"""Chinese text on any reader's machine: a Noto Sans SC subset embedded in the page.

The font comes from the ``pylopdf-fonts-zh-cn`` wheel (SIL OFL 1.1). Each page
embeds exactly the CJK characters it uses, as base64 WOFF, so it needs no
installed CJK font and no network. Light imports only: the batch index uses
this on its fast path.
"""

from __future__ import annotations

import base64
import functools
import io
import re
from pathlib import Path

FONT_FAMILY = "XtevalCJK"

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
