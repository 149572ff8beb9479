"""The app factory: assembles settings, store, middleware, problem handlers and routers.

Run it with ``regmod serve`` (uvicorn ``api.main:create_app`` with ``factory=True``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from api.limits import RequestSizeLimit
from api.metrics import MetricsMiddleware
from api.problems import install_problem_handlers
from api.routes import (
    audit,
    cockpit,
    evidence_requests,
    health,
    match,
    reconciliations,
    review,
    stats,
)
from api.services import Services
from regmod import __version__
from regmod.evidence.online import TenantIndexes, newest_model
from regmod.settings import Settings
from regmod.store.engine import Store

API_PREFIX = "/v1"


def create_app(
    settings: Settings | None = None,
    *,
    store: Store | None = None,
    indexes: TenantIndexes | None = None,
) -> FastAPI:
    """A ready app; ``store`` and ``indexes`` default to those the settings describe."""
    settings = settings or Settings()
    store = store or Store(settings.database_url)
    if indexes is None:
        model_path = settings.api_model or newest_model(settings.runs_dir)
        indexes = TenantIndexes.from_model_file(
            store, model_path, ttl_seconds=settings.api_index_ttl_seconds
        )
    services = Services.build(settings, store, indexes)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.api_warm_indexes:
            services.indexes.start_warming()  # /readyz answers 503 until it is done
        yield
        await asyncio.to_thread(services.evidence.close)  # commit what is queued, then stop

    app = FastAPI(
        lifespan=lifespan,
        title="regmod once-only API",
        version=__version__,
        summary="Evidence requests, online matching, Datenschutzcockpit, reviews and audit.",
    )
    app.state.services = services
    install_problem_handlers(app)
    app.add_middleware(RequestSizeLimit, max_bytes=settings.api_max_request_bytes)
    app.add_middleware(MetricsMiddleware, metrics=services.metrics)
    app.include_router(health.router)
    v1 = APIRouter(prefix=API_PREFIX)
    for module in (evidence_requests, match, cockpit, audit, reconciliations, review, stats):
        v1.include_router(module.router)
    app.include_router(v1)
    return app
