# digitize — make targets. `make demo` and `make test` work on a fresh Debian/Ubuntu machine.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
SAMPLE  ?= samples/sach-mau.pdf
OUT     ?= out
STAMP   := $(VENV)/.installed

.PHONY: help setup demo test test-fast lint typecheck bench eval recall clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

# tesserocr last: pip installs the PyPI wheel (its own libtesseract), which the script then
# rebuilds against the system's libtesseract (same words as the CLI; skipped when it already is).
$(STAMP): pyproject.toml scripts/install-system-deps.sh scripts/install-tesserocr.sh
	PY=$(PY) ./scripts/install-system-deps.sh
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,fast,dask]'
	./scripts/install-tesserocr.sh $(BIN)/python
	touch $(STAMP)

setup: $(STAMP)  ## install system packages (tesseract vie+eng, java, chromium), .venv with the project, tesserocr built on that Tesseract

demo: setup  ## convert the sample textbook into out/ (EPUB, HTML, text, report)
	$(BIN)/digitize convert $(SAMPLE) -o $(OUT)

test: setup  ## lint, type-check and run the whole test suite
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -q

test-fast: setup  ## the suite without the slow end-to-end tests
	$(BIN)/pytest -q -m "not slow"

lint: setup  ## ruff lint + format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup  ## mypy (strict on the core modules)
	$(BIN)/mypy

bench: setup  ## speed and memory vs plain Tesseract and OCRmyPDF (table + .bench/results.json)
	DIGITIZE_BENCH=1 ./scripts/install-system-deps.sh
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python -m digitize.lab.bench

eval: setup  ## accuracy vs plain Tesseract, with and without preprocessing (prints tables)
	$(BIN)/digitize eval --compare nopre

recall: setup  ## word recall per page, ours vs plain Tesseract (real scans, evalbooks) only
	$(BIN)/digitize eval --recall-only

clean:  ## remove outputs and caches (not the venv)
	rm -rf $(OUT) .pytest_cache .ruff_cache .mypy_cache .eval .bench build *.egg-info
