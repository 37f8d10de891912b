"""digitize: scanned textbooks to clean, accessible e-books."""

import os as _os
import sys as _sys

__version__ = "0.1.0"

# PyMuPDF >= 1.26 imports the optional `pymupdf_layout` package whenever it is installed, and
# that builds ONNX layout models at import time: ~0.5-1.4 s of CPU and ~55 MB in every process
# that reads a PDF (the CLI, the bench). digitize never calls `Page.get_layout()`, so keep the
# package out (PyMuPDF treats it as absent). DIGITIZE_PYMUPDF_LAYOUT=1 lets it load.
if _os.environ.get("DIGITIZE_PYMUPDF_LAYOUT") != "1":
    _sys.modules.setdefault("pymupdf.layout", None)  # type: ignore[assignment]
