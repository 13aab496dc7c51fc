"""Time the batch runner against the naive loop on N generated params sets (default 24).

    python bench/batch.py [N] [--skip-naive]

Copies notebooks/ and every params year to a temporary tree, makes N params
files by copying the loadable ones round-robin (``<stem>-k.yaml``), then times:
(a) the naive loop: the papermill CLI then ``jupyter nbconvert --to html --no-input``
per notebook; (b) ``xteval batch`` cold; (c) ``xteval batch`` again, nothing
changed; (d) ``xteval batch --executor dask --jobs 2`` (a 2-worker LocalCluster).
Prints seconds and the ratios b/a, c/b, d/a. Targets on 2 cores: b/a <= 0.35, c <= 2 s.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def make_tree(tmp: Path, n: int) -> list[Path]:
    from xteval.errors import XtevalError
    from xteval.params import load_params

    shutil.copytree(ROOT / "notebooks", tmp / "notebooks")
    shutil.copytree(ROOT / "params", tmp / "params")
    bases = []
    for f in sorted((tmp / "params").rglob("*.yaml")):
        if "sources" in f.parts:
            continue
        try:
            load_params(f)
            bases.append(f)
        except XtevalError:
            pass
        f.rename(f.with_suffix(".base"))  # only the generated copies are run
    made = []
    for k in range(n):
        base = bases[k % len(bases)]
        out = base.with_name(f"{base.stem}-{k:02d}.yaml")
        shutil.copy(base.with_suffix(".base"), out)
        made.append(out)
    return made


def timed(cmd: list[str], **kw) -> float:
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode not in (0, 1):
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return time.perf_counter() - started


def naive(tmp: Path, files: list[Path]) -> float:
    from xteval.params import load_params

    out = tmp / "naive"
    out.mkdir()
    started = time.perf_counter()
    for f in files:
        nb = tmp / "notebooks" / f"{load_params(f).notebook}.ipynb"
        ipynb = out / f"{f.stem}.ipynb"
        subprocess.run(
            [BIN / "papermill", nb, ipynb, "-p", "params_path", f.resolve(), "-k", "python3", "--cwd", nb.parent],
            capture_output=True,
        )
        subprocess.run([BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", ipynb], capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 24
    with tempfile.TemporaryDirectory(prefix="xteval-bench-") as t:
        tmp = Path(t)
        files = make_tree(tmp, n)
        print(f"{n} params sets from {len({f.stem.rsplit('-', 1)[0] for f in files})} base files", flush=True)
        batch = [str(BIN / "xteval"), "batch", str(tmp / "params")]
        a = None if "--skip-naive" in sys.argv else naive(tmp, files)
        if a is not None:
            print(f"(a) naive papermill + nbconvert CLI loop: {a:.1f} s", flush=True)
        b = timed([*batch, "--out", str(tmp / "outputs")])
        print(f"(b) xteval batch, cold:                   {b:.1f} s", flush=True)
        c = timed([*batch, "--out", str(tmp / "outputs")])
        print(f"(c) xteval batch, nothing changed:        {c:.2f} s", flush=True)
        d = timed([*batch, "--out", str(tmp / "outputs-dask"), "--executor", "dask", "--jobs", "2"])
        print(f"(d) xteval batch, dask 2-worker cluster:  {d:.1f} s", flush=True)
        if a:
            print(f"b/a = {b / a:.2f} (target <= 0.35)   c/b = {c / b:.3f}   d/a = {d / a:.2f}")
        print(f"c = {c:.2f} s (target <= 2 s for 24 runs)")


if __name__ == "__main__":
    main()
