"""iSpring authentication: `X-Auth-*` login headers, or an access token in `Authorization`.

D17: when `Authorization` is present it alone decides — `Bearer <token>` (scheme in any case) or
the raw token with no scheme, as every vendor doc sample sends it. Otherwise the three `X-Auth-*`
headers name the account (by the URL's host), the login (or e-mail) and the password. Anything
else is a 401. The principal then carries the caller's rights; `allow(right)` turns a missing
right into the 403 that D18 puts before any body parsing; every resource router depends on
`authenticate`, and each handler names its right through one of the aliases at the end.

Behaviours the fact sheet leaves open:
- `ROLE_RIGHTS`, `Right`: what each role may call (§4.9; a token has Owner rights, D17);
  learners and supervisors may call nothing (inferred). Job training and the competency
  library: owner and administrators everything; department administrators read both (job
  training scoped to their departments' employees) but do not change the account-wide library;
  publishers neither; custom roles what they were granted (inferred).
  Appraisal sessions
  (`appraisals.read`/`appraisals.write`) belong to the owner, administrators and department
  administrators (scoped to their departments' employees) and to custom roles granted them;
  publishers manage content, not people, so they get neither (inferred).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Protocol, TypeVar
from urllib.parse import urlsplit

from fastapi import Depends, Request
from sqlmodel import Session, select

from emulator.core.models import Tenant
from emulator.core.principals import PrincipalCache, Resolved
from emulator.core.secrets import token_digest
from emulator.core.vendor import set_request_tenant
from emulator.ispring.errors import PermissionDenied, Unauthorized
from emulator.ispring.models import IspringToken


class Right(StrEnum):
    USERS_READ = "users.read"
    USERS_WRITE = "users.write"
    DEPARTMENTS_READ = "departments.read"
    DEPARTMENTS_WRITE = "departments.write"
    GROUPS_READ = "groups.read"
    GROUPS_WRITE = "groups.write"
    CONTENT_READ = "content.read"
    CONTENT_WRITE = "content.write"
    ENROLLMENTS_READ = "enrollments.read"
    ENROLLMENTS_WRITE = "enrollments.write"
    RESULTS_READ = "results.read"
    STATISTICS_WRITE = "statistics.write"
    GAMIFICATION_READ = "gamification.read"
    GAMIFICATION_WRITE = "gamification.write"
    WEBHOOKS = "webhooks"
    JOB_TRAINING_READ = "jobtraining.read"
    COMPETENCIES_READ = "competencies.read"
    COMPETENCIES_WRITE = "competencies.write"
    APPRAISALS_READ = "appraisals.read"
    APPRAISALS_WRITE = "appraisals.write"


ALL_RIGHTS = frozenset(Right)


ROLE_RIGHTS: dict[str, frozenset[Right]] = {
    "owner": ALL_RIGHTS,
    "administrator": ALL_RIGHTS,
    # §4.9: department administrators may not create departments (nor content, inferred);
    # webhooks are for the Owner and Account Administrators only (§5.10).
    # The competency library is account-wide, so only account administrators change it
    # (inferred); department administrators read it and their departments' job training.
    "department_administrator": ALL_RIGHTS - {Right.DEPARTMENTS_WRITE, Right.CONTENT_WRITE,
                                              Right.WEBHOOKS, Right.COMPETENCIES_WRITE},
    "publisher": frozenset({
        Right.USERS_READ, Right.DEPARTMENTS_READ, Right.GROUPS_READ, Right.CONTENT_READ,
        Right.CONTENT_WRITE,
        Right.ENROLLMENTS_READ, Right.ENROLLMENTS_WRITE, Right.RESULTS_READ,
        Right.GAMIFICATION_READ, Right.GAMIFICATION_WRITE,
    }),
    "learner": frozenset(),
    "supervisor": frozenset(),
}


UNSCOPED_ROLES = frozenset({"owner", "administrator"})


# D9: both generations of role names are accepted on input.
ROLE_ALIASES = {
    "learner": "learner", "learners": "learner",
    "administrator": "administrator", "account_administrators": "administrator",
    "department_administrator": "department_administrator",
    "department_administrators": "department_administrator",
    "publisher": "publisher", "course_authors": "publisher",
    "custom": "custom", "supervisor": "supervisor",
}


@dataclass(frozen=True)
class Principal:
    """Who is calling: the account, the role's rights, and the departments it may act in."""

    tenant_id: str
    role_type: str
    rights: frozenset[Right]
    # Departments (managed ones and everything below them); None = the whole account.
    scope: frozenset[str] | None
    user_id: str | None = None  # None for a token: account-wide rights (D17)

    def require(self, right: Right) -> None:
        if right not in self.rights:
            raise PermissionDenied()

    def covers(self, department_id: str) -> bool:
        return self.scope is None or department_id in self.scope

    @property
    def is_publisher(self) -> bool:
        return self.role_type == "publisher"


def account_host(url: str) -> str:
    """The account an `X-Auth-Account-Url` names: its host, lower case (scheme/path ignored)."""
    text = url.strip()
    try:
        parsed = urlsplit(text if "//" in text else f"//{text}")
        host = parsed.hostname or ""
    except ValueError:
        return ""
    return host.rstrip(".").lower()


def token_tenant(session: Session, access_token: str) -> str | None:
    """The account an access token belongs to, expired or not."""
    row = session.exec(select(IspringToken).where(
        IspringToken.token_hash == token_digest(access_token))).first()
    return None if row is None else row.tenant_id


def custom_rights(granted: Iterable[str]) -> frozenset[Right]:
    """The rights a custom role was granted (unknown names ignored; never webhooks, §5.10)."""
    known = {r.value: r for r in Right if r is not Right.WEBHOOKS}
    return frozenset(known[name] for name in granted if name in known)


Ops = TypeVar("Ops")


def ops_of(request: Request, kind: type[Ops]) -> Ops:
    """The vendor backend, seen as one resource's operations.

    Resource modules name their own `Ops` class rather than `IspringBackend`: the backend is
    built from the resource modules, so importing it here would close an import circle.
    """
    backend = request.app.state.backend
    assert isinstance(backend, kind)
    return backend


def operations(kind: type[Ops]) -> Any:
    """A route dependency giving the backend as `kind` (see `ops_of`)."""

    async def get(request: Request) -> Ops:
        return ops_of(request, kind)

    return Depends(get)


class Authenticator(Protocol):
    """What `authenticate` needs of the backend (the token resource provides it)."""

    principals: PrincipalCache[Principal]

    def token_principal(self, access_token: str) -> Resolved[Principal]: ...

    def login_principal(self, account_url: str, login: str, password: str
                        ) -> Resolved[Principal]: ...


def bearer_token(header: str) -> str | None:
    """The token of an `Authorization` value: `Bearer <t>` or a bare `<t>`."""
    parts = header.strip().split()
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2 and parts[0].lower() == "bearer":
        return parts[1]
    return None


async def authenticate(request: Request) -> Principal:
    """The router-level dependency: who calls, for every data operation."""
    backend: Authenticator = request.app.state.backend
    header = request.headers.get("authorization")
    if header is not None:
        access_token = bearer_token(header)
        if not access_token:
            raise Unauthorized()
        principal = await backend.principals.resolve(
            ("token", access_token), lambda: backend.token_principal(access_token))
    else:
        url = request.headers.get("x-auth-account-url", "")
        login = request.headers.get("x-auth-email", "")
        password = request.headers.get("x-auth-password", "")
        if not (url.strip() and login.strip() and password):
            raise Unauthorized()
        principal = await backend.principals.resolve(
            ("login", url, login, password), lambda: backend.login_principal(url, login, password))
    set_request_tenant(request, principal.tenant_id)
    return principal


Caller = Annotated[Principal, Depends(authenticate)]


def allow(right: Right) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency: the caller, provided its role grants `right` (403 otherwise)."""

    async def check(principal: Caller) -> Principal:
        principal.require(right)
        return principal

    check.__name__ = f"allow_{right.name.lower()}"
    return check


def identify_tenant(session: Session, request: Request) -> str | None:
    """The account a request names, without judging its credentials (fault matching)."""
    header = request.headers.get("authorization")
    if header is not None:
        access_token = bearer_token(header)
        return None if access_token is None else token_tenant(session, access_token)
    url = request.headers.get("x-auth-account-url")
    if not url:
        return None
    host = account_host(url)
    tenant = session.get(Tenant, host) if host else None
    return host if tenant is not None and tenant.vendor == "ispring" else None


UsersRead = Annotated[Principal, Depends(allow(Right.USERS_READ))]
UsersWrite = Annotated[Principal, Depends(allow(Right.USERS_WRITE))]
DepartmentsRead = Annotated[Principal, Depends(allow(Right.DEPARTMENTS_READ))]
DepartmentsWrite = Annotated[Principal, Depends(allow(Right.DEPARTMENTS_WRITE))]
GroupsRead = Annotated[Principal, Depends(allow(Right.GROUPS_READ))]
GroupsWrite = Annotated[Principal, Depends(allow(Right.GROUPS_WRITE))]
ContentRead = Annotated[Principal, Depends(allow(Right.CONTENT_READ))]
ContentWrite = Annotated[Principal, Depends(allow(Right.CONTENT_WRITE))]
EnrollmentsRead = Annotated[Principal, Depends(allow(Right.ENROLLMENTS_READ))]
EnrollmentsWrite = Annotated[Principal, Depends(allow(Right.ENROLLMENTS_WRITE))]
ResultsRead = Annotated[Principal, Depends(allow(Right.RESULTS_READ))]
StatisticsWrite = Annotated[Principal, Depends(allow(Right.STATISTICS_WRITE))]
PointsRead = Annotated[Principal, Depends(allow(Right.GAMIFICATION_READ))]
PointsWrite = Annotated[Principal, Depends(allow(Right.GAMIFICATION_WRITE))]
Webhooks = Annotated[Principal, Depends(allow(Right.WEBHOOKS))]
JobTrainingRead = Annotated[Principal, Depends(allow(Right.JOB_TRAINING_READ))]
CompetenciesRead = Annotated[Principal, Depends(allow(Right.COMPETENCIES_READ))]
CompetenciesWrite = Annotated[Principal, Depends(allow(Right.COMPETENCIES_WRITE))]
AppraisalsRead = Annotated[Principal, Depends(allow(Right.APPRAISALS_READ))]
AppraisalsWrite = Annotated[Principal, Depends(allow(Right.APPRAISALS_WRITE))]
