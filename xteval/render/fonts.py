"""Chinese text on any reader's machine: a Noto Sans SC subset embedded in the page.

The font comes from the ``pylopdf-fonts-zh-cn`` wheel (SIL OFL 1.1). Each page
embeds exactly the CJK characters it uses, as base64 WOFF, so it needs no
installed CJK font and no network. Light imports only: the batch index uses
this on its fast path, and fontTools is imported only to build a subset.

Cost. A subset costs ~0.2 s of CPU, almost all of it per glyph (fontTools runs
each kept glyph's charstring to close over its components and subroutines, then
compiles the result), so the one lever is not to build the same subset twice:

- The font file is read once per process. A parsed font is not kept: fontTools
  subsets a font in place, and cloning a parsed one (pickle) saves 0.04 s of a
  0.07 s parse for 18 MB held per process, measured; a lazily opened font from
  the bytes in memory parses only the tables a subset reads.
- Subsets are cached by the hash of their glyph set (with the font's identity and
  the subset format): in memory for the process (a batch worker exports many
  pages with the same characters) and, when the caller names a folder, on disk
  (the batch index, under ``outputs/.state/fonts``, so an unchanged batch builds
  none).
- Bounding boxes are not recomputed (the full font's are valid bounds for any
  subset) and the vertical-writing tables are dropped (pages are horizontal).
- A subset is the same bytes whoever builds it (no build date in it).

A cache file is someone else's input like any other: see :func:`_read_cached`.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import re
import stat
import threading
from collections import OrderedDict
from pathlib import Path

FONT_FAMILY = "XtevalCJK"
FORMAT = "xteval-font-subset/1"  # bump when the subset options change: old cache files stop matching
MEMORY_ENTRIES = 64
MAX_CACHE_FILE = 8 * 1024 * 1024  # a subset of every character of a long page is well under 1 MB
MAX_CACHE_FILES = 512  # ~150 KB each; beyond this the oldest are removed

_TAG = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.S | re.I)
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")

_memory: OrderedDict[str, str] = OrderedDict()  # key -> base64 WOFF, least recently used first
_memory_lock = threading.Lock()


@functools.cache
def _font_path() -> Path:
    import pylopdf_fonts_zh_cn

    return Path(pylopdf_fonts_zh_cn.__file__).parent / "NotoSansSC-Regular.otf"


@functools.cache
def _font_bytes() -> bytes:
    return _font_path().read_bytes()


@functools.cache
def _font_id() -> str:
    """The font's identity for cache keys, without reading its 8 MB: name, size and mtime."""
    info = _font_path().stat()
    return f"{_font_path().name}:{info.st_size}:{info.st_mtime_ns}"


def cjk_chars(page: str) -> str:
    """The sorted CJK characters (and CJK punctuation) a page shows, outside tags, scripts and styles."""
    shown = set(_TAG.sub(" ", page))  # the distinct characters first: a page repeats a few hundred of them
    return "".join(sorted(c for c in shown if c >= "\u2e80"))  # from the CJK radicals up: what the subset must hold


def subset_key(chars: str) -> str:
    """The cache key of a glyph set: the hash of the characters, the font and the subset format."""
    return hashlib.sha256(f"{FORMAT}\0{_font_id()}\0{chars}".encode()).hexdigest()


def _build_woff(chars: str) -> bytes:
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    # recalcTimestamp=False: the subset keeps the font's own date, so one glyph set always
    # gives the same bytes, whichever process built it and when.
    font = TTFont(io.BytesIO(_font_bytes()), lazy=True, recalcBBoxes=False, recalcTimestamp=False)
    opts = subset.Options()
    opts.flavor = "woff"
    opts.notdef_outline = True
    opts.drop_tables += ["vhea", "vmtx", "VORG"]
    sub = subset.Subsetter(opts)
    sub.populate(text=chars)
    sub.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _cache_dir_usable(folder: Path) -> bool:
    """A real folder (not a link) owned by us that no one else can write to."""
    try:
        info = os.lstat(folder)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _read_cached(folder: Path, key: str, chars: str) -> str | None:
    """The base64 WOFF cached for ``chars``, or None when the file is missing or not to be trusted.

    Trusted only when it is a regular file (no link followed) of at most
    ``MAX_CACHE_FILE`` bytes, owned by this user and writable by no one else
    (a file planted by another account is ignored), in the same kind of folder;
    names this font, this format and exactly these characters; and its payload
    is base64 text whose SHA-256 matches the one recorded (a truncated or altered
    file is rebuilt). Base64 text cannot close the ``url(…)`` it is put in, so
    even a file that passed every check could not add markup to a page.
    """
    if not _cache_dir_usable(folder):
        return None
    try:
        fd = os.open(folder / f"{key}.json", os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if (
            not stat.S_ISREG(info.st_mode)
            or info.st_uid != os.geteuid()
            or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
            or info.st_size > MAX_CACHE_FILE
        ):
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            raw = fh.read(MAX_CACHE_FILE + 1)
        entry = json.loads(raw)
    except (OSError, ValueError):
        return None
    finally:
        os.close(fd)
    if not isinstance(entry, dict):
        return None
    data = entry.get("woff_base64")
    if (
        entry.get("format") != FORMAT
        or entry.get("font") != _font_id()
        or entry.get("chars") != chars
        or not isinstance(data, str)
        or not _BASE64.fullmatch(data)
        or entry.get("sha256") != hashlib.sha256(data.encode("ascii")).hexdigest()
    ):
        return None
    return data


def _write_cached(folder: Path, key: str, chars: str, data: str) -> None:
    from ..errors import XtevalError
    from ..files import write_atomic

    try:
        folder.mkdir(parents=True, exist_ok=True)
        info = os.lstat(folder)
        if stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid() and not _cache_dir_usable(folder):
            os.chmod(folder, 0o755)  # ours, made under a group-writable umask: others must not write here
        if not _cache_dir_usable(folder):  # a link, or someone else's
            return
        path = folder / f"{key}.json"
        entry = {
            "format": FORMAT,
            "font": _font_id(),
            "chars": chars,
            "sha256": hashlib.sha256(data.encode("ascii")).hexdigest(),
            "woff_base64": data,
        }
        write_atomic(path, json.dumps(entry, ensure_ascii=False))
        os.chmod(path, 0o644)  # readable by all, like the pages; writable by us only, or we will not trust it
        _prune(folder)
    except (OSError, XtevalError):  # write_atomic turns a full disk into a WriteError
        pass  # a cache that cannot be written costs time, never a page


def _prune(folder: Path) -> None:
    """Keep the newest ``MAX_CACHE_FILES`` subsets: glyph sets of pages long replaced are dropped."""
    files = [e for e in os.scandir(folder) if e.name.endswith(".json") and e.is_file(follow_symlinks=False)]
    if len(files) <= MAX_CACHE_FILES:
        return
    files.sort(key=lambda e: e.stat(follow_symlinks=False).st_mtime_ns)
    for old in files[: len(files) - MAX_CACHE_FILES]:
        try:
            os.unlink(old.path)
        except OSError:
            pass


def subset_base64(chars: str, cache_dir: Path | None = None) -> str:
    """A Noto Sans SC subset covering ``chars``, as base64 WOFF, built once per glyph set.

    Args:
        chars: the characters to cover (see :func:`cjk_chars`).
        cache_dir: a folder for cached subsets that outlive the process; memory only if None.
    """
    key = subset_key(chars)
    with _memory_lock:
        data = _memory.get(key)
        if data is not None:
            _memory.move_to_end(key)
    if data is not None:
        if cache_dir is not None and not (Path(cache_dir) / f"{key}.json").exists():
            _write_cached(Path(cache_dir), key, chars, data)  # known here, new to this folder
        return data
    data = _read_cached(Path(cache_dir), key, chars) if cache_dir is not None else None
    if data is None:
        data = base64.b64encode(_build_woff(chars)).decode("ascii")
        if cache_dir is not None:
            _write_cached(Path(cache_dir), key, chars, data)
    with _memory_lock:
        _memory[key] = data
        while len(_memory) > MEMORY_ENTRIES:
            _memory.popitem(last=False)
    return data


def subset_woff(chars: str, cache_dir: Path | None = None) -> bytes:
    """The WOFF bytes of a subset covering ``chars`` (cached as :func:`subset_base64` caches it)."""
    return base64.b64decode(subset_base64(chars, cache_dir))


def link_font(page: str, href: str) -> str:
    """Add an @font-face whose source is a font file beside the page (``href``, relative): pages of one
    folder share one subset instead of each embedding its own (see :func:`subset_woff`)."""
    face = f'<style type="text/css">@font-face{{font-family:"{FONT_FAMILY}";src:url("{href}") format("woff");}}</style>'
    return page.replace("</head>", face + "\n</head>", 1)


def embed_font(page: str, cache_dir: Path | None = None, also: str = "") -> str:
    """Add an @font-face with a Noto Sans SC subset covering the page's CJK characters.

    Args:
        page: an HTML page with a ``</head>``.
        cache_dir: where subsets are cached between processes (the batch index's
            ``outputs/.state/fonts``); None caches in memory only.
        also: text whose characters the subset covers even where the page does not
            show them, so that pages differing only in those share one subset.
    """
    chars = cjk_chars(f"{page} {also}")
    if not chars:
        return page
    data = subset_base64(chars, cache_dir)
    face = f'<style type="text/css">@font-face{{font-family:"{FONT_FAMILY}";src:url(data:font/woff;base64,{data}) format("woff");}}</style>'
    return page.replace("</head>", face + "\n</head>", 1)
