"""Proofreading in the browser: `digitize proof` serves a local editor for a book.json.

`digitize.corrections` changes a Book's page blocks (recording each change), `store` owns
one book.json on disk (versions, atomic saves, undo, the flow rebuilt from the edited pages,
publishing), `app` is the web application (Starlette, Jinja2 templates, local assets only) and
`server` runs it on loopback with a per-session token.
"""
