"""Run one params file: load, parameterize, execute with papermill, record, export, write.

``run_params()`` reads top to bottom as the pipeline. A params file that does
not validate stops it before anything is written. A notebook that fails still
leaves its executed notebook (with papermill's error banner) and its HTML, and
then raises :class:`RunError`.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from .. import __version__
from ..errors import ConfigError, ParamsError, RunError, XtevalError
from ..files import read_input, sha256, sha256_bytes, write_atomic
from ..params import input_hashes, load_params, params_sha256, project_root
from ..render.appendix import to_html
from ..render.report import collect_records
from ..render.sanitize import clip
from . import kernels
from .paths import ensure_writable, notebook_path, output_paths

PARAMETER = "params_path"  # the one notebook parameter: the params file to render


@dataclass
class RunResult:
    """Where a run wrote its outputs and what the notebook recorded."""

    params_file: Path
    ipynb: Path
    html: Path
    ok: bool
    seconds: float
    record: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def execute(nb_path: Path, params_file: Path, out_tmp: Path, *, start_timeout: int = 120) -> Exception | None:
    """Execute a notebook with papermill into ``out_tmp``; return the execution error, if any."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    for attempt in range(3):
        try:
            pm.execute_notebook(
                str(nb_path),
                str(out_tmp),
                parameters={PARAMETER: str(Path(params_file).resolve())},
                kernel_name="python3",
                kernel_manager_class=kernels.manager_class(),
                cwd=str(nb_path.parent),
                progress_bar=False,
                start_timeout=start_timeout,
                # No save after every cell (~20 ms each): only the final notebook is read.
                request_save_on_cell_execute=False,
            )
            return None
        except PapermillExecutionError as exc:
            return exc
        except RuntimeError as exc:
            # Kernels started at the same moment can race for a port and die at
            # start-up; a fresh start picks new ports.
            if "Kernel died before replying" not in str(exc) or attempt == 2:
                raise
    return None


def run_params(
    params_file: str | Path,
    out_dir: str | Path | None = None,
    *,
    notebook_dir: Path | None = None,
    notebook: Path | None = None,
    extra_meta: dict[str, Any] | None = None,
    expected: dict[str, Any] | None = None,
) -> RunResult:
    """Run the notebook a params file names and write its ``.ipynb`` and ``.html``.

    What is hashed is what is run: the params file and every file it names are hashed
    when they are validated, and again after the notebook ran; the kernel read them in
    between. If they differ (someone edited a file during the run), nothing is written
    and the run is refused, so a page never carries a hash of other bytes than it shows.

    Args:
        params_file: a params YAML file.
        out_dir: output root; defaults to ``outputs/`` in the project root.
        notebook_dir: where notebooks live; defaults to the project root's ``notebooks/``, else the package's.
        notebook: a notebook of one's own to run instead (``xteval run --notebook``).
        extra_meta: extra values for ``metadata.xteval`` (the batch runner's hashes).
        expected: the batch's input key (``{"params": sha256, "data": {path: sha256}}``):
            the files must still have the bytes the batch planned with.

    Returns:
        A :class:`RunResult` for a successful run.

    Raises:
        ParamsError: the params file or a file it names is invalid, or changed since it
            was planned or during the run; nothing is written.
        WriteError: the output folder is not writable; nothing is written.
        RunError: the notebook failed; its executed notebook and HTML are written.
    """
    params_file = Path(params_file)
    params = load_params(params_file)
    planned = {"params": params_sha256(params), "data": input_hashes(params)}
    if expected is not None and planned != {k: expected.get(k) for k in planned}:
        raise ParamsError(
            "参数文件或其数据文件在计划之后被修改，未运行 (changed since the batch planned it; run it again)", file=params_file
        )
    nb_path = notebook_path(params, params_file, notebook_dir, notebook)
    out_dir = Path(out_dir) if out_dir else project_root(params_file) / "outputs"
    ipynb, html = output_paths(params, params_file, out_dir)
    ensure_writable(ipynb.parent, root=out_dir)

    started = time.perf_counter()
    nb, error = _execute_in_private(nb_path, params_file, ipynb)
    seconds = time.perf_counter() - started
    loaded = collect_records(nb).get("loaded")  # what the kernel itself read (None from a notebook that records nothing)
    if _current_hashes(params_file, planned["data"]) != planned or (loaded is not None and loaded != planned):
        raise ParamsError("运行期间参数文件或其数据文件被修改，未写入结果 (changed during the run; run it again)", file=params_file)

    nb.metadata["xteval"] = _clipped(
        {**_run_record(params, params_file, nb, planned["params"], nb_path, error, seconds), **(extra_meta or {})}
    )
    # The notebook first, then the page: a reader never finds a page without its notebook.
    write_atomic(ipynb, nbformat.writes(nb), root=out_dir)
    titles = framework_titles(nb.metadata["xteval"].get("frameworks") or {})
    write_atomic(html, to_html(nb, font_cache=out_dir / ".state" / "fonts", framework_titles=titles), root=out_dir)
    result = RunResult(params_file, ipynb, html, error is None, seconds, nb.metadata["xteval"], _error_line(error))
    if error:
        raise RunError(f"notebook 执行失败 (notebook failed): {result.error}; 见 {html}", file=params_file)
    return result


def _execute_in_private(nb_path: Path, params_file: Path, ipynb: Path):
    """Run the notebook into a private folder beside its output; the executed notebook and papermill's error (or None).

    papermill writes the notebook by name, again and again while it runs: a private
    folder (mkdtemp: random name, mode 0700) means no name in it can have been planted.
    """
    private = Path(tempfile.mkdtemp(prefix=f".{ipynb.stem[:40]}.", suffix=".running", dir=ipynb.parent))
    tmp = private / ipynb.name
    try:
        error = execute(nb_path, params_file, tmp)
        if not tmp.exists():
            raise RunError(f"notebook 未能执行 (notebook did not run): {error}", file=params_file)
        return nbformat.read(tmp, as_version=4), error
    finally:
        shutil.rmtree(private, ignore_errors=True)


def _run_record(params, params_file: Path, nb, params_hash: str, nb_path: Path, error, seconds: float) -> dict[str, Any]:
    """``metadata.xteval`` of a run: who and what, the notebook's own records, the outcome, and what was run (hashes, version, time)."""
    now = dt.datetime.now().astimezone()
    return {
        "unit": params.unit.name,
        "year": params.year,
        "title": params.title or "",
        **collect_records(nb),
        "status": "failed" if error else "ok",
        "error": _error_line(error),
        "seconds": round(seconds, 2),
        "params": str(params_file),
        "params_hash": params_hash,
        "notebook": nb_path.name,
        "notebook_hash": sha256(nb_path),
        "xteval_version": __version__,
        "run_at": now.isoformat(timespec="seconds"),
        "run_date": now.strftime("%Y 年 %m 月 %d 日"),
    }


def framework_titles(recorded: dict[str, str]) -> dict[str, str]:
    """Each scoring framework a notebook recorded (name → version) as a reader sees it: its Chinese title and version name.

    One this version no longer ships is left out (the page then shows what was recorded).
    """
    from ..scoring import frameworks

    titles = {}
    for name, version in recorded.items():
        try:
            titles[name] = f"{frameworks.get(name).title}（版本 {frameworks.version_label(name, str(version))}）"
        except ConfigError:  # an old record may name a framework this version no longer ships
            continue
    return titles


def _current_hashes(params_file: Path, data: dict[str, str]) -> dict[str, Any]:
    """The hashes of the params file and of the named files as they are now (None for one that cannot be read)."""

    def digest(path: str | Path) -> str | None:
        try:
            return sha256_bytes(read_input(path))
        except XtevalError:
            return None

    return {"params": digest(params_file), "data": {path: digest(path) for path in data}}


def _clipped(meta: dict[str, Any]) -> dict[str, Any]:
    """Every text of a run record cut to ``MAX_CELL`` characters: the title block, the index and the page title show them."""
    return {k: clip(v) if isinstance(v, str) else v for k, v in meta.items()}


def _error_line(error: Exception | None) -> str | None:
    if error is None:
        return None
    cell = getattr(error, "exec_count", None)
    ename, evalue = getattr(error, "ename", type(error).__name__), getattr(error, "evalue", str(error))
    return f"cell {cell}: {ename}: {evalue}".strip()
