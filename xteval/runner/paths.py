"""Where a run reads and writes: the project root, the notebook a params file names (shipped or its own), its outputs."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from ..errors import InputError, ParamsError, WriteError
from ..files import inside, read_input
from ..params import ParamsBase, project_root

# The notebooks shipped inside the package (package data: a wheel holds them, so a run needs no clone).
PACKAGE_NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def notebook_path(params: ParamsBase, params_file: Path, notebook_dir: Path | None = None, notebook: Path | None = None) -> Path:
    """The notebook a params file is rendered with.

    In this order: ``notebook``, a user's own file named by whoever runs (``xteval run --notebook``,
    never a params file: params are data and name no code); ``<notebook_dir>/<notebook>.ipynb`` when a
    folder is given; ``notebooks/<notebook>.ipynb`` of a project that has a ``notebooks/`` folder of its
    own (:func:`~xteval.params.project_root`); else the notebook shipped in the package.
    """
    if notebook is not None:
        return own_notebook(notebook)
    own = project_root(params_file) / "notebooks"
    folder = notebook_dir or (own if own.is_dir() else PACKAGE_NOTEBOOKS)
    path = folder / f"{params.notebook}.ipynb"
    if not path.is_file():
        raise ParamsError(f"notebook 不存在: {path} (notebook not found)", file=params_file, field="notebook")
    return path


def own_notebook(path: Path) -> Path:
    """A notebook named by path: an ``.ipynb`` file (read under the size cap, not through a link) whose JSON has cells.

    Raises:
        InputError: anything else, naming the file and why, before any kernel starts.
    """
    path = Path(path)
    if path.suffix.lower() != ".ipynb":
        raise InputError("不是 notebook 文件（应为 .ipynb）", file=path, field="--notebook")
    data = read_input(path)  # missing, a folder, a link, over the cap: its own one-line reason
    try:
        nb = json.loads(data.decode("utf-8-sig"))
    except (ValueError, RecursionError):
        nb = None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise InputError("notebook 文件无法读取（不是有效的 .ipynb）", file=path, field="--notebook")
    return path


def output_paths(params: ParamsBase, params_file: Path, out_dir: Path) -> tuple[Path, Path]:
    """``<out>/<year>/<params file stem>.ipynb`` and ``.html``."""
    base = Path(out_dir) / str(params.year) / Path(params_file).stem
    return base.with_suffix(".ipynb"), base.with_suffix(".html")


def ensure_writable(out_dir: Path, root: Path | None = None) -> None:
    """Fail early, before any kernel starts, when the output folder cannot be written.

    Args:
        out_dir: the folder outputs go to.
        root: when given, ``out_dir`` (links followed) must lie inside it: a year folder
            planted as a link to elsewhere is refused before anything is written there.

    Raises:
        WriteError: the folder cannot be made (a file is in the way, read-only, no
            permission), leads outside ``root``, or no file can be created in it.
    """
    out_dir = Path(out_dir)
    if root is not None and out_dir.is_symlink():
        raise WriteError(
            "输出目录是链接，拒绝经链接写入 (output folder is a link; nothing is written through it, inside --out or out of it)",
            file=out_dir,
        )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        if root is not None and not inside(out_dir, root):
            raise WriteError(f"输出目录经链接指向 {Path(root).resolve()} 之外 (output folder leads outside --out)", file=out_dir)
        fd, probe = tempfile.mkstemp(prefix=".xteval-write-test-", dir=out_dir)  # exclusive, random: nothing planted is touched
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise WriteError(f"输出目录不可写 (output directory not writable: {exc.strerror})", file=out_dir) from None


# Where Jupyter, IPython and matplotlib keep their files, under the home folder by default.
_HOME_DIRS = {"JUPYTER_RUNTIME_DIR": "runtime", "JUPYTER_DATA_DIR": "data", "IPYTHONDIR": "ipython", "MPLCONFIGDIR": "matplotlib"}


def private_dirs_if_home_is_read_only() -> None:
    """Give the kernels private folders when the home folder cannot be written (a service account, a read-only image).

    Without them IPython warns and a kernel can fail at start with a long traceback; with them a run
    behaves as anywhere else. A variable the user set is kept.
    """
    try:
        fd, probe = tempfile.mkstemp(prefix=".xteval-home-test-", dir=Path.home())
        os.close(fd)
        os.unlink(probe)
        return
    except (OSError, RuntimeError):
        pass
    base = Path(tempfile.mkdtemp(prefix="xteval-home-"))
    for var, sub in _HOME_DIRS.items():
        if not os.environ.get(var):
            (base / sub).mkdir(mode=0o700)
            os.environ[var] = str(base / sub)
