"""An account's user profile fields: which fields exist, how request keys name them, how a user's
values read back.

Every account defines its own list (`GET /user/profile/fields`): the system fields plus custom
ones clients send by ID (`USER_DEFINED_FIELD1`, `EDUCATION_TITLE`, `USER_FIELD_xPH1D`, `UB9mT`).
A request names a field by its ID or its name in any case (D4: `login`, `EDUCATION_TITLE`,
`ub9mt`), and `country_id` names the country field; values are stored under the field's ID.
A user reads back with every field of the account, in the account's order, empty ones as "".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlmodel import Session, col, select

from emulator.ispring.errors import BadRequest
from emulator.ispring.models import IspringProfileField

# The fields every iSpring account has (§5.2 UserFieldInfo); a pack that lists none gets these.
SYSTEM_FIELDS: tuple[dict[str, str | bool], ...] = (
    {"id": "LOGIN", "name": "login", "label": "Login", "type": "login", "isUnique": True,
     "isRequired": True},
    {"id": "EMAIL", "name": "email", "label": "E-mail", "type": "email", "isUnique": True},
    {"id": "FIRST_NAME", "name": "first_name", "label": "First name", "type": "first_name"},
    {"id": "LAST_NAME", "name": "last_name", "label": "Last name", "type": "last_name"},
    {"id": "JOB_TITLE", "name": "job_title", "label": "Job title", "type": "job_title"},
    {"id": "PHONE", "name": "phone", "label": "Phone", "type": "phone"},
    {"id": "COUNTRY", "name": "country", "label": "Country", "type": "country"},
)


def key_index(fields: Sequence[tuple[str, str, str]]) -> dict[str, str]:
    """Upper-cased request key → field ID, from (ID, name, type) triples: a field answers to its
    ID and to its name, and `country_id` to the country field (the documented request key)."""
    index: dict[str, str] = {}
    for field_id, name, kind in fields:
        index.setdefault(name.strip().upper(), field_id)
        if kind == "country":
            index.setdefault("COUNTRY_ID", field_id)
    index.update({field_id.upper(): field_id for field_id, _, _ in fields})  # IDs win
    return index


class AccountFields:
    """One account's profile fields in its order, looked up by any key a client sends."""

    def __init__(self, fields: Sequence[IspringProfileField]) -> None:
        self.ordered = sorted(fields, key=lambda f: (f.order_priority, f.field_id))
        self._by_id = {f.field_id: f for f in self.ordered}
        self._index = key_index([(f.field_id, f.name, f.type) for f in self.ordered])

    @classmethod
    def load(cls, session: Session, tenant_id: str) -> AccountFields:
        return cls(session.exec(select(IspringProfileField).where(
            IspringProfileField.tenant_id == tenant_id).order_by(
            col(IspringProfileField.order_priority))).all())

    def find(self, key: str) -> IspringProfileField | None:
        field_id = self._index.get(key.strip().upper())
        return None if field_id is None else self._by_id[field_id]

    def named(self, key: str) -> IspringProfileField:
        """The field a request names; one the account does not have is a 400 (vendor: "some of
        the sent parameters are incorrect"), never silently dropped."""
        field = self.find(key)
        if field is None:
            raise BadRequest(f"Wrong parameters: unknown profile field {key}")
        return field

    def listed(self, values: Mapping[str, str]) -> list[tuple[str, str]]:
        """A user's fields as read: every account field (empty ones as ""), then any value the
        user holds for a field the account no longer defines."""
        out = [(f.field_id, values.get(f.field_id, "")) for f in self.ordered]
        out += sorted((k, v) for k, v in values.items() if k not in self._by_id and v != "")
        return out
