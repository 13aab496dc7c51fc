"""Build the .docx, text .pdf and scanned .pdf of a report from its .txt, as the tests need them.

A .docx has one paragraph per line (python-docx). A text PDF is typeset with the Noto Sans SC
font of the ``pylopdf-fonts-zh-cn`` wheel (fpdf2), wrapping long lines at the page width the way
a word processor does: anywhere between Chinese characters, never inside a run of digits. A
scanned PDF is the same text drawn onto an A4 image with Pillow and saved as an image-only PDF:
no text layer, so only OCR reads it.
"""

from __future__ import annotations

from pathlib import Path

import pylopdf_fonts_zh_cn

FONT = Path(pylopdf_fonts_zh_cn.__file__).parent / "NotoSansSC-Regular.otf"


def make_docx(text: str, out: Path) -> Path:
    import docx

    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    document.save(str(out))
    return out


def _wrap(width_of, line: str, width: float) -> list[str]:
    """A line cut into pieces no wider than ``width``; a run of digits is never cut."""
    out, cur = [], ""
    for ch in line:
        if cur and width_of(cur + ch) > width:
            k = len(cur)
            while k > 0 and (cur[k - 1].isdigit() or cur[k - 1] in ".,%") and (ch.isdigit() or ch in ".,%"):
                k -= 1
            if 0 < k < len(cur):
                out.append(cur[:k])
                cur = cur[k:] + ch
            else:
                out.append(cur)
                cur = ch
        else:
            cur += ch
    out.append(cur)
    return out


def make_pdf(text: str, out: Path, size: float = 10.5) -> Path:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("noto", fname=str(FONT))
    # the full font's bounding boxes hold for its subset: recomputing them drew every kept glyph (1 s a PDF)
    pdf.fonts["noto"].ttfont.recalcBBoxes = False
    pdf.set_font("noto", size=size)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    for line in text.split("\n"):
        for part in _wrap(pdf.get_string_width, line.replace("\t", "    "), width):
            pdf.cell(0, size * 0.6, part or " ", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(out))
    return out


def make_scan(text: str, out: Path, dpi: int = 150) -> Path:
    """An image-only A4 PDF of the text (one page per 40 lines), like a scanner makes."""
    from PIL import Image, ImageDraw, ImageFont

    w, h = int(8.27 * dpi), int(11.69 * dpi)
    font = ImageFont.truetype(str(FONT), size=int(dpi * 10.5 / 72))
    margin, step = int(dpi * 0.8), int(dpi * 10.5 / 72 * 1.8)
    lines = []
    for line in text.split("\n"):
        lines += _wrap(lambda s: font.getlength(s), line.replace("\t", "    "), w - 2 * margin)
    pages = []
    for start in range(0, len(lines), 40):
        image = Image.new("L", (w, h), 255)
        draw = ImageDraw.Draw(image)
        for i, line in enumerate(lines[start : start + 40]):
            draw.text((margin, margin + i * step), line, font=font, fill=0)
        pages.append(image)
    pages[0].save(str(out), "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return out
