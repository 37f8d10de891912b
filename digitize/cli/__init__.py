"""The `digitize` command line: `app` (the Typer app and its global options) merges one module
per command group; `_common` holds what they share, including the one mapping from errors to
exit codes."""
