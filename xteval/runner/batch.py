"""Run many params files: discover, plan, run in parallel, skip what is unchanged, summarise.

The pipeline reads top to bottom: :func:`discover` finds params files,
:func:`plan` turns each into a :class:`Job` (or a job that already carries its
input error: invalid params, missing notebook, two files writing the same
output), :func:`run_batch` runs the jobs that changed on a local process pool
or a dask cluster (``xteval.runner.executors``), and writes ``outputs/index.html``
(see ``xteval.runner.index``).

Each run is isolated: a failing notebook, or a params file that does not load,
is one row of the summary and the index; the other runs go ahead. A run is
skipped when the content hashes of everything it reads (see :func:`input_key`)
match those of its last successful run, kept in ``<out>/.state/``.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import os
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import InputError, WriteError, XtevalError
from ..files import RESULTS_STORE, inside, read_input, refuse_links, sha256, sha256_bytes, write_atomic
from ..params import ParamsBase, allowed_roots, input_hashes, load_params, params_sha256, project_root
from .jobs import Job, Outcome, Summary
from .paths import ensure_writable, notebook_path, output_paths

# This module stays light (no nbformat, nbconvert, papermill at import): a batch where
# nothing changed must finish in well under two seconds. Runs import ``xteval.runner.run``.

PACKAGE = Path(__file__).resolve().parents[1]  # the xteval package
PARAMS_SUFFIXES = (".yaml", ".yml")
DATA_DIRS = ("sources", "data")  # folders beside params files that hold data, not params


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


def plan(files: list[Path], out_dir: Path, evaluation: dict[str, str] | None = None) -> list[Job]:
    """A job per params file; bad inputs become jobs with an error, never exceptions.

    Each params file is read once: the bytes validated are the bytes hashed into the
    job's key, and the run checks that the file still has them (see
    ``xteval.runner.run.run_params``). Anything that goes wrong while planning one
    file, even an exception no input should cause (a parser's RecursionError, a
    MemoryError), is that file's row; the other files still run.

    A file whose last successful run read exactly what it would read now (the same bytes of
    the file, of every file it named, of its notebook, the same rules and code) is not
    validated again: the same bytes validate the same way, and its run is skipped (see
    :func:`_unchanged_since`). ``evaluation`` (the batch's title-block options) is part of the key.
    """
    jobs: list[Job] = []
    last_runs = _last_runs(out_dir)
    for f in files:
        job = _unchanged_since(last_runs.get(os.path.abspath(f)) or last_runs.get(str(f)), f, out_dir, evaluation)
        if job is None:
            job = _planned(f, out_dir)
            if evaluation and job.error is None:
                job.key["evaluation"] = evaluation  # reaches the page as metadata.xteval.inputs.evaluation
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


def _planned(f: Path, out_dir: Path) -> Job:
    """The job of one params file, validated; an input error is the job's error."""
    try:
        refuse_links(f)  # a params file linked in from elsewhere is not this tree's to run
        params = load_params(f, data=read_input(f))
        ipynb, html = output_paths(params, f, out_dir)
        job = Job(str(f), f"{params.year}/{f.stem}", str(params.year), str(ipynb), str(html))
        job.notebook = str(notebook_path(params, f))
        job.key = input_key(params, Path(job.notebook))
    except XtevalError as exc:
        # An invalid params file keeps its row (named by its folder) but no outputs.
        job = Job(str(f), f"{f.parent.name}/{f.stem}", f.parent.name, error=str(exc))
    except Exception as exc:  # one file's fault, whatever it is, must not stop the batch
        reason = f"无法读取 ({type(exc).__name__}: {' '.join(str(exc).split())[:200]}) (could not be planned)"
        job = Job(str(f), f"{f.parent.name}/{f.stem}", f.parent.name, error=f"{f}: {reason}")
    return job


def _revalidated(job: Job, out_dir: Path, evaluation: dict[str, str] | None) -> Job:
    """A job planned from state, planned again from its params file (validated), before it can run."""
    again = _planned(Path(job.params_file), out_dir)
    if evaluation and again.error is None:
        again.key["evaluation"] = evaluation
    return again


STATES_MAX = 10_000  # state files read to find a params file's last run (a year's units are hundreds)


def _last_runs(out_dir: Path) -> dict[str, tuple[Path, dict[str, Any]]]:
    """The last successful run of each params file (its state file and saved state, by the file's absolute path), from
    ``<out>/.state/``.

    A state that cannot be read, or is not one this version wrote, is left out: its file is then
    validated and planned as if it had never run."""
    out: dict[str, tuple[Path, dict[str, Any]]] = {}
    folder = Path(out_dir) / ".state"
    try:
        found = itertools.islice((p for p in folder.glob("*/*.json") if p.is_file() and not p.is_symlink()), STATES_MAX)
        for path in found:
            try:
                last = json.loads(read_input(path, limit=1 << 20).decode("utf-8"))
            except (XtevalError, ValueError, RecursionError):
                continue
            if isinstance(last, dict) and isinstance(last.get("params_file"), str) and isinstance(last.get("job"), dict):
                where = last.get("params_path")
                out[where if isinstance(where, str) else last["params_file"]] = (path, last)
    except OSError:
        return {}
    return out


def _unchanged_since(found: tuple[Path, dict[str, Any]] | None, f: Path, out_dir: Path, evaluation: dict[str, str] | None) -> Job | None:
    """The job of a params file whose inputs are byte for byte those of its last successful run, and whose outputs
    are still there; None when anything differs (the file is then validated and planned as usual).

    Every file the key names is hashed again as the run would read it: the params file and its data through
    ``read_input`` (no link, inside the params tree), the notebook and the package as :func:`input_key` does. A
    state planted in ``--out`` can at most skip a run whose inputs it names exactly; it never makes one run. The job
    is that of the state file read (:func:`state_path`), so it is unchanged as :func:`unchanged` would find it."""
    if found is None:
        return None
    where, last = found
    try:
        info, key = last["job"], last["key"]
        refuse_links(f)
        roots = allowed_roots(f)
        data = {}
        for path in key["data"]:
            root = next((r for r in roots if inside(Path(path), r)), None)
            if root is None:
                return None
            data[path] = sha256_bytes(read_input(path, root=root))
        fresh = _key(sha256_bytes(read_input(f)), Path(info["notebook"]), data)
        if evaluation:
            fresh["evaluation"] = evaluation
        if fresh != key:
            return None
        job = Job(str(f), str(info["name"]), str(info["year"]), str(info["ipynb"]), str(info["html"]), str(info["notebook"]), key=fresh)
        job.from_state = True
    except (XtevalError, OSError, KeyError, TypeError, ValueError, AttributeError):
        return None
    if job.name != f"{job.year}/{f.stem}" or where != state_path(out_dir, job):
        return None
    if not all(inside(p, out_dir) and p.is_file() for p in (Path(job.ipynb), Path(job.html))):
        return None
    return job


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
    """A hash of the framework and rule tables (``xteval/scoring/frameworks``, ``xteval/rules``)."""
    h = hashlib.sha256()
    for folder in ("scoring/frameworks", "rules"):
        for f in sorted((PACKAGE / folder).glob("*.y*ml")):
            h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def input_key(params: ParamsBase, nb: Path) -> dict[str, Any]:
    """Content hashes of everything a run reads; equal keys mean the run would not change.

    The params hash is of the bytes :func:`plan` read and validated; the data hashes
    are of the files the params name (``ParamsBase.data_files``), as validated at load.
    """
    return _key(params_sha256(params), nb, input_hashes(params))


def _key(params: str | None, nb: Path, data: dict[str, str]) -> dict[str, Any]:
    """A run's key from the hash of its params file's bytes, its notebook and the hashes of the files it names."""
    return {
        "params": params,
        "notebook": sha256(nb),
        "data": data,
        "frameworks": frameworks_hash(),
        "xteval": [__version__, package_hash()],
    }


def state_path(out_dir: Path, job: Job) -> Path:
    return Path(out_dir) / ".state" / f"{job.name}.json"


def unchanged(out_dir: Path, job: Job) -> bool:
    """True when the last successful run had the same key and its outputs are still there."""
    try:
        last = json.loads(read_input(state_path(out_dir, job), limit=1 << 20).decode("utf-8"))
    except (XtevalError, ValueError, RecursionError):
        return False
    return isinstance(last, dict) and last.get("key") == job.key and Path(job.ipynb).is_file() and Path(job.html).is_file()


def save_state(out_dir: Path, job: Job) -> None:
    data = {"key": job.key, "params_file": job.params_file, "saved_at": time.time()}
    # the file whatever form of its path the batch was given (params/2023/x.yaml, /home/…/params/2023/x.yaml)
    data["params_path"] = os.path.abspath(job.params_file)
    # what the next batch needs to plan this file without validating it again, when nothing it reads changed
    data["job"] = {"name": job.name, "year": job.year, "ipynb": job.ipynb, "html": job.html, "notebook": job.notebook}
    write_atomic(state_path(out_dir, job), json.dumps(data, ensure_ascii=False, indent=1))


# --------------------------------------------------------------------------- the batch


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
    evaluation: dict[str, str] | None = None,
) -> Summary:
    """Run every params file under ``paths``; write outputs, state and ``index.html``.

    ``evaluation`` (``organization``, ``evaluator``, ``date``: the options of ``xteval
    batch``) fills the title block of every page whose params file leaves them unset;
    it is part of each run's key, so changing it re-runs the pages.

    Raises:
        InputError: a path does not exist, or the output folder is not writable
            (before anything runs).
    """
    from . import executors
    from .index import write_index

    started = time.perf_counter()
    files = discover(paths)
    if out_dir is None:
        out_dir = project_root(files[0]) / "outputs" if files else Path("outputs")
    out_dir = Path(out_dir)
    ensure_writable(out_dir)
    ensure_writable(out_dir / ".state", root=out_dir)  # a file or a link out of --out: one line now, not after the first run
    planned = plan(files, out_dir, evaluation)
    # a job planned from state is only ever skipped: one that could run (forced, or a year's summary, whose key its run
    # extends) is validated and planned from its params file first, so that what runs is never what a state names
    planned = [_revalidated(job, out_dir, evaluation) if job.from_state and (force or is_summary(job)) else job for job in planned]

    outcomes: list[Outcome] = []
    total = len(planned)

    def done(o: Outcome) -> None:
        if o.status == "ok":
            try:
                save_state(out_dir, o.job)
            except WriteError as exc:  # the run succeeded, but the next batch could not skip it
                o = Outcome(o.job, "failed", o.seconds, f"运行成功，但无法记录增量状态 (state not saved): {exc}")
        outcomes.append(o)
        if progress:
            progress(o, len(outcomes), total)

    summaries = [job for job in planned if is_summary(job)]  # each year's summary runs after its units
    to_run = []
    for job in planned:
        if job in summaries:
            continue
        if job.error:
            done(Outcome(job, "invalid", error=job.error))
        elif not force and (job.from_state or unchanged(out_dir, job)):  # planned from its state: unchanged by construction
            done(Outcome(job, "skipped"))
        else:
            to_run.append(job)

    n = max(1, min(jobs or os.cpu_count() or 1, len(to_run) or 1))
    left = list(summaries)  # the summaries no pool has taken: they run here, after the units
    if to_run and executor == "dask":
        executors.dask(to_run, out_dir, n, done, scheduler, processes)
    elif to_run and executor == "local":
        executors.local(to_run, out_dir, n, done, functools.partial(_summaries_for_the_pool, left, out_dir, force, done))
    elif to_run:
        raise InputError(f"未知 executor {executor!r} (local or dask)", field="--executor")
    run_summaries(left, out_dir, force, done)

    order = {job.params_file: i for i, job in enumerate(planned)}  # one job a params file (discover); a job planned again keeps it
    outcomes.sort(key=lambda o: order[o.job.params_file])
    index = write_index(out_dir, outcomes)
    return Summary(outcomes, index, time.perf_counter() - started)


# --------------------------------------------------------------------------- the year summary


def is_summary(job: Job) -> bool:
    """A job whose params file names the ``summary`` notebook (the year summary across units)."""
    return job.error is None and job.notebook is not None and Path(job.notebook).stem == "summary"


def _summaries_for_the_pool(left: list[Job], out_dir: Path, force: bool, done: Callable[[Outcome], None]):
    """What a local pool runs once the units are done: the year summaries due, on its warm workers (forked kernels),
    rather than here with a kernel started afresh. They are taken from ``left``, which then holds none to run here."""
    due = due_summaries(left, out_dir, force, done)
    left.clear()
    return [(run_summary, job) for job in due]


def run_summaries(jobs: list[Job], out_dir: Path, force: bool, done: Callable[[Outcome], None]) -> None:
    """Run each year's summary after the unit runs, one at a time in this process.

    A local batch that ran units has its pool run them instead, on its warm workers (see
    :func:`run_batch`); this is the way for a batch that started none (only summaries
    changed) and for a dask batch.
    """
    for job in due_summaries(jobs, out_dir, force, done):
        done(run_summary(job, str(out_dir)))


def due_summaries(jobs: list[Job], out_dir: Path, force: bool, done: Callable[[Outcome], None]) -> list[Job]:
    """The year summaries to run, once their units have run; the others are reported skipped through ``done``.

    A summary reads the executed notebooks of its year, so its key adds their
    content hashes to the usual ones: it is skipped only when neither it nor
    anything it reads changed.
    """
    from ..summary.model import inputs

    due = []
    for job in jobs:
        job.key = {**job.key, "reads": {p.name: sha256(p) for p in inputs(out_dir, job.year)}, "documents": _store_hash(job)}
        if not force and unchanged(out_dir, job):
            done(Outcome(job, "skipped"))
        else:
            due.append(job)
    return due


def run_summary(job: Job, out_dir: str) -> Outcome:
    """Run one year summary (in the batch process or a pool's worker): the output folder reaches its kernel as
    ``XTEVAL_OUTPUT_DIR`` (see ``xteval.summary.model``), set for this run only."""
    from ..summary.model import OUTPUT_ENV
    from .executors import run_job

    before = os.environ.get(OUTPUT_ENV)
    os.environ[OUTPUT_ENV] = str(Path(out_dir).resolve())
    try:
        return run_job(job, out_dir)
    finally:
        if before is None:
            os.environ.pop(OUTPUT_ENV, None)
        else:
            os.environ[OUTPUT_ENV] = before


def _store_hash(job: Job) -> str | None:
    """The hash of the results store a summary's ``documents`` names, so a new intake reruns the summary."""
    from ..params import resolve

    try:
        p = load_params(job.params_file)
        store = resolve(p, p.documents, "documents") / RESULTS_STORE if getattr(p, "documents", None) else None
        return sha256(store) if store is not None and store.is_file() and not store.is_symlink() else None
    except (XtevalError, OSError):
        return None  # the summary's own run reports a bad params file or folder, as one line


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
