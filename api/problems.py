"""RFC 9457 problem responses: every error the API returns has a stable ``type`` URI and a title.

Example body::

    {"type": "urn:regmod:problem:subject-ambiguous", "title": "Subject not uniquely identified",
     "status": 422, "detail": "2 candidates are too close; send the IDNr", "instance": "/v1/..."}
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from matching.errors import BlockingExplosionError, MatchingError, SpecError
from regmod.errors import (
    IndexUnavailableError,
    InputError,
    NotFoundError,
    PreviewRejectedError,
    RegmodError,
)

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:regmod:problem:"


class ProblemKind(StrEnum):
    """The kinds of error the API answers with; the value is the last part of the ``type`` URI."""

    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not-found"
    METHOD_NOT_ALLOWED = "method-not-allowed"
    VALIDATION = "validation-error"
    INVALID_INPUT = "invalid-input"
    PAYLOAD_TOO_LARGE = "payload-too-large"
    NOT_ENTITLED = "not-entitled"
    SUBJECT_NOT_FOUND = "subject-not-found"
    SUBJECT_AMBIGUOUS = "subject-ambiguous"
    PREVIEW_INVALID = "preview-invalid"
    CONFLICT = "conflict"
    NOT_IMPLEMENTED = "not-implemented"
    UNAVAILABLE = "service-unavailable"
    INTERNAL = "internal-error"

    @property
    def uri(self) -> str:
        """The stable ``type`` URI clients may switch on."""
        return PROBLEM_TYPE_PREFIX + self.value


_STATUS_AND_TITLE: dict[ProblemKind, tuple[int, str]] = {
    ProblemKind.UNAUTHENTICATED: (401, "Authentication required"),
    ProblemKind.FORBIDDEN: (403, "Role not allowed"),
    ProblemKind.NOT_FOUND: (404, "Not found"),
    ProblemKind.METHOD_NOT_ALLOWED: (405, "Method not allowed"),
    ProblemKind.VALIDATION: (422, "Request does not match the schema"),
    ProblemKind.INVALID_INPUT: (422, "Invalid input"),
    ProblemKind.PAYLOAD_TOO_LARGE: (413, "Request body too large"),
    ProblemKind.NOT_ENTITLED: (403, "Requester not entitled"),
    ProblemKind.SUBJECT_NOT_FOUND: (404, "Subject not found"),
    ProblemKind.SUBJECT_AMBIGUOUS: (422, "Subject not uniquely identified"),
    ProblemKind.PREVIEW_INVALID: (409, "Preview cannot be confirmed"),
    ProblemKind.CONFLICT: (409, "Conflict"),
    ProblemKind.NOT_IMPLEMENTED: (501, "Not implemented"),
    ProblemKind.UNAVAILABLE: (503, "Service unavailable"),
    ProblemKind.INTERNAL: (500, "Internal error"),
}


class ProblemError(Exception):
    """Raised by routes and dependencies; the handler turns it into a problem response."""

    def __init__(
        self,
        kind: ProblemKind,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.headers = headers
        self.extensions = extensions


def problem_response(
    kind: ProblemKind,
    detail: str,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    """A JSON response in ``application/problem+json`` with the status and title of ``kind``."""
    status, title = _STATUS_AND_TITLE[kind]
    body: dict[str, Any] = {"type": kind.uri, "title": title, "status": status, "detail": detail}
    if instance is not None:
        body["instance"] = instance
    body.update(extensions)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


_HTTP_STATUS_KIND: dict[int, ProblemKind] = {
    401: ProblemKind.UNAUTHENTICATED,
    403: ProblemKind.FORBIDDEN,
    404: ProblemKind.NOT_FOUND,
    405: ProblemKind.METHOD_NOT_ALLOWED,
    413: ProblemKind.PAYLOAD_TOO_LARGE,
    501: ProblemKind.NOT_IMPLEMENTED,
    503: ProblemKind.UNAVAILABLE,
}


async def _on_problem(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ProblemError)
    return problem_response(
        error.kind,
        error.detail,
        instance=request.url.path,
        headers=error.headers,
        **error.extensions,
    )


async def _on_validation(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [
        {"loc": [str(part) for part in item.get("loc", ())], "msg": str(item.get("msg", ""))}
        for item in error.errors()
    ]
    return problem_response(
        ProblemKind.VALIDATION,
        f"{len(errors)} field(s) invalid; see 'errors'",
        instance=request.url.path,
        errors=errors,
    )


async def _on_http(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    kind = _HTTP_STATUS_KIND.get(error.status_code, ProblemKind.INVALID_INPUT)
    return problem_response(
        kind, str(error.detail), instance=request.url.path, headers=dict(error.headers or {})
    )


async def _on_regmod(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RegmodError)
    kind = ProblemKind.INVALID_INPUT
    if isinstance(error, NotFoundError):
        kind = ProblemKind.NOT_FOUND
    elif isinstance(error, IndexUnavailableError):
        kind = ProblemKind.UNAVAILABLE
    elif isinstance(error, PreviewRejectedError):
        kind = ProblemKind.PREVIEW_INVALID
    elif not isinstance(error, InputError):
        kind = ProblemKind.CONFLICT
    return problem_response(kind, str(error), instance=request.url.path)


async def _on_matching(request: Request, error: Exception) -> JSONResponse:
    """The engine refused on purpose: a spec or input it cannot use (422), else a state (409)."""
    assert isinstance(error, MatchingError)
    refused_input = isinstance(error, SpecError | BlockingExplosionError)
    kind = ProblemKind.INVALID_INPUT if refused_input else ProblemKind.CONFLICT
    return problem_response(kind, str(error), instance=request.url.path)


async def _on_unexpected(request: Request, error: Exception) -> JSONResponse:
    return problem_response(
        ProblemKind.INTERNAL,
        "the server failed to answer; the error was logged",
        instance=request.url.path,
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Route every error the app can raise to a problem response."""
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(RegmodError, _on_regmod)
    app.add_exception_handler(MatchingError, _on_matching)
    app.add_exception_handler(Exception, _on_unexpected)
