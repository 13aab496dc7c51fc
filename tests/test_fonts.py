"""The embedded font subset: built once per glyph set, cached in memory and on disk, never trusted blindly."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from pathlib import Path

import pytest

from xteval.render import fonts

PAGE = "<html><head><title>t</title></head><body><p>财政拨款收入 年初预算 预算执行率</p><script>var x = '脚本';</script></body></html>"
CHARS = fonts.cjk_chars(PAGE)


@pytest.fixture
def builds(monkeypatch) -> list[str]:
    """Every glyph set a subset is built for, with an empty memory cache.

    The cache's tests need bytes that stand for one glyph set, not a font: a stand-in builder gives 12.8 KB
    derived from the characters (fontTools took 0.2-0.5 s a subset; the subset itself is tested on its own,
    below, and in the browser)."""
    made: list[str] = []

    def counting(chars: str) -> bytes:
        made.append(chars)
        return hashlib.sha256(chars.encode()).digest() * 400

    monkeypatch.setattr(fonts, "_build_woff", counting)
    monkeypatch.setattr(fonts, "_memory", type(fonts._memory)())
    return made


def forget_memory(monkeypatch) -> None:
    """As a new process would start: nothing in memory."""
    monkeypatch.setattr(fonts, "_memory", type(fonts._memory)())


def embedded(page: str) -> bytes:
    return base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)\)", page).group(1))


def cache_file(folder: Path) -> Path:
    [path] = folder.glob("*.json")
    return path


def test_the_subset_covers_exactly_the_page_text_outside_scripts(monkeypatch):
    import io

    from fontTools.ttLib import TTFont

    forget_memory(monkeypatch)  # built here, by fontTools
    page = fonts.embed_font(PAGE)
    font = TTFont(io.BytesIO(embedded(page)))
    assert set(font.getBestCmap()) == {ord(c) for c in CHARS}
    assert "脚" not in CHARS and "财" in CHARS
    assert page.count("@font-face") == 1 and 'font-family:"XtevalCJK"' in page


def test_a_glyph_set_is_built_once_per_process(builds):
    first = fonts.embed_font(PAGE)
    again = fonts.embed_font(PAGE.replace("<title>t</title>", "<title>other title</title>"))  # same CJK characters
    assert builds == [CHARS]
    assert embedded(first) == embedded(again)
    fonts.embed_font(PAGE.replace("年初", "年中追加"))
    assert len(builds) == 2  # another glyph set is another subset


def test_the_disk_cache_serves_a_new_process(builds, tmp_path, monkeypatch):
    first = fonts.embed_font(PAGE, tmp_path)
    forget_memory(monkeypatch)
    second = fonts.embed_font(PAGE, tmp_path)
    assert builds == [CHARS]  # built once, read back once
    assert second == first
    entry = json.loads(cache_file(tmp_path).read_text(encoding="utf-8"))
    assert entry["chars"] == CHARS and entry["format"] == fonts.FORMAT
    assert cache_file(tmp_path).stem == fonts.subset_key(CHARS)
    assert os.stat(cache_file(tmp_path)).st_mode & 0o777 == 0o644


def test_a_subset_known_in_memory_is_still_written_to_a_new_cache_folder(builds, tmp_path):
    fonts.embed_font(PAGE)  # memory only
    fonts.embed_font(PAGE, tmp_path)
    assert builds == [CHARS]
    assert cache_file(tmp_path).stem == fonts.subset_key(CHARS)


def _tamper(path: Path, **changes) -> None:
    entry = json.loads(path.read_text(encoding="utf-8"))
    entry.update(changes)
    path.write_text(json.dumps(entry), encoding="utf-8")


def _reseal(path: Path, data: str) -> None:
    """A consistent planted entry: payload and hash agree."""
    _tamper(path, woff_base64=data, sha256=hashlib.sha256(data.encode()).hexdigest())


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda p: p.write_bytes(p.read_bytes()[:5000]), id="truncated"),
        pytest.param(lambda p: p.write_bytes(b"\x00\xff not json"), id="garbage"),
        pytest.param(lambda p: _tamper(p, woff_base64="QUJD" + json.loads(p.read_text())["woff_base64"][4:]), id="payload-altered"),
        pytest.param(lambda p: _tamper(p, chars="别的字"), id="other-glyph-set"),
        pytest.param(lambda p: _tamper(p, font="another-font.otf:1:1"), id="other-font"),
        pytest.param(lambda p: _tamper(p, format="xteval-font-subset/0"), id="old-format"),
        pytest.param(
            lambda p: _reseal(p, 'AAAA) format("woff");}</style><script>alert(1)</script><style>x{src:url(a'), id="markup-planted"
        ),
        pytest.param(lambda p: p.write_text("[]", encoding="utf-8"), id="not-an-object"),
    ],
)
def test_a_corrupt_or_planted_cache_file_is_rebuilt(builds, tmp_path, monkeypatch, spoil):
    clean = fonts.embed_font(PAGE, tmp_path)
    spoil(cache_file(tmp_path))
    forget_memory(monkeypatch)
    again = fonts.embed_font(PAGE, tmp_path)
    assert again == clean and "alert(1)" not in again
    assert len(builds) == 2  # the bad file was not used...
    forget_memory(monkeypatch)
    assert fonts.embed_font(PAGE, tmp_path) == clean
    assert len(builds) == 2  # ...and the rebuilt one replaced it


@pytest.mark.parametrize(
    "plant",
    [
        pytest.param(lambda p: os.chmod(p, 0o666), id="writable-by-others"),
        pytest.param(lambda p: p.rename(p.with_suffix(".real")) or p.symlink_to(p.with_suffix(".real").name), id="a-link"),
        pytest.param(lambda p: p.write_text(" " * (fonts.MAX_CACHE_FILE + 1), encoding="utf-8"), id="oversized"),
    ],
)
def test_a_cache_file_anyone_else_could_have_written_is_not_used(builds, tmp_path, monkeypatch, plant):
    fonts.embed_font(PAGE, tmp_path)
    plant(tmp_path / f"{fonts.subset_key(CHARS)}.json")
    forget_memory(monkeypatch)
    fonts.embed_font(PAGE, tmp_path)
    assert len(builds) == 2


def test_a_cache_file_owned_by_another_account_is_not_used(builds, tmp_path, monkeypatch):
    fonts.embed_font(PAGE, tmp_path)
    forget_memory(monkeypatch)
    real_fstat = os.fstat

    def someone_elses(fd):  # the file, not the folder, belongs to another account
        st = real_fstat(fd)
        return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid + 1, st.st_gid, st.st_size, 0, 0, 0))

    monkeypatch.setattr(fonts.os, "fstat", someone_elses)
    fonts.embed_font(PAGE, tmp_path)
    assert len(builds) == 2


def test_a_cache_folder_of_another_account_is_not_used(builds, tmp_path, monkeypatch):
    fonts.embed_font(PAGE, tmp_path)
    forget_memory(monkeypatch)
    me = os.geteuid()
    monkeypatch.setattr(fonts.os, "geteuid", lambda: me + 1)
    fonts.embed_font(PAGE, tmp_path)
    assert len(builds) == 2


def test_a_cache_folder_that_is_a_link_or_writable_by_others_is_not_used(builds, tmp_path, monkeypatch):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    page = fonts.embed_font(PAGE, tmp_path / "link")
    assert list(real.iterdir()) == []  # nothing written through a planted link
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    forget_memory(monkeypatch)
    fonts.embed_font(PAGE, shared)  # ours: closed to others (0755), then used
    assert shared.stat().st_mode & 0o022 == 0 and len(list(shared.glob("*.json"))) == 1
    os.chmod(shared, 0o777)
    forget_memory(monkeypatch)
    monkeypatch.setattr(fonts.os, "chmod", lambda *a, **k: None)  # one we cannot close is refused
    assert fonts.embed_font(PAGE, shared) == page
    assert len(builds) == 3


def test_the_disk_cache_keeps_the_newest_entries(builds, tmp_path, monkeypatch):
    monkeypatch.setattr(fonts, "MAX_CACHE_FILES", 3)
    extras = "一二三四五"
    for i, extra in enumerate(extras):
        fonts.embed_font(PAGE.replace("</p>", f"{extra}</p>"), tmp_path)
        [made] = [p for p in tmp_path.glob("*.json") if extra in json.loads(p.read_text(encoding="utf-8"))["chars"]]
        os.utime(made, (i, i))  # written in this order
    kept = {e for p in tmp_path.glob("*.json") for e in extras if e in json.loads(p.read_text(encoding="utf-8"))["chars"]}
    assert kept == {"三", "四", "五"}


def test_an_unchanged_batch_index_builds_no_font(builds, tmp_path, monkeypatch):
    """The index's subset covers every status text: a first batch and the next share it."""
    from xteval.runner.index import render

    rows = [
        {
            "year": 2023,
            "name": "department",
            "unit": "湘潭市大数据中心",
            "status": s,
            "seconds": 1,
            "total": "",
            "grade": "",
            "fail": "",
            "warn": "",
            "run_at": "",
            "error": "",
            "html": None,
            "ipynb": None,
            "params": "p.yaml",
            "summary": False,
            "title": "",
            "score_illustrative": False,
            "illustrative": False,
        }
        for s in ("ok",)
    ]
    cache = tmp_path / ".state" / "fonts"
    first = render(rows, font_cache=cache)
    forget_memory(monkeypatch)
    rows[0]["status"] = "skipped"
    second = render(rows, font_cache=cache)
    assert len(builds) == 1
    assert embedded(first) == embedded(second)
