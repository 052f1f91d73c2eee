"""Fixture packs: `fixtures/<vendor>/<name>.json`, validated against the vendor's model on load.

Each pack becomes one built-in tenant at start (the demo tenants) and is the template for the
per-test tenants of `POST /_emulator/tenants`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError
from sqlmodel import Session, select

from emulator.core.models import TenantScoped


class PackFormat(Protocol):
    """What the store needs to know of a vendor (every `core.vendor.Vendor` provides it).

    A protocol rather than `Vendor` itself, so that this module and `core.vendor` (whose
    `Context` holds the store) do not import each other.
    """

    @property
    def fixture_model(self) -> type[BaseModel]: ...

    @property
    def default_fixture(self) -> str: ...


Row = TypeVar("Row", bound=TenantScoped)


def tenant_rows(session: Session, model: type[Row], tenant_id: str,
                *order: Any) -> list[Row]:
    """Every row of one tenant in `model`, in the given order (what an export reads)."""
    return list(session.exec(select(model).where(model.tenant_id == tenant_id).order_by(*order)))


class FixtureError(Exception):
    """A fixture that cannot be loaded; the message names the file, the row and the problem."""


def _location(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def validate_pack(vendor: PackFormat, data: Any, source: str) -> BaseModel:
    try:
        return vendor.fixture_model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        where = _location(tuple(err["loc"]))
        raise FixtureError(f"{source}: {where}: {err['msg']}{more}") from None


class FixtureStore:
    """The validated packs of every vendor, by vendor name and pack name."""

    def __init__(self, directory: Path, vendors: Mapping[str, PackFormat]) -> None:
        self.directory = directory
        self.packs: dict[str, dict[str, BaseModel]] = {name: {} for name in vendors}
        self._vendors = vendors
        if not directory.is_dir():
            raise FixtureError(f"{directory}: fixture directory not found")
        for name, vendor in vendors.items():
            for path in sorted((directory / name).glob("*.json")):
                self.packs[name][path.stem] = self._load(vendor, path)

    @staticmethod
    def _load(vendor: PackFormat, path: Path) -> BaseModel:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise FixtureError(f"{path}: line {exc.lineno} column {exc.colno}: {exc.msg}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise FixtureError(f"{path}: cannot read: {exc}") from None
        return validate_pack(vendor, data, str(path))

    def resolve(self, vendor: str, fixture: str | dict[str, Any] | None) -> tuple[str, BaseModel]:
        """A pack by name (default: the vendor's default pack), or an inline pack validated."""
        plugin = self._vendors[vendor]
        if isinstance(fixture, dict):
            return "inline", validate_pack(plugin, fixture, "inline fixture")
        name = fixture or plugin.default_fixture
        pack = self.packs[vendor].get(name)
        if pack is None:
            known = ", ".join(sorted(self.packs[vendor])) or "none"
            raise FixtureError(f"unknown {vendor} fixture {name!r} (known: {known})")
        return name, pack
