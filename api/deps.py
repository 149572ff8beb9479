"""Dependencies as ``Annotated`` aliases, so that route signatures read like sentences.

``def list_queue(office: RegisterOffice, store: StoreDep)`` — authenticated, role checked,
tenant known from the credential.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials

from api.problems import ProblemError, ProblemKind
from api.security import api_key_scheme, bearer_scheme, presented_key, unknown_key
from api.services import Services
from regmod.settings import Settings
from regmod.store import access
from regmod.store.access import Role
from regmod.store.engine import Store


async def get_services(request: Request) -> Services:
    """The services of the app handling ``request``."""
    services: Services = request.app.state.services
    return services


async def get_settings(services: Annotated[Services, Depends(get_services)]) -> Settings:
    """The app's settings."""
    return services.settings


async def get_store(services: Annotated[Services, Depends(get_services)]) -> Store:
    """The app's store."""
    return services.store


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]


async def authenticate(
    request: Request,
    services: ServicesDep,
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    _api_key: Annotated[str | None, Depends(api_key_scheme)],
) -> access.Principal:
    """The principal holding the presented API key, or a 401 problem.

    Runs on the event loop: a key accepted in the last seconds is known
    (``api.security.PrincipalCache``), any other costs one indexed read, cheaper than the
    hand-off to a worker thread.
    """
    key = presented_key(request)
    principal = services.principals.get(key)
    if principal is None:
        with services.store.read() as conn:
            principal = access.authenticate_key(conn, key)
        if principal is None:
            raise unknown_key()
        services.principals.put(key, principal)
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
OfficeOrAuditor = Annotated[access.Principal, Depends(require(Role.REGISTER_OFFICE, Role.AUDITOR))]
