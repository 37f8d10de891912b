"""Run the proofreading editor: loopback only, a random free port, until Ctrl-C."""

from __future__ import annotations

import contextlib
import socket
import webbrowser
from collections.abc import Callable
from pathlib import Path

from digitize.errors import BadInput
from digitize.proof.app import Session, create_app

HOST = "127.0.0.1"


def find_books(target: Path) -> list[Path]:
    """The book.json files `target` names: itself, those in the folder (one book's output
    folder), or those one level down (a batch library: LIBRARY/<book>/<book>.book.json)."""
    if target.is_file():
        return [target]
    if target.is_dir():
        found = sorted(target.glob("*.book.json")) or sorted(target.glob("*/*.book.json"))
        if found:
            return found
        raise BadInput(f"{target}: no *.book.json in this folder or its subfolders")
    raise BadInput(f"{target}: no such file or folder")


def bind_loopback() -> socket.socket:
    """A listening socket on 127.0.0.1 at a free port the system picks (no race: we keep it)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((HOST, 0))
    sock.listen(64)
    return sock


def serve(session: Session, open_browser: bool, say: Callable[[str], None]) -> None:
    """Serve `session` until interrupted; `say` prints the URL (with the session token)."""
    import uvicorn

    sock = bind_loopback()
    port = sock.getsockname()[1]
    session.hosts = frozenset({f"{HOST}:{port}", f"localhost:{port}"})
    url = f"http://{HOST}:{port}/?token={session.token}"
    config = uvicorn.Config(create_app(session), log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    try:
        say(url)
        if open_browser:
            with contextlib.suppress(Exception):  # no browser here: the URL is printed anyway
                webbrowser.open(url)
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # Ctrl-C is how one stops it (uvicorn re-raises the one it handled)
        pass
    finally:
        sock.close()
