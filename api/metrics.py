"""Prometheus metrics: request counts and latency per route template, one registry per app."""

from __future__ import annotations

import re
import time

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)


class ApiMetrics:
    """The collectors of one app; a private registry keeps several apps in one process apart."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "regmod_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "regmod_http_request_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ("method", "route"),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.evidence_outcomes = Counter(
            "regmod_evidence_requests",
            "Evidence requests by evidence type and outcome.",
            ("evidence_type", "outcome"),
            registry=self.registry,
        )


def _compile(templates: list[str]) -> list[tuple[re.Pattern[str], str]]:
    """Path templates as regular expressions (``{item_id}`` matches one segment)."""
    return [
        (re.compile("^" + re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(path)) + "$"), path)
        for path in templates
    ]


class MetricsMiddleware:
    """Counts and times every HTTP request into ``ApiMetrics``."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics
        self._templates: list[tuple[re.Pattern[str], str]] | None = None

    def _route_template(self, scope: Scope) -> str:
        """The path template (``/v1/review/{item_id}``) so ids do not explode label cardinality."""
        if self._templates is None:
            self._templates = _compile(list(scope["app"].openapi()["paths"]))
        path = str(scope["path"])
        return next((t for pattern, t in self._templates if pattern.match(path)), "unmatched")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = self._route_template(scope)
            method = str(scope["method"])
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - started)
