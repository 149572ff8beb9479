"""Shared fixtures: database URLs for the store tests (SQLite always, PostgreSQL when configured)."""

from __future__ import annotations

import os

import pytest


def postgres_url() -> str | None:
    """The PostgreSQL URL from ``REGMOD_TEST_DATABASE_URL``, or None when unset."""
    return os.environ.get("REGMOD_TEST_DATABASE_URL") or None


@pytest.fixture(scope="session")
def ci() -> bool:
    """True when running under CI (``CI=true``)."""
    return os.environ.get("CI", "").lower() == "true"
