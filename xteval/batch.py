"""Run many params files: discover, plan, run in parallel, skip what is unchanged, summarise.

The pipeline reads top to bottom: :func:`discover` finds params files,
:func:`plan` turns each into a :class:`Job` (or a job that already carries its
input error: invalid params, missing notebook, two files writing the same
output), :func:`run_batch` runs the jobs that changed on a local process pool
or a dask cluster, and writes ``outputs/index.html`` (see ``xteval.index``).

Each run is isolated: a failing notebook, or a params file that does not load,
is one row of the summary and the index; the other runs go ahead. A run is
skipped when the content hashes of everything it reads (see :func:`input_key`)
match those of its last successful run, kept in ``<out>/.state/``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .errors import InputError, ParamsError, RunError, XtevalError
from .files import sha256, write_atomic
from .schema import ParamsBase, load_params

# This module stays light (no nbformat, nbconvert, papermill at import): a batch where
# nothing changed must finish in well under two seconds. Runs import ``xteval.run``.

PACKAGE = Path(__file__).resolve().parent
PARAMS_SUFFIXES = (".yaml", ".yml")
DATA_DIRS = ("sources", "data")  # folders beside params files that hold data, not params


# --------------------------------------------------------------------------- paths


def project_root(params_file: Path) -> Path:
    """The nearest folder above a params file that has ``notebooks/`` (else the cwd)."""
    for folder in Path(params_file).resolve().parents:
        if (folder / "notebooks").is_dir():
            return folder
    return Path.cwd()


def notebook_path(params: ParamsBase, params_file: Path, notebook_dir: Path | None = None) -> Path:
    """The notebook a params file names: ``notebooks/<notebook>.ipynb`` under the project root."""
    folder = notebook_dir or project_root(params_file) / "notebooks"
    path = folder / f"{params.notebook}.ipynb"
    if not path.is_file():
        raise ParamsError(f"notebook 不存在: {path} (notebook not found)", file=params_file, field="notebook")
    return path


def output_paths(params: ParamsBase, params_file: Path, out_dir: Path) -> tuple[Path, Path]:
    """``<out>/<year>/<params file stem>.ipynb`` and ``.html``."""
    base = Path(out_dir) / str(params.year) / Path(params_file).stem
    return base.with_suffix(".ipynb"), base.with_suffix(".html")


def ensure_writable(out_dir: Path) -> None:
    """Fail early, before any kernel starts, when the output folder cannot be written."""
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / f".xteval-write-test-{time.monotonic_ns()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise InputError(f"输出目录不可写 (output directory not writable: {exc.strerror})", file=out_dir) from None


# --------------------------------------------------------------------------- discovery


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Every params file under the given files or folders, sorted, without duplicates.

    Files in a ``sources/`` folder are data the params files read, not params.
    """
    found: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            found.add(path)
        elif path.is_dir():
            for f in path.rglob("*"):
                rel = f.relative_to(path).parts
                if f.suffix in PARAMS_SUFFIXES and f.is_file() and not set(rel[:-1]) & set(DATA_DIRS):
                    found.add(f)
        else:
            raise InputError("路径不存在 (no such file or folder)", file=path)
    return sorted(found)


# --------------------------------------------------------------------------- planning


@dataclass
class Job:
    """One params file planned for a run; ``error`` set means it cannot run."""

    params_file: str
    name: str  # "<year>/<stem>": the row in the index and the summary
    year: str
    ipynb: str | None = None
    html: str | None = None
    notebook: str | None = None
    key: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass
class Outcome:
    """What happened to one job: ``ok``, ``failed``, ``skipped`` or ``invalid``."""

    job: Job
    status: str
    seconds: float = 0.0
    error: str | None = None

    @property
    def bad(self) -> bool:
        return self.status in ("failed", "invalid")


def plan(files: list[Path], out_dir: Path) -> list[Job]:
    """A job per params file; bad inputs become jobs with an error, never exceptions."""
    jobs: list[Job] = []
    for f in files:
        try:
            params = load_params(f)
            ipynb, html = output_paths(params, f, out_dir)
            job = Job(str(f), f"{params.year}/{f.stem}", str(params.year), str(ipynb), str(html))
            job.notebook = str(notebook_path(params, f))
            job.key = input_key(f, Path(job.notebook), params.model_dump(mode="json"))
        except XtevalError as exc:
            # An invalid params file keeps its row (named by its folder) but no outputs.
            job = Job(str(f), f"{f.parent.name}/{f.stem}", f.parent.name, error=str(exc))
        jobs.append(job)
    by_output: dict[str, list[Job]] = {}
    for job in jobs:
        if job.ipynb and job.error is None:
            by_output.setdefault(job.ipynb, []).append(job)
    for target, same in by_output.items():
        if len(same) > 1:
            others = ", ".join(j.params_file for j in same)
            for job in same:
                job.error = f"{job.params_file}: 输出冲突 (output clash: {others} all write {target})"
    return jobs


# --------------------------------------------------------------------------- incremental state


@functools.cache
def package_hash() -> str:
    """A hash of xteval's own code, templates and rule files, so a development edit counts."""
    h = hashlib.sha256(__version__.encode())
    for f in sorted(PACKAGE.rglob("*")):
        if f.suffix in (".py", ".j2", ".css", ".yaml", ".yml", ".tpl", ".json") and "__pycache__" not in f.parts:
            h.update(str(f.relative_to(PACKAGE)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


@functools.cache
def frameworks_hash() -> str:
    """A hash of the framework and rule tables (``xteval/frameworks``, ``xteval/rules``)."""
    h = hashlib.sha256()
    for folder in ("frameworks", "rules"):
        for f in sorted((PACKAGE / folder).glob("*.y*ml")):
            h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def data_files(params_file: Path, dumped: Any) -> list[Path]:
    """Every string in the params that names an existing file next to it (source_report…)."""
    found: set[Path] = set()
    base = params_file.parent

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif isinstance(v, str) and 0 < len(v) < 512 and "\n" not in v:
            try:
                p = (base / v).resolve()
                if p.is_file():
                    found.add(p)
            except (OSError, ValueError):
                pass

    walk(dumped)
    return sorted(found - {params_file.resolve()})


def input_key(params_file: Path, nb: Path, dumped: Any) -> dict[str, Any]:
    """Content hashes of everything a run reads; equal keys mean the run would not change."""
    return {
        "params": sha256(params_file),
        "notebook": sha256(nb),
        "data": {str(p): sha256(p) for p in data_files(params_file, dumped)},
        "frameworks": frameworks_hash(),
        "xteval": [__version__, package_hash()],
    }


def state_path(out_dir: Path, job: Job) -> Path:
    return Path(out_dir) / ".state" / f"{job.name}.json"


def unchanged(out_dir: Path, job: Job) -> bool:
    """True when the last successful run had the same key and its outputs are still there."""
    try:
        last = json.loads(state_path(out_dir, job).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return last.get("key") == job.key and Path(job.ipynb).is_file() and Path(job.html).is_file()


def save_state(out_dir: Path, job: Job) -> None:
    data = {"key": job.key, "params_file": job.params_file, "saved_at": time.time()}
    write_atomic(state_path(out_dir, job), json.dumps(data, ensure_ascii=False, indent=1))


# --------------------------------------------------------------------------- one run (in a worker)


def _on_sigterm(signum, frame):
    raise KeyboardInterrupt


def worker_init() -> None:
    """In each worker process: SIGTERM unwinds like Ctrl-C, so temp files and kernels are cleaned up."""
    signal.signal(signal.SIGTERM, _on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def run_job(job: Job, out_dir: str) -> Outcome:
    """Run one job and report; never raises for a notebook or input problem."""
    from .run import kill_kernels, run_params

    started = time.perf_counter()
    try:
        run_params(job.params_file, out_dir, extra_meta={"inputs": job.key})
        return Outcome(job, "ok", time.perf_counter() - started)
    except RunError as exc:
        from .index import run_meta

        error = run_meta(job.ipynb).get("error") or exc.reason  # "cell N: Ename: evalue"
        return Outcome(job, "failed", time.perf_counter() - started, error)
    except XtevalError as exc:
        return Outcome(job, "invalid", time.perf_counter() - started, str(exc))
    except KeyboardInterrupt:
        kill_kernels()
        raise
    except Exception as exc:
        kill_kernels()
        return Outcome(job, "failed", time.perf_counter() - started, f"{type(exc).__name__}: {exc}")


# --------------------------------------------------------------------------- executors


def _local(jobs: list[Job], out_dir: Path, n: int, done: Callable[[Outcome], None]) -> None:
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    # forkserver, not fork: a caller that already ran a kernel (zmq context, event loop)
    # must not hand that state to the workers; the server imports xteval.run once and
    # each worker forks from it, so the import is not paid per worker.
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["xteval.run"])
    pool = ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=worker_init)
    try:
        pending = {pool.submit(run_job, job, str(out_dir)) for job in jobs}
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                done(fut.result())
        pool.shutdown()
    except BaseException:
        # Ctrl-C or SIGTERM: workers unwind (temp files removed, kernels killed), then stop.
        for proc in list((pool._processes or {}).values()):
            if proc.is_alive():
                os.kill(proc.pid, signal.SIGTERM)
        pool.shutdown(wait=True, cancel_futures=True)
        raise


def _dask(jobs: list[Job], out_dir: Path, n: int, done: Callable[[Outcome], None], scheduler: str | None, processes: bool) -> None:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise InputError("--executor dask 需要 pip install 'xteval[dask]' (dask not installed)") from None
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=processes, dashboard_address=None, silence_logs=40)
        client = Client(cluster)
    try:
        futures = [client.submit(run_job, job, str(out_dir), pure=False, key=f"xteval-{job.name}") for job in jobs]
        for fut in as_completed(futures):
            done(fut.result())
    except BaseException:
        client.cancel(futures) if "futures" in locals() else None
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# --------------------------------------------------------------------------- the batch


@dataclass
class Summary:
    outcomes: list[Outcome]
    index: Path
    seconds: float

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.bad]

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)


def run_batch(
    paths: Iterable[str | Path] = ("params",),
    out_dir: str | Path | None = None,
    *,
    jobs: int | None = None,
    force: bool = False,
    executor: str = "local",
    scheduler: str | None = None,
    processes: bool = True,
    progress: Callable[[Outcome, int, int], None] | None = None,
) -> Summary:
    """Run every params file under ``paths``; write outputs, state and ``index.html``.

    Raises:
        InputError: a path does not exist, or the output folder is not writable
            (before anything runs).
    """
    from .index import write_index

    started = time.perf_counter()
    files = discover(paths)
    if out_dir is None:
        out_dir = project_root(files[0]) / "outputs" if files else Path("outputs")
    out_dir = Path(out_dir)
    ensure_writable(out_dir)
    planned = plan(files, out_dir)

    outcomes: list[Outcome] = []
    total = len(planned)

    def done(o: Outcome) -> None:
        if o.status == "ok":
            save_state(out_dir, o.job)
        outcomes.append(o)
        if progress:
            progress(o, len(outcomes), total)

    to_run = []
    for job in planned:
        if job.error:
            done(Outcome(job, "invalid", error=job.error))
        elif not force and unchanged(out_dir, job):
            done(Outcome(job, "skipped"))
        else:
            to_run.append(job)

    n = max(1, min(jobs or os.cpu_count() or 1, len(to_run) or 1))
    if to_run:
        if executor == "dask":
            _dask(to_run, out_dir, n, done, scheduler, processes)
        elif executor == "local":
            _local(to_run, out_dir, n, done)
        else:
            raise InputError(f"未知 executor {executor!r} (local or dask)", field="--executor")

    order = {job.name + job.params_file: i for i, job in enumerate(planned)}
    outcomes.sort(key=lambda o: order[o.job.name + o.job.params_file])
    index = write_index(out_dir, outcomes)
    return Summary(outcomes, index, time.perf_counter() - started)


# --------------------------------------------------------------------------- progress and summary


def progress_printer(total_hint: int | None = None, stream=None):
    """A tqdm bar on a terminal; otherwise one plain line per finished run."""
    stream = stream or sys.stdout
    if stream.isatty():
        from tqdm import tqdm

        bar: dict[str, Any] = {}

        def show(o: Outcome, i: int, total: int) -> None:
            if "bar" not in bar:
                bar["bar"] = tqdm(total=total, unit="run", file=stream)
            bar["bar"].set_postfix_str(f"{o.status} {o.job.name}")
            bar["bar"].update(1)
            if i == total:
                bar["bar"].close()

        return show

    def line(o: Outcome, i: int, total: int) -> None:
        print(f"[{i}/{total}] {o.status:7} {o.job.name} {o.seconds:.1f}s", file=stream, flush=True)

    return line


def summary_lines(s: Summary) -> list[str]:
    lines = [
        f"{len(s.outcomes)} runs: {s.count('ok')} ok, {s.count('skipped')} skipped (unchanged), "
        f"{s.count('failed')} failed, {s.count('invalid')} invalid input; {s.seconds:.1f}s",
    ]
    if s.failed:
        lines.append("failures:")
        lines += [f"  {o.job.name} ({o.job.params_file}): {o.error}" for o in s.failed]
    lines.append(f"index: {s.index}")
    return lines


def as_dict(o: Outcome) -> dict[str, Any]:
    return {**asdict(o.job), "status": o.status, "seconds": o.seconds, "error": o.error}
