"""digitize: scanned textbooks to clean, accessible e-books."""

import os as _os
import sys as _sys

__version__ = "0.1.0"

# PyMuPDF >= 1.26 imports the optional `pymupdf_layout` and `pymupdf4llm` packages whenever they
# are installed; the first builds ONNX layout models at import time. Together ~0.9-1.8 s of CPU
# and ~55 MB in every process that reads a PDF (the CLI, the bench). digitize never calls
# `Page.get_layout()` or `pymupdf.to_markdown()`, so keep them out (PyMuPDF treats them as
# absent). DIGITIZE_PYMUPDF_LAYOUT=1 lets them load.
if _os.environ.get("DIGITIZE_PYMUPDF_LAYOUT") != "1":
    for _name in ("pymupdf.layout", "pymupdf4llm"):
        _sys.modules.setdefault(_name, None)  # type: ignore[arg-type]
