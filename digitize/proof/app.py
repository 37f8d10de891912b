"""The proofreading web application (Starlette; Jinja2 templates; local assets only).

Every request must come from a loopback address and carry the session token, in the URL the
command printed (`?token=`, which sets an HttpOnly, SameSite=Strict cookie) or in that cookie:
another user of the same machine can reach 127.0.0.1 too, but cannot guess the token. Writes
must be JSON (a cross-site form cannot send that without a CORS preflight, which we never
answer). OCR text reaches the page only through Jinja's autoescaping or JSON written with
textContent.
"""

from __future__ import annotations

import ipaddress
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from digitize import corrections as edits
from digitize.engine.cache import default_cache_dir
from digitize.engine.export import trusted_work_dir
from digitize.errors import DigitizeError
from digitize.proof.store import BookStore, Conflict
from digitize.proof.view import page_view

COOKIE = "digitize_proof"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)
# Published HTML is the book's own: shown in a sandbox, no script, nothing fetched elsewhere.
OUTPUT_CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"


@dataclass
class Session:
    """The books one `digitize proof` serves, and its secret."""

    books: list[Path]
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    work_dir: Path | None = None  # --work-dir: where the page images are (one book only)
    cache_root: Path = field(default_factory=default_cache_dir)
    who: str = ""
    hosts: frozenset[str] | None = None  # Host headers accepted (None: any, for tests)
    warnings: list[str] = field(default_factory=list)
    _stores: dict[int, BookStore] = field(default_factory=dict)
    _published: dict[int, set[str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def store(self, n: int) -> BookStore:
        if not 0 <= n < len(self.books):
            raise KeyError(n)
        with self._lock:
            if n not in self._stores:
                s = BookStore(self.books[n], who=self.who)
                s.images, warning = trusted_work_dir(
                    s.book.work_dir, self.work_dir, self.cache_root
                )
                if warning:
                    self.warnings.append(warning)
                self._stores[n] = s
            return self._stores[n]


def _loopback(request: Request) -> bool:
    try:
        return request.client is not None and ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:
        return False


class Guard(BaseHTTPMiddleware):
    """Loopback clients with the session token only; security headers on every answer."""

    def __init__(self, app: Any, session: Session) -> None:
        super().__init__(app)
        self.session = session

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        s = self.session
        if not _loopback(request):
            return PlainTextResponse(
                "refused: the proofreading editor only serves this machine", 403
            )
        if s.hosts is not None and request.headers.get("host", "") not in s.hosts:
            return PlainTextResponse("refused: unexpected Host header", 403)
        given = request.query_params.get("token") or request.cookies.get(COOKIE, "")
        if not secrets.compare_digest(given.encode(), s.token.encode()):
            return PlainTextResponse(
                "refused: missing or wrong session token; open the URL `digitize proof` printed",
                403,
            )
        if request.method not in ("GET", "HEAD") and not request.headers.get(
            "content-type", ""
        ).startswith("application/json"):
            return PlainTextResponse("refused: changes are sent as JSON", 415)
        response = await call_next(request)
        if request.query_params.get("token"):
            response.set_cookie(COOKIE, s.token, httponly=True, samesite="strict", path="/")
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"  # the URL holds the token
        response.headers["Cache-Control"] = "no-store"
        return response


def create_app(session: Session) -> Starlette:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("digitize.proof", "templates"), autoescape=True
    )
    templates = Jinja2Templates(env=env)

    def _store(request: Request) -> BookStore:
        return session.store(int(request.path_params["n"]))

    def home(request: Request) -> Response:
        if len(session.books) == 1:
            return editor(request, 0)
        rows = []
        for n, path in enumerate(session.books):
            try:
                summary = session.store(n).summary()
            except DigitizeError as e:
                rows.append({"n": n, "name": path.name, "error": e.one_line()})
                continue
            rows.append(
                {
                    "n": n,
                    "name": path.name.removesuffix(".book.json"),
                    "title": summary["title"],
                    "pages": len(summary["pages"]),
                    "to_review": summary["to_review"],
                    "reviewed": sum(1 for p in summary["pages"] if p["reviewed"]),
                    "corrections": summary["corrections"],
                }
            )
        return templates.TemplateResponse(request, "library.html", {"books": rows})

    def editor(request: Request, n: int | None = None) -> Response:
        n = int(request.path_params["n"]) if n is None else n
        store = session.store(n)
        return templates.TemplateResponse(
            request,
            "editor.html",
            {
                "n": n,
                "title": store.book.meta.title,
                "library": len(session.books) > 1,
                "warnings": session.warnings,
                "kinds": edits.EDIT_KINDS,
                "max_level": edits.MAX_LEVEL,
            },
        )

    def summary(request: Request) -> Response:
        return JSONResponse(_store(request).summary())

    def page(request: Request) -> Response:
        store = _store(request)
        try:
            return JSONResponse(page_view(store, int(request.path_params["i"])))
        except edits.EditError as e:
            return JSONResponse({"error": str(e)}, 404)

    async def edit(request: Request) -> Response:
        body = await _json(request)
        store = _store(request)
        fields = {k: body[k] for k in ("value", "level", "line", "word") if k in body}
        try:
            version = await _threaded(
                store.edit,
                str(body.get("version", "")),
                str(body.get("op", "")),
                int(body.get("page", -1)),
                int(body.get("block", -1)),
                **fields,
            )
        except Conflict as e:
            return JSONResponse({"error": str(e), "version": store.version}, 409)
        except (edits.EditError, TypeError, ValueError) as e:
            return JSONResponse({"error": str(e)}, 400)
        return JSONResponse({"version": version})

    async def undo(request: Request) -> Response:
        body = await _json(request)
        store = _store(request)
        try:
            version, at = await _threaded(store.undo, str(body.get("version", "")))
        except Conflict as e:
            return JSONResponse({"error": str(e), "version": store.version}, 409)
        except edits.EditError as e:
            return JSONResponse({"error": str(e)}, 400)
        return JSONResponse({"version": version, "page": at})

    async def publish(request: Request) -> Response:
        await _json(request)
        n = int(request.path_params["n"])
        store = session.store(n)
        try:
            files = await _threaded(store.publish)
        except DigitizeError as e:
            return JSONResponse({"error": e.one_line()}, 500)
        names = [p.name for p in files]
        session._published.setdefault(n, set()).update(names)
        return JSONResponse(
            {"files": [{"name": x, "url": f"/b/{n}/out/{quote(x)}"} for x in names]}
        )

    def output(request: Request) -> Response:
        """A file this session published (or one inside a folder it published)."""
        n = int(request.path_params["n"])
        store = session.store(n)
        rel = Path(request.path_params["name"])
        root = store.path.parent.resolve()
        target = (root / rel).resolve()
        if (
            not rel.parts
            or rel.parts[0] not in session._published.get(n, set())
            or not target.is_relative_to(root)
            or not target.is_file()
        ):
            return PlainTextResponse("not published in this session", 404)
        if target.suffix.lower() in (".html", ".xhtml", ".htm"):
            resp = FileResponse(target)
            resp.headers["Content-Security-Policy"] = OUTPUT_CSP
            return resp
        return FileResponse(target, filename=target.name)  # a download (RFC 5987 name)

    routes = [
        Route("/", home),
        Route("/b/{n:int}/", editor),
        Route("/b/{n:int}/api/summary", summary),
        Route("/b/{n:int}/api/page/{i:int}", page),
        Route("/b/{n:int}/api/edit", edit, methods=["POST"]),
        Route("/b/{n:int}/api/undo", undo, methods=["POST"]),
        Route("/b/{n:int}/api/publish", publish, methods=["POST"]),
        Route("/b/{n:int}/out/{name:path}", output),
        Mount("/static", StaticFiles(packages=[("digitize.proof", "static")]), name="static"),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(Guard, session=session)])
    app.add_exception_handler(KeyError, _not_found)
    return app


async def _not_found(request: Request, exc: Exception) -> Response:
    return PlainTextResponse("no such book", 404)


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        body = None
    return body if isinstance(body, dict) else {}


async def _threaded(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run blocking store work (file writes, the flow rebuild) off the event loop."""
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(fn, *args, **kwargs)
