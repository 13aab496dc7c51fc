"""Running jobs in parallel: a local process pool or a dask cluster; one job per worker call.

Each worker runs its notebooks through ``xteval.runner.run``. A notebook or
input problem is an :class:`~xteval.runner.jobs.Outcome`, never an exception.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ..errors import InputError, RunError, XtevalError
from .jobs import Job, Outcome

# nbformat imports jsonschema, which imports rfc3987_syntax when it is installed (a
# jupyter-events extra) only to check "iri" string formats: no notebook schema has
# one, and the import builds a grammar, ~1 s of CPU before any worker can start. A
# worker process treats it as absent, which jsonschema allows (the import is optional
# there). Kernels are not workers: they import what their notebooks ask for.
sys.modules.setdefault("rfc3987_syntax", None)

# What the forkserver imports once for all workers: this module first (for the line above).
WORKER_PRELOAD = [__name__, "xteval.runner.run", "papermill", "nbclient", "nbconvert.exporters.html", "fontTools.subset", "bs4"]

_batch_gone = False  # set by the watchdog when the batch process has ended
LEAVE_GRACE = 10.0  # seconds a worker's run has to unwind after its batch ended, before the watchdog ends it


def _on_sigterm(signum, frame):
    if _batch_gone:
        # The batch is gone and nobody reads this worker's output: the unwinding below
        # ends quietly instead of with a traceback on the terminal the batch left.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    raise KeyboardInterrupt


def _watch_batch(batch_pid: int) -> None:
    """SIGTERM this worker as soon as the batch process ends, however it ends (even ``kill -9``).

    A parent-death signal cannot do it: a pool worker's parent is the forkserver, and
    the forkserver outlives the batch for as long as a worker holds its "alive" pipe.
    So each worker watches the batch itself, through a pidfd (immune to pid reuse).
    """
    import select
    import threading

    try:
        pidfd = os.pidfd_open(batch_pid)
    except ProcessLookupError:
        pidfd = None
    except (AttributeError, OSError):
        return  # no pidfd here (not Linux): the batch's interrupt handler still stops workers

    def watch() -> None:
        global _batch_gone
        if pidfd is not None:
            select.select([pidfd], [], [])
        _batch_gone = True
        from .kernels import kill_kernels

        try:
            kill_kernels()  # at once: a graceful shutdown mid-cell only makes the kernel log errors
        except Exception:  # a kernel's handle the run's own thread closed meanwhile: leave all the same
            pass
        os.kill(os.getpid(), signal.SIGTERM)
        # The interrupt unwinds the run and ends in _leave. Where it lands in code that swallows it (a library's
        # cleanup), the run returns as if whole and the worker would wait on the pool's queue for ever, keeping
        # the forkserver and its template alive: after a grace the watchdog leaves for it.
        time.sleep(LEAVE_GRACE)
        _leave()

    threading.Thread(target=watch, name="xteval-batch-watchdog", daemon=True).start()


def _leave() -> None:
    """End this worker now: its run has unwound, and the batch that would take its result is gone.

    The pool's worker loop would catch the interrupt, try to report it and wait for the
    next job forever, so the worker stops its template, removes its socket folder and exits.
    """
    from . import forking
    from .kernels import remove_socket_dir

    forking.shutdown()
    remove_socket_dir()
    os._exit(1)


def worker_init(batch_pid: int | None = None, templates=None) -> None:
    """In each local worker process: how it ends, and where its kernels come from.

    SIGTERM unwinds like Ctrl-C, so temporary files are removed and kernels killed.
    The worker sends itself that SIGTERM when the batch process ends, even by
    ``kill -9`` (:func:`_watch_batch`); templates and kernels die with their parents
    (parent-death signals). Its kernels are forked from the warm template it takes
    from ``templates`` (a queue the batch filled before starting the pool, one per
    worker), or from one it starts now.
    """
    signal.signal(signal.SIGTERM, _on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if batch_pid is not None:
        _watch_batch(batch_pid)
    start_forking(templates.get() if templates is not None else None)


def start_forking(handoff: tuple | None = None) -> None:
    """Fork this worker's kernels from a warm template from now on (``XTEVAL_FORK_KERNELS=0``: never)."""
    from . import forking
    from .kernels import kernel_env

    forking.enable(kernel_env(), handoff)


def _start_templates(ctx, n: int):
    """A queue of ``n`` warm-templates-to-be, one per worker, started now (None if forking is off).

    Started before the pool, they import the notebook stack while the forkserver and
    the workers start, instead of after; a worker that finds None in the queue
    starts its own.
    """
    from . import forking

    if not forking.wanted():
        return None
    env = {**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"}  # kernels.kernel_env(), without importing jupyter_client here
    queue = ctx.SimpleQueue()
    for t in forking.start_templates(n, env):
        queue.put(t.handoff() if t is not None else None)  # the socket travels by fd passing
        if t is not None:
            t.release()  # the worker's copy of the socket must be the last one
    return queue


def run_job(job: Job, out_dir: str) -> Outcome:
    """Run one job and report; never raises for a notebook or input problem."""
    from .kernels import kill_kernels
    from .run import run_params

    started = time.perf_counter()
    try:
        run_params(job.params_file, out_dir, extra_meta={"inputs": job.key}, expected=job.key)
        return Outcome(job, "ok", time.perf_counter() - started)
    except RunError as exc:
        from ..render.report import run_meta

        error = run_meta(job.ipynb).get("error") or exc.reason  # "cell N: Ename: evalue"
        return Outcome(job, "failed", time.perf_counter() - started, error)
    except XtevalError as exc:
        return Outcome(job, "invalid", time.perf_counter() - started, str(exc))
    except KeyboardInterrupt:
        kill_kernels()
        if _batch_gone:
            _leave()
        raise
    except Exception as exc:
        kill_kernels()
        first = str(exc).strip().splitlines()[0][:500] if str(exc).strip() else ""
        return Outcome(job, "failed", time.perf_counter() - started, f"{type(exc).__name__}: {first}")


# --------------------------------------------------------------------------- executors

# The forkserver listens on a Unix socket, <multiprocessing's folder under TMPDIR>/pymp-XXXXXXXX/listener-XXXXXXXX,
# and a socket's path must fit in 107 bytes: under a long TMPDIR every batch was an internal error.
# Then that one folder is made in the shortest system temp folder instead (mkdtemp: a random name,
# mode 0700, so nothing in it can have been planted); TMPDIR still serves everything else.
SOCKET_PATH_MAX = 107
_SOCKET_NAME = len("/pymp-XXXXXXXX/listener-XXXXXXXX")
_SHORT_TEMPS = ("/tmp", "/var/tmp", "/dev/shm")


def forkserver(preload: list[str]):
    """A forkserver context whose server imports ``preload`` once, with a socket path that fits."""
    import multiprocessing as mp
    from multiprocessing import util

    if len(os.fsencode(tempfile.gettempdir())) + _SOCKET_NAME > SOCKET_PATH_MAX:
        short = next((d for d in _SHORT_TEMPS if os.path.isdir(d) and os.access(d, os.W_OK | os.X_OK)), None)
        if short is not None:
            saved, tempfile.tempdir = tempfile.tempdir, short
            try:
                util.get_temp_dir()  # made now, under ``short``, and kept for this process
            finally:
                tempfile.tempdir = saved
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(preload)
    return ctx


def local(
    jobs: list[Job],
    out_dir: Path,
    n: int,
    done: Callable[[Outcome], None],
    then: Callable[[], list[tuple[Callable[[Job, str], Outcome], Job]]] | None = None,
) -> None:
    """Run ``jobs`` on a pool of ``n`` local workers; once all are done, what ``then()`` returns (a function and
    its job: the year summaries, which read the units' outputs) on the same workers."""
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    # forkserver, not fork: a caller that already ran a kernel (zmq context, event loop)
    # must not hand that state to the workers. The server imports once what every
    # worker uses (the run, papermill, the exporter, the font subsetter) and each worker
    # forks from it, so those imports are not paid per worker.
    ctx = forkserver(WORKER_PRELOAD)
    templates = _start_templates(ctx, n)
    pool = ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=worker_init, initargs=(os.getpid(), templates))
    try:
        waves = [lambda: [(run_job, job) for job in jobs], then or list]
        for wave in waves:
            pending = {pool.submit(run, job, str(out_dir)) for run, job in wave()}
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


@contextlib.contextmanager
def dask_client(n: int, scheduler: str | None, processes: bool = True):
    """A dask client: of the scheduler at ``scheduler``, or of a ``LocalCluster`` of ``n`` one-thread workers
    started here; both closed on the way out. The batch and the intake (``check … --executor dask``) use it."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError("--executor dask 需要 pip install 'xteval[dask]' (dask not installed)", field="--executor") from None
    cluster = None
    if scheduler:
        client = connect_scheduler(Client, scheduler)
    else:
        # no dashboard; the scheduler's own HTTP routes (health, metrics) on a free port, not on 8787, which a
        # second cluster on the machine (another batch, an intake) would find taken and warn about
        cluster = LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": ":0"},
            silence_logs=40,
        )
        client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def dask(jobs: list[Job], out_dir: Path, n: int, done: Callable[[Outcome], None], scheduler: str | None, processes: bool) -> None:
    with dask_client(n, scheduler, processes) as client:
        from distributed import as_completed

        futures = []
        try:
            client.register_plugin(_fork_templates_plugin())
            futures = [client.submit(run_job, job, str(out_dir), pure=False, key=f"xteval-{job.name}") for job in jobs]
            for fut in as_completed(futures):
                done(fut.result())
        except BaseException:
            client.cancel(futures)
            raise


SCHEDULER_TIMEOUT_ENV = "XTEVAL_DASK_TIMEOUT"  # seconds to reach a dask scheduler (default 20)
SCHEDULER_TIMEOUT = 20
_ADDRESS = re.compile(r"(?:(?:tcp|tls)://)?(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\]):[0-9]{1,5}")


def connect_scheduler(client_class, scheduler: str):
    """A client of the scheduler at ``scheduler``, or one line and exit 2: not an address, refused, or silent.

    A refused connection, a silent scheduler and a wrong address each cost at most the timeout
    (:data:`SCHEDULER_TIMEOUT`, or ``XTEVAL_DASK_TIMEOUT``) and five seconds, never the whole batch.
    """
    if not _ADDRESS.fullmatch(scheduler) or not 0 < int(scheduler.rsplit(":", 1)[1]) < 65536:
        raise InputError(f"调度器地址应为 tcp://主机:端口 (not a scheduler address: {scheduler[:200]!r})", field="--scheduler")
    raw = os.environ.get(SCHEDULER_TIMEOUT_ENV, "").strip()
    timeout = int(raw) if raw.isascii() and raw.isdigit() and int(raw) > 0 else SCHEDULER_TIMEOUT
    result: dict = {}

    def attempt() -> None:
        try:
            result["client"] = client_class(scheduler, timeout=timeout)
        except BaseException as exc:  # reported below as one line, whatever distributed raised
            result["error"] = exc

    # distributed's timeout bounds a refused connection but not a scheduler that accepts and never
    # answers (seen: 115 s with timeout=4): the attempt runs in a daemon thread, waited for here.
    thread = threading.Thread(target=attempt, name="xteval-dask-connect", daemon=True)
    thread.start()
    thread.join(timeout + 5)
    if "client" in result:
        return result["client"]
    why = type(result["error"]).__name__ if "error" in result else "no answer"
    reason = f"{timeout} 秒内未能连接调度器 {scheduler}（{why}）(scheduler unreachable; {SCHEDULER_TIMEOUT_ENV})"
    raise InputError(reason, field="--scheduler")


def _fork_templates_plugin():
    """A dask worker plugin: each worker keeps a warm template, as a local worker does.

    Made here rather than at module level so that the batch imports distributed only
    for ``--executor dask``; cloudpickle sends the class to the workers by value.
    """
    from distributed.diagnostics.plugin import WorkerPlugin

    class ForkTemplates(WorkerPlugin):
        name = "xteval-fork-templates"
        idempotent = True  # a worker that has it keeps its template

        # absolute imports: the methods travel by value and run in the worker's xteval
        def setup(self, worker):
            from xteval.runner.executors import start_forking

            start_forking()

        def teardown(self, worker):
            from xteval.runner.forking import shutdown

            shutdown()

    return ForkTemplates()
