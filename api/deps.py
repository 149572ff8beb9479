"""Dependencies as ``Annotated`` aliases, so that route signatures read like sentences.

``def list_queue(office: RegisterOffice, store: StoreDep)`` — authenticated, role checked,
tenant known from the credential. Each route depends on the one service it calls, not on the
whole ``Services`` of the app.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials

from api.jobs import ReconciliationJobs
from api.metrics import ApiMetrics
from api.problems import ProblemError, ProblemKind
from api.security import (
    PrincipalCache,
    api_key_scheme,
    bearer_scheme,
    presented_key,
    unknown_key,
)
from api.services import Services
from regmod.audit.log import AuditWriter
from regmod.evidence import EvidenceService
from regmod.evidence.online import TenantIndexes
from regmod.settings import Settings
from regmod.store import access
from regmod.store.access import Role
from regmod.store.engine import Store

T = TypeVar("T")


async def get_services(request: Request) -> Services:
    """The services of the app handling ``request``."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def _one(pick: Callable[[Services], T]) -> Any:
    """A dependency on the one part of the app's services that ``pick`` returns."""

    async def dependency(services: ServicesDep) -> T:
        return pick(services)

    return Depends(dependency)


StoreDep = Annotated[Store, _one(lambda services: services.store)]
WriterDep = Annotated[AuditWriter, _one(lambda services: services.writer)]
EvidenceDep = Annotated[EvidenceService, _one(lambda services: services.evidence)]
IndexesDep = Annotated[TenantIndexes, _one(lambda services: services.indexes)]
JobsDep = Annotated[ReconciliationJobs, _one(lambda services: services.jobs)]
MetricsDep = Annotated[ApiMetrics, _one(lambda services: services.metrics)]
PrincipalsDep = Annotated[PrincipalCache, _one(lambda services: services.principals)]
SettingsDep = Annotated[Settings, _one(lambda services: services.settings)]


async def authenticate(
    request: Request,
    principals: PrincipalsDep,
    store: StoreDep,
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    _api_key: Annotated[str | None, Depends(api_key_scheme)],
) -> access.Principal:
    """The principal holding the presented API key, or a 401 problem.

    Runs on the event loop: a key accepted in the last seconds is known
    (``api.security.PrincipalCache``), any other costs one indexed read, cheaper than the
    hand-off to a worker thread.
    """
    key = presented_key(request)
    principal = principals.get(key)
    if principal is None:
        with store.read() as conn:
            principal = access.authenticate_key(conn, key)
        if principal is None:
            raise unknown_key()
        principals.put(key, principal)
    return principal


Principal = Annotated[access.Principal, Depends(authenticate)]


def require(*roles: Role) -> Callable[[access.Principal], Awaitable[access.Principal]]:
    """A dependency that lets only ``roles`` through (403 problem otherwise)."""
    allowed = ", ".join(role.value for role in roles)

    async def check(principal: Principal) -> access.Principal:
        if principal.role not in roles:
            raise ProblemError(
                ProblemKind.FORBIDDEN,
                f"role {principal.role.value!r} may not use this endpoint; allowed: {allowed}",
            )
        return principal

    return check


RegisterOffice = Annotated[access.Principal, Depends(require(Role.REGISTER_OFFICE))]
OnlineService = Annotated[access.Principal, Depends(require(Role.ONLINE_SERVICE))]
Auditor = Annotated[access.Principal, Depends(require(Role.AUDITOR))]
Citizen = Annotated[access.Principal, Depends(require(Role.CITIZEN))]
