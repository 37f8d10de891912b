"""Batch runs: a shelf of books from an inbox into a library, resumable and safe to overlap.

`run` converts every book the `inbox` finds, claiming each in the `ledger` (SQLite); `library`
and `library_index` write the library's index page.
"""
