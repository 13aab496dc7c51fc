"""Every generated HTML appendix opened in headless Chromium, with the network cut off.

For each page the browser must report no failed request, no request to any host,
no JavaScript error and no dialog; the embedded CJK font must load; no table may
be wider than the page on screen or on A4 paper; no code may show; the visible
text holds no Latin word outside a short allow-list. Printed to A4 PDF, the
department appendix takes at most 12 pages, no page ends with a heading and no
page but the last is near empty (each page's text and objects read with
pypdfium2). The PDF of each page is saved to ``outputs/screenshots/`` for a person to look
at; ``make screenshots`` (``XTEVAL_SCREENSHOTS=1``) also saves a PNG of each printed page and of
the page on screen and in print media. Those images assert nothing and cost a third of the test,
so the suite leaves them out.

Chromium is driven over the DevTools protocol (``websocket-client``). The test
is skipped only when no Chromium binary exists; ``.ci/run`` installs Debian's.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from conftest import PARAMS, ROOT

CHROMIUM = next((p for p in (os.environ.get("CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser")) if p), None)
SCREENSHOTS = ROOT / "outputs" / "screenshots"
IMAGES = os.environ.get("XTEVAL_SCREENSHOTS") == "1"  # PNGs for a person to look at (make screenshots)
A4_TEXT_WIDTH_PX = 680  # 210 mm − 2 × 15 mm margins at 96 px per inch
DEPARTMENT_MAX_PAGES = 12  # the department appendix printed on A4
NEAR_EMPTY = 0.15  # a page whose content fills less of its height than this is near empty (the last page may be)

# Latin words a page may show: the acronyms the field writes in Latin letters (PEFA, PPP, PI-1…, IT), and
# APP as the seed report names a project; the tool calls itself 本工具 on its pages.
# File names (department.yaml, 2023/department.ipynb), identifiers with digits (PI-2.1, GD20230009,
# checksums, UTF-8) and single letters (PEFA scores A–D, formula letters) are allowed by their shape.
LATIN_ALLOWED = {"PEFA", "PPP", "PI", "IT", "APP"}  # APP: a project name in the seed report ("…APP"), the unit's own words
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9_.\-/]*")
_FILE = re.compile(r"\.(yaml|yml|ipynb|html|csv|txt|xlsx)$", re.I)


def latin_words(text: str) -> list[str]:
    """The Latin words of a visible text that are neither allowed nor shaped like a file name or an identifier."""
    out = []
    for token in _LATIN.findall(text):
        token = token.rstrip(".-/")
        if _FILE.search(token) or any(ch.isdigit() for ch in token) or len(token) == 1 or token in LATIN_ALLOWED:
            continue
        out.append(token)
    return out


def pdf_pages(pdf: bytes) -> list[tuple[list[str], float]]:
    """Each printed page's lines of text and the share of its printable height that holds content."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    out = []
    for page in doc:
        lines = [line.strip() for line in page.get_textpage().get_text_range().splitlines() if line.strip()]
        height = page.get_height()
        boxes = [obj.get_bounds() for obj in page.get_objects()]  # (left, bottom, right, top) in points
        filled = (max(b[3] for b in boxes) - min(b[1] for b in boxes)) / (height - 2 * 18 / 25.4 * 72) if boxes else 0.0
        out.append((lines, filled))
    return out


def render_pages(pdf: bytes, stem: str) -> None:
    """PNGs of the printed pages, for a person to look at."""
    import pypdfium2 as pdfium

    for old in SCREENSHOTS.glob(f"{stem}-page*.png"):  # a page count that fell leaves no stale page behind
        old.unlink()
    for i, page in enumerate(pdfium.PdfDocument(pdf), start=1):
        page.render(scale=1.0).to_pil().save(SCREENSHOTS / f"{stem}-page{i:02d}.png")


pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary installed (.ci/run installs Debian's chromium)")


class Chromium:
    """A headless Chromium with networking disabled, driven over the DevTools protocol."""

    FLAGS = (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-sync",
        "--disable-extensions",
        "--mute-audio",
        "--allow-file-access-from-files",
        # No host resolves and every connection goes to a dead proxy: nothing leaves the machine.
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=127.0.0.1:9",
        "--remote-debugging-port=0",
    )

    def __init__(self, binary: str = CHROMIUM, timeout: float = 60):
        import websocket

        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="xt-chromium-")
        self.proc = subprocess.Popen(
            [binary, *self.FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError("chromium did not start")
            time.sleep(0.1)
        port, path = port_file.read_text().splitlines()[:2]
        self.ws = websocket.create_connection(
            f"ws://127.0.0.1:{port}{path}", timeout=timeout, suppress_origin=True, skip_utf8_validation=True
        )
        self.ids = itertools.count(1)
        self.events: list[dict] = []

    def send(self, method: str, session: str | None = None, **params):
        """Send one command and return its result; events that arrive meanwhile are kept."""
        msg_id = next(self.ids)
        msg = {"id": msg_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == msg_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)
        raise TimeoutError(method)

    def wait_for(self, method: str, session: str) -> dict:
        """Wait for an event of a session (e.g. ``Page.loadEventFired``)."""
        deadline = time.monotonic() + self.timeout
        seen = 0
        while time.monotonic() < deadline:
            for ev in self.events[seen:]:
                if ev.get("method") == method and ev.get("sessionId") == session:
                    return ev
            seen = len(self.events)
            self.events.append(json.loads(self.ws.recv()))
        raise TimeoutError(method)

    def open(self, url: str, width: int = 1200, height: int = 900) -> str:
        """Open a page in a new tab with network events, console and dialogs watched; return the session."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.send(f"{domain}.enable", session)
        self.send("Network.emulateNetworkConditions", session, offline=True, latency=0, downloadThroughput=-1, uploadThroughput=-1)
        self.send("Emulation.setDeviceMetricsOverride", session, width=width, height=height, deviceScaleFactor=1, mobile=False)
        self.send("Page.navigate", session, url=url)
        self.wait_for("Page.loadEventFired", session)
        self.evaluate(session, "document.fonts.ready.then(() => true)")
        return session

    def evaluate(self, session: str, expression: str):
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = self.send("Runtime.evaluate", session, expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def problems(self, session: str) -> list[str]:
        """Failed or outgoing requests, JavaScript errors, console errors and dialogs seen in a session."""
        out = []
        for ev in self.events:
            if ev.get("sessionId") != session:
                continue
            method, params = ev.get("method"), ev.get("params", {})
            if method == "Network.requestWillBeSent":
                url = params["request"]["url"]
                if not url.startswith(("file:", "data:", "about:")):
                    out.append(f"request to {url}")
            elif method == "Network.loadingFailed":
                out.append(f"request failed: {params.get('errorText')} ({params.get('type')})")
            elif method == "Runtime.exceptionThrown":
                out.append(f"javascript error: {params['exceptionDetails'].get('text')}")
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                out.append(f"console error: {params['entry'].get('text')} {params['entry'].get('url', '')}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
                out.append(f"console.error: {params.get('args')}")
            elif method == "Page.javascriptDialogOpening":
                out.append(f"dialog opened: {params.get('message')}")
                self.send("Page.handleJavaScriptDialog", session, accept=True)
        return out

    def screenshot(self, session: str, path: Path) -> tuple[int, int]:
        """Save a PNG of the whole page; return its size in CSS pixels."""
        size = self.send("Page.getLayoutMetrics", session)["cssContentSize"]
        w, h = int(size["width"]), min(int(size["height"]), 16000)
        shot = self.send(
            "Page.captureScreenshot",
            session,
            format="png",
            captureBeyondViewport=True,
            clip={"x": 0, "y": 0, "width": w, "height": h, "scale": 1},
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        return w, h

    def close(self) -> None:
        try:
            if hasattr(self, "ws"):
                self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            shutil.rmtree(self.profile, ignore_errors=True)


# Tables wider than the box they sit in, measured in the page (0 when all fit).
OVERFLOWING_TABLES = """
[...document.querySelectorAll('table')].filter(t => {
  const box = t.closest('.jp-OutputArea-output, main, body');
  return t.getBoundingClientRect().width > box.clientWidth + 1;
}).map(t => (t.caption ? t.caption.innerText : t.innerText.slice(0, 40)))
"""
CODE_SHOWN = """
[...document.querySelectorAll('.jp-InputArea-editor, .jp-InputPrompt, .highlight, pre.jp-CodeMirror, .CodeMirror')].length
"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> list[Path]:
    """Run every params file in params/ with the batch runner (appendices and index.html) and collect the HTML."""
    from xteval.runner.batch import run_batch

    out = tmp_path_factory.mktemp("outputs")
    summary = run_batch([PARAMS], out, jobs=2)  # a failed run still writes its page, which must be clean as well
    assert summary.index.is_file()
    # The report audit page (`xteval check --html`) is generated HTML too.
    from xteval.cli import main

    for report in sorted(PARAMS.glob("*/sources/*.txt")):
        main(["check", str(report), "--html", str(out / "check" / f"{report.stem}.html")])
    found = sorted(out.glob("**/*.html"))
    assert found, "no HTML was generated"
    return found


@pytest.fixture(scope="module")
def browser():
    chromium = Chromium()
    yield chromium
    chromium.close()


HEADINGS = "[...document.querySelectorAll('main h2, main h3, main h4')].map(h => h.innerText.trim())"


def test_every_page_is_offline_clean_and_readable(pages, browser):
    report = {}
    for page in pages:
        name = "index" if page.stem == "index" else f"{page.parent.name}-{page.stem}"
        session = browser.open(page.as_uri())
        problems = browser.problems(session)
        assert browser.evaluate(session, "document.querySelector('h1') !== null"), f"{name}: no title block"
        assert browser.evaluate(session, "document.fonts.check('16px XtevalCJK', '单位年度')"), f"{name}: embedded CJK font not loaded"
        appendix = browser.evaluate(session, "document.body.classList.contains('xt-appendix')")
        wide = browser.evaluate(session, OVERFLOWING_TABLES)
        code = browser.evaluate(session, CODE_SHOWN)
        text = browser.evaluate(session, "document.body.innerText")
        headings = browser.evaluate(session, HEADINGS)
        size = browser.screenshot(session, SCREENSHOTS / f"{name}.png") if IMAGES else None
        # Printed on A4 (the page's own @page size).
        pdf = base64.b64decode(browser.send("Page.printToPDF", session, preferCSSPageSize=True, printBackground=True)["data"])
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / f"{name}.pdf").write_bytes(pdf)
        if IMAGES:
            render_pages(pdf, name)
        printed = pdf_pages(pdf)
        # The same page as printed on A4: tables must still fit the text width.
        browser.send("Emulation.setEmulatedMedia", session, media="print")
        browser.send("Emulation.setDeviceMetricsOverride", session, width=A4_TEXT_WIDTH_PX, height=1000, deviceScaleFactor=1, mobile=False)
        wide_print = browser.evaluate(session, OVERFLOWING_TABLES)
        if IMAGES:
            browser.screenshot(session, SCREENSHOTS / f"{name}-print.png")
        report[name] = (size, appendix, len(printed))
        assert not problems, f"{name}: {problems}"
        assert not wide, f"{name}: tables wider than the page on screen: {wide}"
        if appendix or name == "index":  # appendices and the index are printed; the check page is read on screen
            assert not wide_print, f"{name}: tables wider than A4 text width: {wide_print}"
        if name == "index":  # its collapsed right border, at the text width exactly, was clipped in print
            reach = browser.evaluate(
                session, "Math.max(0, ...[...document.querySelectorAll('table')].map(t => t.getBoundingClientRect().right))"
            )
            assert 0 < reach <= A4_TEXT_WIDTH_PX - 1, f"{name}: the table's right border reaches the page edge ({reach} px)"
        assert code == 0, f"{name}: code cells shown"
        for leak in ("import xteval", "load_params(", "params_path", "Traceback", "VBox(", "HBox("):
            assert leak not in text, f"{name}: {leak!r} visible"
        assert latin_words(text) == [], f"{name}: Latin words on the page: {sorted(set(latin_words(text)))}"
        if appendix:
            for number, (lines, filled) in enumerate(printed, start=1):
                last = lines[-1] if lines else ""
                assert not any(h and len(last) > 1 and (last == h or h.startswith(last)) for h in headings), (
                    f"{name}: page {number} ends with the heading {last!r}"
                )
                if number < len(printed):
                    assert filled >= NEAR_EMPTY, f"{name}: page {number} of {len(printed)} is near empty ({filled:.0%})"
            if "department" in browser.evaluate(session, "document.querySelector('.xt-provenance').innerText"):
                assert len(printed) <= DEPARTMENT_MAX_PAGES, f"{name}: {len(printed)} A4 pages (at most {DEPARTMENT_MAX_PAGES})"
    assert len(report) == len(pages)
    assert sum(a for _, a, _ in report.values()) == len(list(PARAMS.glob("*/*.yaml")))  # one appendix per params file
    (SCREENSHOTS / "pages.txt").write_text(
        "\n".join(f"{name}: {n} A4 pages" for name, (_, a, n) in sorted(report.items()) if a or name == "index") + "\n", encoding="utf-8"
    )


def test_the_latin_word_scan_can_fail():
    assert latin_words("总支出决算偏差 Aggregate expenditure outturn，PI-1 得分 D*") == ["Aggregate", "expenditure", "outturn"]
    assert latin_words("参数文件 2023/department.yaml（校验码 b0ff932b08c1），PEFA、PPP、IT") == []
    assert latin_words("成功 ok · generated 2026-11-25T16:27:16") == ["ok", "generated"]


def test_browser_sees_a_blocked_request_and_a_script_error(tmp_path, browser):
    """The watcher itself can fail: a page that fetches from a host and throws is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<html><body><img src="https://example.org/x.png"><script>undefined_function()</script><h1>x</h1></body></html>',
        encoding="utf-8",
    )
    session = browser.open(bad.as_uri())
    problems = browser.problems(session)
    assert any("example.org" in p for p in problems), problems
    assert any("javascript error" in p for p in problems), problems
