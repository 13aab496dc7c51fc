"""Score xteval on the real published texts kept beside the repository, and print the scorer's figures.

Run: .venv/bin/python bench/real_corpus.py [CORPUS_DIR]   (default: ../shared/corpus/real-dev)

The corpus is data to measure against, never text for the project: its files are read where they
lie and nothing is copied. Its own ``run.sh`` runs ``xteval check --json``, ``xteval check`` and
``xteval extract`` on every text with this checkout's ``xteval``, and its ``score.py`` compares
them with its ``truth.json``. This prints the scorer's summary lines: figures read right, fail
records (real, by design, false), real errors found, crashes, document kinds, and draft seeds.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "corpus" / "real-dev"


def main(argv: list[str]) -> int:
    corpus = Path(argv[0]) if argv else DEFAULT
    script = corpus / "run.sh"
    if not script.is_file():
        print(f"no corpus at {corpus} (its run.sh is missing)", file=sys.stderr)
        return 2
    xteval = Path(sys.executable).parent / "xteval"
    with tempfile.TemporaryDirectory(prefix="xteval-real-") as out:
        proc = subprocess.run(["bash", str(script), out, str(xteval)], capture_output=True, text=True, check=False)
    summary = [line for line in proc.stdout.splitlines() if line[:3] in ("(a)", "(b)", "(c)", "(d)", "(e)", "(f)")]
    print(f"real published texts in {corpus}:")
    print("\n".join(summary) if summary else proc.stdout[-2000:])
    return 0 if summary else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
