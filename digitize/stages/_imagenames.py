"""Which page-image names in a work dir name their content.

Ingesters and preprocess stages name the images they write after their content's source and
every option (`pages/p0001-<hash>.png`, `pages/<hash>.png`), so the name alone identifies the
content: what derives from such an image may be keyed by its name, without reading its bytes.
"""

from __future__ import annotations

import re

_DERIVED = re.compile(r"^pages/(?:p\d+-)?[0-9a-f]{16}\.(?:png|tif)$")


def names_its_content(rel: str) -> bool:
    return _DERIVED.match(rel) is not None
