"""HTML building blocks shared by the quality report and the library index: escaping of
untrusted text, safe links, confidence colours, embedded assets and script-safe JSON."""

from __future__ import annotations

import html
import json
from importlib import resources
from typing import Any
from urllib.parse import quote

from digitize.report.pages import visible

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'"


def esc(value: Any) -> str:
    """Escape untrusted text for HTML, with invisible/bidi characters made visible."""
    return html.escape(visible(str(value)), quote=True)


# The confidence colour ramp: red at or below LOW, green from LOW + SPAN. The page viewer
# (assets/report.js) gets these numbers in the report's JSON, so both colour alike.
CONF_RAMP = {"low": 0.6, "span": 0.35}


def hue(conf: float | None) -> int | None:
    if conf is None:
        return None
    return round(max(0.0, min(1.0, (conf - CONF_RAMP["low"]) / CONF_RAMP["span"])) * 120)


def conf_color(conf: float | None, light: int = 42) -> str:
    h = hue(conf)
    return f"hsl(220,8%,{light}%)" if h is None else f"hsl({h},72%,{light}%)"


def pct(conf: float | None) -> str:
    return "–" if conf is None else f"{conf * 100:.1f}%"


def asset(name: str) -> str:
    return resources.files("digitize.report").joinpath("assets", name).read_text(encoding="utf-8")


def script_json(data: Any) -> str:
    """JSON safe inside a <script> element: no `</script>`, no `<!--`, no entity surprises."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def href(rel: str) -> str:
    """A relative link, ready for an attribute: every character that could start a scheme or
    break out of the attribute is percent-quoted."""
    return html.escape(quote(str(rel).replace("\\", "/"), safe="/"), quote=True)
