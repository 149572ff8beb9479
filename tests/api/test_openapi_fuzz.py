"""The API against its own OpenAPI document, under each role's key: no request gets a 5xx.

Per operation: schemathesis's coverage cases (each minimum and maximum and one past them,
missing, empty, mistyped and malformed values, in positive and negative mode), extreme
datetimes (years 1 and 9999 with offsets of ±14 hours, naive, the bounds themselves), then
generated requests in positive and negative mode. A server exception fails the test even where
a handler turned it into a 500 problem, since the test client re-raises it. Requests and server
errors per role and store are printed in the terminal summary (``tests/api/conftest.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.config import GenerationConfig
from schemathesis.generation import GenerationMode

from regmod.store.access import Role
from tests.api.conftest import KOELN, FuzzTally, World

SKIPPED = {("POST", "/v1/reconciliations")}  # spawns background runs; covered in test_endpoints

EXTREME_DATETIMES = (
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59.999999-14:00",
    "9999-12-31T23:59:59.999999",
    "1899-12-31T23:59:59.999999Z",
    "1900-01-01T00:00:00Z",
    "1900-01-01T00:00:00",
    "2200-01-01T00:00:00Z",
    "2200-01-01T00:00:00.000001Z",
    "2199-12-31T23:00:00-14:00",
)


def datetime_parameters(operation: Any) -> list[str]:
    """Names of the operation's query parameters that are date-times."""
    names = []
    for parameter in operation.definition.raw.get("parameters", []):
        schema = parameter.get("schema", {})
        variants = schema.get("anyOf", [schema])
        if parameter["in"] == "query" and any(v.get("format") == "date-time" for v in variants):
            names.append(parameter["name"])
    return names


def boundary_cases(operation: Any) -> Iterator[Any]:
    """Schemathesis's coverage cases, then each date-time parameter at extreme values."""
    cases = operation.schema.iter_coverage_cases(
        operation, generation_modes=list(GenerationMode), generation_config=GenerationConfig()
    )
    base = None
    for case in cases:
        base = base or case
        yield case
    for name in datetime_parameters(operation):
        for value in EXTREME_DATETIMES:
            yield operation.Case(
                query={**(base.query if base else {}), name: value},
                path_parameters=base.path_parameters if base else None,
            )


def send(case: Any, auth: dict[str, str], run: str, tally: FuzzTally) -> None:
    """Send ``case`` with ``auth``; fail on a 5xx or a server exception."""
    try:
        response = case.call(headers=auth)
    except Exception:
        tally.record(run, 500)
        raise
    tally.record(run, response.status_code)
    assert response.status_code < 500, (case.method, case.formatted_path, response.text)
    assert "Traceback" not in response.text


def fuzz(
    operation: Any, mode: GenerationMode, auth: dict[str, str], run: str, tally: FuzzTally
) -> Callable[[], None]:
    """A few generated requests in ``mode`` against one operation."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=8,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def no_server_error(case: Any) -> None:
        send(case, auth, run, tally)

    return no_server_error


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_no_request_under_any_role_gets_a_server_error(
    world: World, role: Role, fuzz_tally: FuzzTally
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", world.client.app)
    auth = world.headers(KOELN, role)
    run = f"{role.value} on {world.store.engine.dialect.name}"
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        for case in boundary_cases(operation):
            send(case, auth, run, fuzz_tally)
        for mode in GenerationMode:
            try:
                fuzz(operation, mode, auth, run, fuzz_tally)()
            except Unsatisfiable:  # no inputs to get wrong, as for /healthz
                assert mode is GenerationMode.NEGATIVE, operation.path
        operations += 1
    assert operations >= 14
    assert fuzz_tally.requests[run] > 500
    assert fuzz_tally.succeeded[run] > 0  # not everything was refused
    assert fuzz_tally.server_errors[run] == 0
