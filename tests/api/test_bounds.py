"""Out-of-range values and oversized bodies are problem responses naming the cause, never a 500."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from api.schemas.bounds import EARLIEST, LATEST, UtcDatetime
from regmod.store.access import Role
from tests.api.conftest import ANNA, KOELN, World
from tests.api.test_evidence_requests import ANNA_ATTRIBUTES, ask

PROBLEM = "application/problem+json"


def stats(world: World, since: str) -> Any:
    return world.client.get(
        "/v1/stats", params={"since": since}, headers=world.headers(KOELN, Role.AUDITOR)
    )


@pytest.mark.parametrize(
    "since",
    [
        "0001-01-01T00:00:00+14:00",  # converting to UTC would fall before year 1
        "0001-01-01T00:00:00",
        "9999-12-31T23:59:59.999999-14:00",  # converting to UTC would pass year 9999
        "9999-12-31T23:59:59",
        "1899-12-31T23:59:59Z",
        "2200-01-01T00:00:01Z",
        "2200-01-01T00:30:00+00:00",
    ],
)
def test_stats_since_outside_1900_to_2200_is_a_422_naming_since(world: World, since: str) -> None:
    response = stats(world, since)
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    assert [error["loc"] for error in response.json()["errors"]] == [["query", "since"]]
    assert "1900-01-01" in response.json()["errors"][0]["msg"]


def test_stats_since_at_the_bounds_and_naive_is_answered(world: World) -> None:
    assert ask(world, {"idnr": ANNA}).status_code == 200
    for since in ("1900-01-01T00:00:00Z", "1900-01-01T00:00:00", "1899-12-31T23:00:00-01:00"):
        response = stats(world, since)
        assert response.status_code == 200, response.text
        assert response.json()["total"] == 1
    for since in ("2200-01-01T00:00:00Z", "2200-01-01T00:00:00", "2200-01-01T01:00:00+01:00"):
        response = stats(world, since)
        assert response.status_code == 200, response.text
        assert response.json()["total"] == 0


def test_a_naive_since_is_taken_as_utc(world: World) -> None:
    answer = ask(world, {"idnr": ANNA}).json()
    occurred = datetime.fromisoformat(answer["occurred_at"]).astimezone(UTC)
    second, berlin_summer = timedelta(seconds=1), timezone(timedelta(hours=2))

    def total(since: datetime) -> int:
        return int(stats(world, since.isoformat()).json()["total"])

    assert total((occurred - second).replace(tzinfo=None)) == 1
    assert total((occurred + second).replace(tzinfo=None)) == 0
    assert total((occurred - second).astimezone(berlin_summer)) == 1
    assert total((occurred + second).astimezone(berlin_summer)) == 0


OFFSETS = st.none() | st.timedeltas(
    min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23, minutes=59)
).map(timezone)


@given(
    wall_clock=st.datetimes(datetime(1890, 1, 1), datetime(2210, 1, 1)) | st.datetimes(),
    offset=OFFSETS,
)
def test_any_datetime_is_the_same_instant_in_utc_within_bounds_or_a_validation_error(
    wall_clock: datetime, offset: timezone | None
) -> None:
    value = wall_clock.replace(tzinfo=offset)
    try:
        utc = TypeAdapter(UtcDatetime).validate_python(value)
    except ValidationError:
        return
    assert utc.tzinfo is UTC and EARLIEST <= utc <= LATEST
    assert utc == (value if offset is not None else value.replace(tzinfo=UTC))


def test_a_date_of_birth_in_the_future_or_before_1800_is_a_422_naming_it(world: World) -> None:
    tomorrow = date.today() + timedelta(days=1)
    for birth_date in (tomorrow.isoformat(), f"{tomorrow.year + 1}-00-00", "1799-12-31"):
        response = ask(world, {**ANNA_ATTRIBUTES, "birth_date": birth_date})
        assert response.status_code == 422, birth_date
        errors = response.json()["errors"]
        assert any(error["loc"][-1] == "birth_date" for error in errors), errors


def test_every_number_and_datetime_parameter_is_bounded_in_the_openapi_document(
    world: World,
) -> None:
    document = world.client.get("/openapi.json").json()
    parameters = [
        parameter
        for path in document["paths"].values()
        for operation in path.values()
        for parameter in operation.get("parameters", [])
    ]
    bounded = 0
    for parameter in parameters:
        for schema in parameter["schema"].get("anyOf", [parameter["schema"]]):
            if schema.get("type") == "integer":
                assert {"minimum", "maximum"} <= schema.keys(), parameter["name"]
                bounded += 1
            if schema.get("format") == "date-time":
                assert {"formatMinimum", "formatMaximum"} <= schema.keys(), parameter["name"]
                bounded += 1
    assert bounded >= 8
    birth_date = document["components"]["schemas"]["SubjectByAttributes"]["properties"]
    assert (
        "pattern" in birth_date["birth_date"]
        and "future" in birth_date["birth_date"]["description"]
    )
    assert document["components"]["schemas"]["MatchBody"]["properties"]["top_k"]["maximum"] == 20


def chunks(size: int) -> Iterator[bytes]:
    """A JSON body of about ``size`` bytes sent in chunks, with no Content-Length."""
    yield b'{"record": {"family_name": "'
    for _ in range(size // 8192):
        yield b"x" * 8192
    yield b'"}}'


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("/v1/match", Role.REGISTER_OFFICE),
        ("/v1/evidence-requests", Role.ONLINE_SERVICE),
        ("/v1/review/1/decision", Role.REGISTER_OFFICE),
    ],
)
def test_a_chunked_body_over_the_limit_is_a_413_problem(
    world: World, path: str, role: Role
) -> None:
    response = world.client.post(
        path,
        content=chunks(200_000),
        headers={**world.headers(KOELN, role), "content-type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413 and response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "urn:regmod:problem:payload-too-large"


def test_a_chunked_body_within_the_limit_is_read(world: World) -> None:
    response = world.client.post(
        "/v1/match",
        content=iter([b'{"record": ', json.dumps(ANNA_ATTRIBUTES).encode(), b"}"]),
        headers={**world.headers(KOELN, Role.REGISTER_OFFICE), "content-type": "application/json"},
    )
    assert response.status_code == 200, response.text
