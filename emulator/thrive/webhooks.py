"""Thrive inbound HR provisioning webhook: joined, updated, suspended and deleted users."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Response
from pydantic import StrictStr, StringConstraints
from sqlmodel import col, select

from emulator.thrive import schemas
from emulator.thrive.base import Unit
from emulator.thrive.models import ThriveUser, ThriveWebhookEvent
from emulator.thrive.routing import Auth, api_router, empty, endpoint, json_body, operations
from emulator.thrive.schemas import RequestBody, Text
from emulator.thrive.users import UserCreate, UsersOps, UserUpdate

# ---------------------------------------------------------------------------------------------
# Wire shapes
# ---------------------------------------------------------------------------------------------


class WebhookUser(UserUpdate):
    ref: Text


class WebhookContent(RequestBody):
    user: WebhookUser


class WebhookEvent(RequestBody):
    id: Annotated[Text, StringConstraints(max_length=500)]
    timestamp: StrictStr | None = None
    event_type: Literal["user_joined", "user_updated", "user_suspended", "user_deleted"]
    content: WebhookContent


# ---------------------------------------------------------------------------------------------
# Operations
# ---------------------------------------------------------------------------------------------


class WebhooksOps(UsersOps):
    """HR events, applied synchronously through the user lifecycle."""

    def provision(self, tenant: str, event: WebhookEvent) -> None:
        """Apply one HR event synchronously; a repeated envelope id is accepted, not re-applied."""
        with self.unit(tenant) as u:
            if u.session.get(ThriveWebhookEvent, {"tenant_id": tenant, "id": event.id}):
                return
            person = event.content.user
            if event.event_type == "user_joined":
                self._user_joined(u, person)
            else:
                user = self._user_by_ref(u, person.ref)
                if event.event_type == "user_updated":
                    self._update_user(u, user, person.sent())
                elif event.event_type == "user_suspended":
                    self._suspend(u, user, person.end_date)
                else:
                    self._delete_user(u, user)
            u.session.add(ThriveWebhookEvent(tenant_id=tenant, id=event.id,
                                             event_type=event.event_type, received_at=u.now))

    def _user_joined(self, u: Unit, person: WebhookUser) -> None:
        existing = u.session.exec(select(ThriveUser).where(
            ThriveUser.tenant_id == u.tenant, ThriveUser.ref == person.ref,
            col(ThriveUser.deleted).is_(False))).first()
        if existing is None:
            data = person.model_dump(mode="json", by_alias=True, exclude_unset=True)
            self._new_user(u, schemas.revalidate(UserCreate, data, "content", "user"))
            return
        self._update_user(u, existing, person.sent())
        existing.active, existing.status = True, "active"


# ---------------------------------------------------------------------------------------------
# Routes
# ---------------------------------------------------------------------------------------------


router = api_router()
Backend = Annotated[WebhooksOps, operations(WebhooksOps)]


@endpoint(router, "POST", "/webhooks")
def provision_user(principal: Auth, backend: Backend,
                   body: Annotated[WebhookEvent, json_body(WebhookEvent)]
                   ) -> Response:
    """Provision and manage user accounts (HR events: joined, updated, suspended, deleted).

    Doc: /v1-api/apidocs/provision-and-manage-user-accounts. Processed synchronously; answers
    202 with an empty body. Not emulated: outbound event webhooks (Thrive → customer).
    """
    backend.provision(principal.tenant_id, body)
    return empty(202)
