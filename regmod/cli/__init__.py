"""The ``regmod`` command line (typer + rich)."""
