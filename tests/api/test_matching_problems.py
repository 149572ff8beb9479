"""Errors the matching engine raises on purpose become problem responses, not 500s."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.problems import PROBLEM_MEDIA_TYPE, install_problem_handlers
from matching.errors import BlockingExplosionError, MatchingError, SpecError


def app_raising(error: Exception) -> TestClient:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/boom")
    def boom() -> None:
        raise error

    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("error", "status", "kind"),
    [
        (SpecError("no comparison 'x'"), 422, "invalid-input"),
        (BlockingExplosionError("rule 0 yields 10 pairs; limit 5"), 422, "invalid-input"),
        (MatchingError("no model yet"), 409, "conflict"),
    ],
)
def test_matching_errors_are_problems_with_their_message(
    error: MatchingError, status: int, kind: str
) -> None:
    response = app_raising(error).get("/boom")
    assert response.status_code == status
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    body = response.json()
    assert body["type"] == f"urn:regmod:problem:{kind}"
    assert body["detail"] == str(error)
