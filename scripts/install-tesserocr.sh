#!/usr/bin/env bash
# Build tesserocr (the in-process OCR engine, the `fast` extra) against the system's libtesseract.
#
# The tesserocr wheel on PyPI bundles its own libtesseract (5.5.4 today), which segments pages
# differently from the distribution's `tesseract` CLI (Debian 12: 5.3.0) and dropped a whole
# line of a test scan; `ocr.tesseract`'s engine `auto` then falls back to the CLI (slower: a
# process and a PNG per page). Built from source against the same library as the CLI, the two
# engines read the same words and `auto` runs in-process.
#
# Usage: scripts/install-tesserocr.sh [VENV_PYTHON]   (default .venv/bin/python)
# Idempotent: nothing is rebuilt when tesserocr already runs the system's libtesseract. Never
# fails the setup: without the headers (libtesseract-dev, libleptonica-dev, pkg-config, g++),
# or when the build fails, whatever tesserocr is installed stays and `auto` uses the CLI.
set -uo pipefail
PYBIN="${1:-.venv/bin/python}"

want="$(pkg-config --modversion tesseract 2>/dev/null)"
if [ -z "$want" ] || ! pkg-config --exists lept 2>/dev/null; then
  echo "tesserocr: no libtesseract-dev/libleptonica-dev (pkg-config): not built from source;" \
    "OCR engine 'auto' uses the tesseract CLI"
  exit 0
fi
# The libtesseract release tesserocr runs (a wheel's bundled copy, or the system's), if any.
have="$("$PYBIN" -c 'import tesserocr; print(tesserocr.tesseract_version().split()[1])' 2>/dev/null)"
if [ "$have" = "$want" ]; then
  echo "tesserocr: runs the system's libtesseract $want"
  exit 0
fi
# Keep the tesserocr release pip chose for the `fast` extra (when there is one): only how it
# is built changes.
ver="$("$PYBIN" -c 'import importlib.metadata as m; print(m.version("tesserocr"))' 2>/dev/null)"
echo "tesserocr: building ${ver:-the latest release} against libtesseract $want" \
  "(installed: ${have:-none}); a minute or two"
if "$PYBIN" -m pip install -q --no-binary tesserocr --no-deps --force-reinstall \
  "tesserocr${ver:+==$ver}"; then
  have="$("$PYBIN" -c 'import tesserocr; print(tesserocr.tesseract_version().split()[1])' 2>/dev/null)"
fi
if [ "$have" != "$want" ]; then
  echo "tesserocr: could not be built against libtesseract $want (runs: ${have:-none});" \
    "OCR engine 'auto' uses the tesseract CLI" >&2
fi
exit 0
