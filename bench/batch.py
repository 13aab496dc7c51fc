"""Batch runs at scale, in one measurement: naive loop, cold and unchanged batches, CPU, memory, index, kernel start.

    python bench/batch.py [N ...] [--naive-max 24] [--samples 10] [--jobs J]

For each N (default 8, 24 and 200), copies notebooks/ and params/ to a temporary
tree and makes N params files by copying the four 2023 notebooks' params
(department, ppp, cloud_lease, video_maintenance) round-robin, ``<stem>-k.yaml``
beside them, so their source files resolve. Then:

- naive: the papermill CLI, then ``jupyter nbconvert --to html --no-input``, per
  notebook, one after another. Only for N <= --naive-max; larger N are extrapolated
  linearly through the two largest measured points.
- cold: ``xteval batch`` on the fresh tree (J workers, default the core count),
  --repeat times for N up to --naive-max (a fresh output folder each time; the
  median by wall time is the one shown in every cold row), with no sampler running
  (it reads /proc every 20 ms on the same two cores and slows what it measures); then
  once more with the sampler, for CPU and memory; also,
  to see whether runs slow down as a batch goes on, the median seconds of a notebook's
  runs (as the batch reports them) in the second half of its runs over the first half.
- unchanged: ``xteval batch`` again with nothing changed: the first unchanged batch
  after the cold one, then --repeat more (their median is printed).
- CPU seconds per notebook: user + system time of every process of the batch,
  divided by N. Every process of a batch carries a tag in its environment; a
  sampler reads /proc/<pid>/stat of each tagged process every 20 ms. A kernel
  forked from a template is counted through its template's children times (the
  template reaps it, so that figure is exact); every other process by its own
  last sample (what it spends in its last 20 ms is missed: a few processes per batch).
  The naive loop's CPU is RUSAGE_CHILDREN of this process: every CLI is reaped.
- peak memory: the largest sum, over the live processes of the batch at one
  moment, of PSS (/proc/<pid>/smaps_rollup, every 100 ms: shared pages are
  divided among the processes sharing them, so a template's pages that its forks
  share are counted once) and of RSS (for comparison; counts shared pages once
  per process).
- index: writing ``outputs/index.html`` for the N rows, in a fresh process, with the
  font subset cached (as in an unchanged batch) and built (as in a first batch).
- kernel start: request (``start_kernel``) → first output of the first executed
  cell, forked from a warm template and started normally, --samples each, alternating.

Targets (2 cores, one run): cold ÷ naive at 8 ≤ 0.15; unchanged batch of 8 ≤ 0.5 s and of
200 ≤ 2 s; CPU per notebook ≤ 3.5 s; request → first cell ≤ 0.3 s forked; time per run
at 200 within 10 % of 24; memory flat.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TAG = "XTEVAL_BENCH_TAG"
CLK = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


# --------------------------------------------------------------------------- the tree


# One params file per notebook of the seed year; the illustrative departments and the year
# summary stay out, so a batch of N is N unit runs of the same four notebooks at every N.
BASES = ("department", "ppp", "cloud_lease", "video_maintenance")


def make_tree(tmp: Path, n: int) -> list[Path]:
    """notebooks/ and params/ copied under ``tmp``; N params files made from the loadable ones."""
    from xteval.params import load_params

    shutil.copytree(ROOT / "xteval" / "notebooks", tmp / "notebooks")
    shutil.copytree(ROOT / "params", tmp / "params")
    bases = []
    for f in sorted((tmp / "params").rglob("*.yaml")):
        if {"sources", "data"} & set(f.relative_to(tmp / "params").parts[:-1]):
            continue
        if f.parent.name == "2023" and f.stem in BASES:
            load_params(f)  # the four 2023 notebooks' params: the copies are made from these
            bases.append(f)
        f.rename(f.with_suffix(".base"))  # only the generated copies are run
    made = []
    for k in range(n):
        base = bases[k % len(bases)]
        out = base.with_name(f"{base.stem}-{k:03d}.yaml")
        shutil.copy(base.with_suffix(".base"), out)
        made.append(out)
    return made


# --------------------------------------------------------------------------- measuring processes


def children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


class Sampler(threading.Thread):
    """CPU and memory of every process whose environment carries ``TAG=tag``, by /proc sampling."""

    def __init__(self, tag: str, interval: float = 0.02, memory_every: int = 5):
        super().__init__(daemon=True)
        self.tag = f"{TAG}={tag}".encode()
        self.interval, self.memory_every = interval, memory_every
        self.known: dict[tuple[int, int], bool] = {}  # (pid, start time) -> tagged
        self.procs: dict[tuple[int, int], dict] = {}
        self.peak_pss_kb = self.peak_rss_kb = 0
        self.stop = threading.Event()

    @staticmethod
    def _stat(pid: int) -> list[str] | None:
        try:
            raw = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return None
        head, _, rest = raw.rpartition(")")
        return [head.partition("(")[2], *rest.split()]  # [comm, state, ppid, ...]

    def _tagged(self, pid: int, start: int) -> bool:
        key = (pid, start)
        if key not in self.known:
            try:
                self.known[key] = self.tag in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            except OSError:
                self.known[key] = False
        return self.known[key]

    def sample(self, memory: bool) -> None:
        pss = rss = 0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            pid = int(entry)
            st = self._stat(pid)
            if st is None or len(st) < 24 or not self._tagged(pid, int(st[20])):
                continue
            comm, ppid = st[0], int(st[2])
            utime, stime, cutime, cstime = (int(x) / CLK for x in st[12:16])
            rec = self.procs.setdefault((pid, int(st[20])), {"comm": comm, "ppid": ppid})
            rec.update(own=utime + stime, children=cutime + cstime, comm=comm)
            if memory and st[1] != "Z":
                rss += int(st[22]) * PAGE_KB
                try:
                    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                        if line.startswith("Pss:"):
                            pss += int(line.split()[1])
                            break
                except OSError:
                    pass
        if memory:
            self.peak_pss_kb = max(self.peak_pss_kb, pss)
            self.peak_rss_kb = max(self.peak_rss_kb, rss)

    def run(self) -> None:
        i = 0
        while not self.stop.is_set():
            self.sample(memory=i % self.memory_every == 0)
            i += 1
            self.stop.wait(self.interval)

    def cpu(self) -> float:
        """Forked kernels through their template's children times; every other process by itself."""
        templates = {pid for (pid, _), r in self.procs.items() if r["comm"] == "xtk-template"}
        total = 0.0
        for (pid, _), r in self.procs.items():
            if r["ppid"] in templates:
                continue
            total += r["own"] + (r["children"] if pid in templates else 0.0)
        return total


def run_batch(cmd: list[str], sample: bool = True) -> dict:
    """Run one batch; with ``sample``, measure its CPU and memory by /proc sampling.

    The sampler reads /proc every 20 ms from this process, on the same two cores: it slows
    the batch it measures (by about a tenth here), so wall times are taken from runs
    without it (``sample=False``) and CPU and memory from a sampled run of the same batch.
    """
    tag = uuid.uuid4().hex
    sampler = Sampler(tag)
    if sample:
        sampler.start()
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, TAG: tag})
    wall = time.perf_counter() - started
    if sample:
        time.sleep(0.3)  # the workers' and templates' last moments
        sampler.stop.set()
        sampler.join()
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout[-1500:]}\n{proc.stderr[-1500:]}")
    kernels = sum(r["comm"] == "xtk-kernel" for r in sampler.procs.values())
    # (notebook, seconds) of each run, in the order the runs finished
    runs = [(name, float(sec)) for name, sec in re.findall(r"^\[\d+/\d+\] ok\s+\S+/(\w+?)-\d+ ([\d.]+)s$", proc.stdout, re.M)]
    return {
        "runs": runs,
        "wall": wall,
        "cpu": sampler.cpu(),
        "pss_mb": sampler.peak_pss_kb / 1024,
        "rss_mb": sampler.peak_rss_kb / 1024,
        "forked": kernels,
        "warnings": [line for line in proc.stderr.splitlines() if "forked kernel start failed" in line],
    }


def naive(tmp: Path, files: list[Path]) -> tuple[float, float]:
    from xteval.params import load_params

    out = tmp / "naive"
    out.mkdir()
    cpu0, started = children_cpu(), time.perf_counter()
    for f in files:
        nb = tmp / "notebooks" / f"{load_params(f).notebook}.ipynb"
        ipynb = out / f"{f.stem}.ipynb"
        subprocess.run(
            [BIN / "papermill", nb, ipynb, "-p", "params_path", f.resolve(), "-k", "python3", "--cwd", nb.parent],
            capture_output=True,
        )
        subprocess.run([BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", ipynb], capture_output=True)
    return time.perf_counter() - started, children_cpu() - cpu0


INDEX_PROBE = """
import sys, time
from pathlib import Path
from xteval.render import fonts
from xteval.runner.batch import discover, plan
from xteval.runner.index import write_index
from xteval.runner.jobs import Outcome
out, cache = Path(sys.argv[1]), sys.argv[2] == "cached"
outcomes = [Outcome(job, "skipped") for job in plan(discover([sys.argv[3]]), out)]
if not cache:
    fonts.subset_key = lambda chars: "bench-" + str(time.monotonic_ns())  # a key no file has: build it
started = time.perf_counter()
write_index(out, outcomes)
print(time.perf_counter() - started)
"""


def index_seconds(out: Path, params: Path, cached: bool) -> float:
    probe = subprocess.run(
        [sys.executable, "-c", INDEX_PROBE, str(out), "cached" if cached else "built", str(params)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(probe.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- kernel start


FIRST_CELLS = {
    "print": "print('hi')",
    "import": "from xteval.params import load_params\nfrom xteval.render import charts, report\nfrom xteval import checks\nprint('hi')",
}


async def first_output(manager_class, cell: str, cwd: str) -> float:
    """Seconds from start_kernel() to the first output of the first executed cell."""
    km = manager_class(kernel_name="python3")
    started = time.perf_counter()
    await km.start_kernel(cwd=cwd)
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=120)
        msg_id = kc.execute(cell)
        first = None
        while True:  # the first output, then the end of the cell (a shutdown mid-cell would interrupt it)
            msg = await kc.get_iopub_msg(timeout=60)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream" and first is None:
                first = time.perf_counter() - started
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return first
    finally:
        kc.stop_channels()
        await km.shutdown_kernel()


def kernel_start(samples: int) -> dict[tuple[str, str], list[float]]:
    from xteval.runner import forking
    from xteval.runner.kernels import CurrentPythonKernelManager, ForkedPythonKernelManager, kernel_env

    forking.enable(kernel_env())
    forking.get_template(kernel_env()).wait_ready()
    modes = {"forked": ForkedPythonKernelManager, "normal": CurrentPythonKernelManager}
    times: dict[tuple[str, str], list[float]] = {}
    cwd = str(ROOT / "xteval" / "notebooks")
    for _ in range(samples):
        for cell_name, cell in FIRST_CELLS.items():
            for mode, cls in modes.items():  # alternating: drift on the machine hits both alike
                times.setdefault((cell_name, mode), []).append(asyncio.run(first_output(cls, cell, cwd)))
    forking.shutdown()
    return times


# --------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[8, 24, 200])
    ap.add_argument("--naive-max", type=int, default=24, help="run the naive loop only up to this N; extrapolate beyond")
    ap.add_argument("--samples", type=int, default=10, help="kernel starts per mode")
    ap.add_argument("--jobs", type=int, default=None, help="batch workers (default: the core count)")
    ap.add_argument(
        "--repeat", type=int, default=3, help="cold batches per N up to --naive-max, and unchanged ones per N: the median is shown"
    )
    args = ap.parse_args()

    print(f"{time.strftime('%Y-%m-%d %H:%M')}  {platform.node()}  {os.cpu_count()} CPUs  {platform.processor() or platform.machine()}")
    print(f"python {platform.python_version()}  load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}\n", flush=True)

    rows: dict[int, dict] = {}
    naive_points: dict[int, tuple[float, float]] = {}
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix="xteval-bench-") as t:
            tmp = Path(t)
            make_tree(tmp, n)
            row: dict = {}
            if n <= args.naive_max:
                naive_points[n] = naive(tmp, sorted((tmp / "params").rglob("*-[0-9][0-9][0-9].yaml")))
                print(f"N={n}: naive {naive_points[n][0]:.1f} s", flush=True)

            def batch(out: str, tmp: Path = tmp) -> list[str]:
                jobs = ["--jobs", str(args.jobs)] if args.jobs else []
                return [str(BIN / "xteval"), "batch", str(tmp / "params"), "--out", str(tmp / out), *jobs]

            # A shared machine's load comes and goes: repeat the cold batch (each into a fresh
            # folder) and keep the median by wall time; the last one's folder goes on below.
            colds = [run_batch(batch(f"cold-{i}"), sample=False) for i in range(args.repeat if n <= args.naive_max else 1)]
            sampled = run_batch(batch("cold-sampled"))  # CPU, memory and forked kernels of the same batch
            median = sorted(colds, key=lambda r: r["wall"])[len(colds) // 2]
            row["cold"] = {**sampled, "wall": median["wall"], "runs": median["runs"], "sampled_wall": sampled["wall"]}
            row["cold_walls"] = [r["wall"] for r in colds]
            shutil.move(tmp / f"cold-{len(colds) - 1}", tmp / "outputs")
            print(f"N={n}: cold {', '.join(f'{w:.1f}' for w in row['cold_walls'])} s", flush=True)
            row["unchanged1"] = run_batch(batch("outputs"), sample=False)
            unchanged = [run_batch(batch("outputs"), sample=False) for _ in range(args.repeat)]
            row["unchanged"] = sorted(unchanged, key=lambda r: r["wall"])[len(unchanged) // 2]
            row["unchanged_sampled"] = run_batch(batch("outputs"))  # its CPU
            row["index_cached"] = index_seconds(tmp / "outputs", tmp / "params", cached=True)
            row["index_built"] = index_seconds(tmp / "outputs", tmp / "params", cached=False)
            print(f"N={n}: unchanged {row['unchanged']['wall']:.2f} s", flush=True)
            rows[n] = row

    def halves(runs: list[tuple[str, float]]) -> str:
        """Median seconds of a notebook's runs in the first half of its runs ÷ in the second half, averaged over notebooks.

        Per notebook, because the batch runs the params files in name order: all the
        cloud_lease copies (the quickest) come first.
        """
        ratios = []
        for nb in {name for name, _ in runs}:
            secs = [s for name, s in runs if name == nb]
            if len(secs) >= 4:
                half = len(secs) // 2
                ratios.append(statistics.median(secs[half:]) / statistics.median(secs[:half]))
        return f"{statistics.mean(ratios):.2f}" if ratios else "—"

    def naive_at(n: int) -> tuple[float, bool]:
        if n in naive_points:
            return naive_points[n][0], True
        (n1, (t1, _)), (n2, (t2, _)) = sorted(naive_points.items())[-2:]
        slope = (t2 - t1) / (n2 - n1)
        return t2 + slope * (n - n2), False

    print("\n| | " + " | ".join(f"N = {n}" for n in rows) + " |")
    print("|---|" + "---|" * len(rows))

    def line(label: str, cells: list[str]) -> None:
        print(f"| {label} | " + " | ".join(cells) + " |")

    line(
        "naive loop, s (papermill CLI + nbconvert CLI)",
        [f"{naive_at(n)[0]:.1f}" + ("" if naive_at(n)[1] else " (extrapolated)") for n in rows],
    )
    line("naive CPU per notebook, s", [f"{naive_points[n][1] / n:.2f}" if n in naive_points else "—" for n in rows])
    line(
        "cold batch, s (median of the repeats; all of them)",
        [f"{r['cold']['wall']:.1f} ({', '.join(f'{w:.1f}' for w in r['cold_walls'])})" for r in rows.values()],
    )
    line("cold batch with the /proc sampler running, s", [f"{r['cold']['sampled_wall']:.1f}" for r in rows.values()])
    line("cold ÷ naive", [f"{r['cold']['wall'] / naive_at(n)[0]:.3f}" for n, r in rows.items()])
    line("cold time per run, s", [f"{r['cold']['wall'] / n:.3f}" for n, r in rows.items()])
    line("CPU per notebook in the batch, s", [f"{r['cold']['cpu'] / n:.2f}" for n, r in rows.items()])
    line(
        "CPU of the batch ÷ CPU of the naive loop",
        [f"{r['cold']['cpu'] / naive_points[n][1]:.3f}" if n in naive_points else "—" for n, r in rows.items()],
    )
    line("a run's seconds, second half ÷ first half of a batch", [halves(r["cold"]["runs"]) for r in rows.values()])
    line("kernels forked (of N)", [f"{r['cold']['forked']}" for r in rows.values()])
    line("peak memory of the batch, Σ PSS, MB", [f"{r['cold']['pss_mb']:.0f}" for r in rows.values()])
    line("peak memory of the batch, Σ RSS, MB", [f"{r['cold']['rss_mb']:.0f}" for r in rows.values()])
    line("first unchanged batch, s", [f"{r['unchanged1']['wall']:.2f}" for r in rows.values()])
    line("unchanged batch, s", [f"{r['unchanged']['wall']:.2f}" for r in rows.values()])
    line("unchanged batch CPU, s", [f"{r['unchanged_sampled']['cpu']:.2f}" for r in rows.values()])
    line("index: write, font cached, s", [f"{r['index_cached']:.3f}" for r in rows.values()])
    line("index: write, font built, s", [f"{r['index_built']:.3f}" for r in rows.values()])
    warnings = sorted({w for r in rows.values() for w in r["cold"]["warnings"]})
    if warnings:
        print("\nfallback warnings:", *warnings, sep="\n  ")

    times = kernel_start(args.samples)
    print(f"\nrequest → first output of the first cell, {args.samples} kernels per mode (s):")
    for (cell, mode), ts in times.items():
        print(f"  {cell:6} cell  {mode:6}  median {statistics.median(ts):.3f}  min {min(ts):.3f}  max {max(ts):.3f}")

    if {24, 200} <= set(rows):
        per24, per200 = rows[24]["cold"]["wall"] / 24, rows[200]["cold"]["wall"] / 200
        print(f"\ntime per run: N=200 ÷ N=24 = {per200 / per24:.3f} (target within 0.90–1.10)")
        print(f"a run's seconds at N=200, second half ÷ first half of the batch = {halves(rows[200]['cold']['runs'])} (flat: about 1)")
        print(f"peak PSS: N=200 ÷ N=24 = {rows[200]['cold']['pss_mb'] / rows[24]['cold']['pss_mb']:.3f} (flat: about 1)")
    if 8 in rows:
        print(f"cold ÷ naive at 8 = {rows[8]['cold']['wall'] / naive_at(8)[0]:.3f} (target ≤ 0.15)")
        print(f"unchanged batch of 8 = {rows[8]['unchanged']['wall']:.2f} s (target ≤ 0.5 s)")
    if 200 in rows:
        print(f"unchanged batch of 200 = {rows[200]['unchanged']['wall']:.2f} s (target ≤ 2 s)")
    worst = max(r["cold"]["cpu"] / n for n, r in rows.items())
    print(f"CPU per notebook, worst N = {worst:.2f} s (target ≤ 3.5 s)")
    fork_median = statistics.median(times[("import", "forked")])
    print(f"request → first cell, forked, import cell: median {fork_median:.3f} s (target ≤ 0.3 s)")


if __name__ == "__main__":
    main()
