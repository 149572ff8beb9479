"""The once-only HTTP API (FastAPI): thin routes over regmod services."""
