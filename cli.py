"""Checkout entry point: `python cli.py convert ...` runs the same app as the `digitize` command."""

from digitize.cli.app import run

if __name__ == "__main__":
    run()
