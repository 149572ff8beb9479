"""Shared fixtures: database URLs for the store tests (SQLite always, PostgreSQL when configured).

Also the hypothesis profile of every test run.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

# No per-example deadline: on a shared two-core machine a deadline is a timing assertion.
settings.register_profile("regmod", deadline=None)
settings.load_profile("regmod")


def postgres_url() -> str | None:
    """The PostgreSQL URL from ``REGMOD_TEST_DATABASE_URL``, or None when unset."""
    return os.environ.get("REGMOD_TEST_DATABASE_URL") or None


@pytest.fixture(scope="session")
def ci() -> bool:
    """True when running under CI (``CI=true``)."""
    return os.environ.get("CI", "").lower() == "true"
