# Two commands on a fresh clone with Python 3.11 and make: `make demo`, `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install demo test screenshots lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,dask,ocr]"
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

demo: install
	$(BIN)/xteval batch params/2023
	@echo "HTML appendices: $(CURDIR)/outputs/2023/"
	@echo "Index of all runs: $(CURDIR)/outputs/index.html"

# Bytecode is written even where the environment says not to (PYTHONDONTWRITEBYTECODE=1): the suite starts
# hundreds of processes (the CLI, kernels, workers), and each compiled xteval and pytest rewrote every test
# module afresh in each worker (302 s idle, 282-292 s with bytecode kept). __pycache__ is ignored by git.
# The suite runs on TEST_WORKERS processes (pytest-xdist; work stealing, so the long browser and
# batch tests do not hold the others back). `make test TEST_WORKERS=0` runs it in one process.
TEST_WORKERS ?= 2

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONDONTWRITEBYTECODE= XTEVAL_ALL_EXTRAS=1 $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal

# Every generated page in headless Chromium, with PNGs of each page on screen and printed, to look at
# (outputs/screenshots/). make test runs the same checks without the images.
screenshots: install
	XTEVAL_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/test_browser.py

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python bench/score.py
	$(BIN)/python bench/batch.py
	$(BIN)/python bench/check.py
	$(BIN)/python bench/real_corpus.py

clean:
	rm -rf outputs/*/ outputs/index.html outputs/.state
