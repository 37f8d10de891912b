#!/usr/bin/env bash
# Install the system packages digitize and its tests need (Debian/Ubuntu), only those missing.
# Tesseract with Vietnamese + English + orientation data, poppler (pdf2image), fonts for the
# synthetic pages, the headers and compiler that build tesserocr against this Tesseract
# (scripts/install-tesserocr.sh; DIGITIZE_NO_TESSEROCR=1 skips them), a Java runtime (EPUBCheck), Chromium + chromedriver (HTML rendering and editor
# tests) and, through npm, DAISY Ace (EPUB accessibility tests).
set -euo pipefail

# DAISY Ace (EPUB accessibility checker, its tests): through npm, offline-friendly (no bundled
# browser download: it drives the system Chromium). Skipped when npm is missing.
install_ace() {
  command -v ace-puppeteer >/dev/null && return 0
  if ! command -v npm >/dev/null; then
    echo "npm not found: DAISY Ace not installed (its test will skip)"
    return 0
  fi
  local SUDO_NPM=""
  [ "$(id -u)" -eq 0 ] || [ -w "$(npm prefix -g)/lib" ] || SUDO_NPM="sudo"
  echo "installing DAISY Ace (npm @daisy/ace)"
  PUPPETEER_SKIP_DOWNLOAD=1 ELECTRON_SKIP_BINARY_DOWNLOAD=1 \
    $SUDO_NPM npm install -g --silent @daisy/ace >/dev/null ||
    echo "DAISY Ace could not be installed (its test will skip)"
}
trap install_ace EXIT

need=()
command -v tesseract >/dev/null || need+=(tesseract-ocr)
for l in vie eng osd; do
  [ -n "$(ls /usr/share/tesseract-ocr/*/tessdata/$l.traineddata 2>/dev/null)" ] || need+=("tesseract-ocr-$l")
done
# tesserocr (the in-process engine) is built from source against the CLI's own libtesseract.
if [ "${DIGITIZE_NO_TESSEROCR:-}" != 1 ]; then
  command -v pkg-config >/dev/null || need+=(pkg-config)
  pkg-config --exists tesseract 2>/dev/null || need+=(libtesseract-dev)
  pkg-config --exists lept 2>/dev/null || need+=(libleptonica-dev)
  command -v g++ >/dev/null || need+=(g++)
  # Python's headers, for the Python the venv is made from (Debian's needs python3-dev)
  "${PY:-python3}" -c 'import os, sys, sysconfig
sys.exit(not os.path.isfile(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' ||
    need+=(python3-dev)
fi
command -v pdftoppm >/dev/null || need+=(poppler-utils)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf ] || need+=(fonts-dejavu-core)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSerif-Italic.ttf ] || need+=(fonts-dejavu-extra)
command -v java >/dev/null || need+=(default-jre-headless)
# `make bench` only: Ghostscript for OCRmyPDF (the comparison run), pngquant/unpaper optional.
if [ "${DIGITIZE_BENCH:-}" = 1 ]; then
  command -v gs >/dev/null || need+=(ghostscript)
fi
if [ "${DIGITIZE_NO_BROWSER:-}" != 1 ]; then
  command -v chromium >/dev/null || need+=(chromium)
  # The proofreading editor's browser test drives Chromium through Debian's chromedriver.
  command -v chromedriver >/dev/null || need+=(chromium-driver)
fi
if [ ${#need[@]} -eq 0 ]; then
  echo "system dependencies: all present"
  exit 0
fi
echo "installing system packages: ${need[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
