"""Python API of the test kit: one `Emulator` handle, in-process or against a running server.

    from emulator.testing import Emulator

    with Emulator.in_process() as emu:          # or Emulator.remote("http://127.0.0.1:8800")
        tenant = emu.create_tenant("thrive")
        http = tenant.client()                  # httpx.Client at the tenant's vendor base URL
        ...
        emu.journal.assert_received(vendor="thrive", tenant=tenant.id,
                                    operation="create_assignment")
        emu.faults.error("thrive", 500, times=1)
        tenant.clock.advance(days=31)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

import httpx

from emulator.core.settings import Settings


class EmulatorError(AssertionError):
    """The control plane refused a request (bad arguments, unknown tenant...)."""


def _checked(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        raise EmulatorError(f"{response.request.method} {response.request.url.path}: "
                            f"{response.status_code} {response.text}")
    return response.json() if response.content else None


class _Shared(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._inner.handle_request(request)

    def close(self) -> None:
        """The transport belongs to the Emulator handle, which closes it."""


class _Part:
    def __init__(self, http: httpx.Client) -> None:
        self._http = http

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        return _checked(self._http.request(method, f"/_emulator{path}", **kwargs))


class Clock(_Part):
    """The emulator clock; bound to one tenant when `tenant` is given (parallel-safe)."""

    def __init__(self, http: httpx.Client, tenant: str | None = None) -> None:
        super().__init__(http)
        self.tenant = tenant

    def _change(self, **body: Any) -> datetime:
        if self.tenant:
            body["tenant"] = self.tenant
        state = self._call("POST", "/clock", json=body)
        return datetime.fromisoformat(state["now"].replace("Z", "+00:00"))

    def now(self) -> datetime:
        params = {"tenant": self.tenant} if self.tenant else {}
        state = self._call("GET", "/clock", params=params)
        return datetime.fromisoformat(state["now"].replace("Z", "+00:00"))

    def set(self, when: datetime | str, *, freeze: bool = True) -> datetime:
        value = when.isoformat() if isinstance(when, datetime) else when
        return self._change(set=value, freeze=freeze)

    def advance(self, delta: timedelta | float | None = None, **parts: float) -> datetime:
        """`advance(3600)`, `advance(timedelta(days=1))` or `advance(days=31, hours=2)`."""
        if delta is None:
            delta = timedelta(**parts)
        seconds = delta.total_seconds() if isinstance(delta, timedelta) else float(delta)
        return self._change(advance=seconds)

    def freeze(self) -> datetime:
        return self._change(freeze=True)

    def unfreeze(self) -> datetime:
        return self._change(freeze=False)

    def real(self) -> datetime:
        """Back to real time (global) or to the global clock (tenant)."""
        return self._change(real=True)


class Faults(_Part):
    """Inject vendor-shaped errors, latency, dropped connections, truncated bodies and rate
    limits."""

    def __init__(self, http: httpx.Client) -> None:
        super().__init__(http)
        self.added: list[int] = []

    def add(self, effect: dict[str, Any], **matcher: Any) -> dict[str, Any]:
        fault: dict[str, Any] = self._call("POST", "/faults", json={"effect": effect, **matcher})
        self.added.append(int(fault["id"]))
        return fault

    def error(self, vendor: str, status: int, message: str | None = None,
              **matcher: Any) -> dict[str, Any]:
        return self.add({"type": "error", "status": status, "message": message},
                        vendor=vendor, **matcher)

    def latency(self, vendor: str, ms: int | None = None, *, min_ms: int | None = None,
                max_ms: int | None = None, **matcher: Any) -> dict[str, Any]:
        effect: dict[str, Any] = {"type": "latency"}
        if ms is not None:
            effect["ms"] = ms
        else:
            effect.update(minMs=min_ms, maxMs=max_ms)
        return self.add(effect, vendor=vendor, **matcher)

    def drop(self, vendor: str, **matcher: Any) -> dict[str, Any]:
        return self.add({"type": "drop"}, vendor=vendor, **matcher)

    def truncate(self, vendor: str, **matcher: Any) -> dict[str, Any]:
        return self.add({"type": "truncate"}, vendor=vendor, **matcher)

    def rate_limit(self, vendor: str, limit: int, *, per: int, **matcher: Any) -> dict[str, Any]:
        """Let `limit` matching requests through per `per` seconds of the emulator clock; answer
        the rest with the vendor's 429 and `Retry-After`."""
        return self.add({"type": "rate_limit", "limit": limit, "per": per}, vendor=vendor,
                        **matcher)

    def list(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "/faults")
        return result

    def remove(self, fault_id: int) -> None:
        self._call("DELETE", f"/faults/{fault_id}")

    def remove_added(self) -> None:
        """Remove the faults this handle added (others' faults stay: parallel-safe)."""
        for fault_id in self.added:
            response = self._http.delete(f"/_emulator/faults/{fault_id}")
            if response.status_code not in (204, 404):
                _checked(response)
        self.added.clear()

    def clear(self) -> None:
        self._call("DELETE", "/faults")
        self.added.clear()


class Journal(_Part):
    """What the emulator received, with assertions in vendor terms."""

    def entries(self, **filters: Any) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "/journal", params=filters)["entries"]
        return result

    def clear(self) -> None:
        self._call("DELETE", "/journal")

    def match(self, *, body: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", "/journal/match",
                                            json={**fields, "body": body or {}})
        return result

    def count(self, *, body: dict[str, Any] | None = None, **fields: Any) -> int:
        return int(self.match(body=body, **fields)["count"])

    def assert_received(self, *, count: int | None = None, body: dict[str, Any] | None = None,
                        **fields: Any) -> list[dict[str, Any]]:
        """Assert that matching requests arrived (exactly `count` of them, if given).

        On failure the message lists the closest requests and what differed.
        """
        result = self.match(body=body, **fields)
        found = int(result["count"])
        if (count is None and found > 0) or found == count:
            entries: list[dict[str, Any]] = result["entries"]
            return entries
        wanted = "at least one" if count is None else str(count)
        conditions = fields | ({"body": body} if body else {})
        lines = [f"expected {wanted} request(s) matching {conditions}, found {found}"]
        for miss in result["nearMisses"]:
            e = miss["entry"]
            lines.append(f"  closest: #{e['id']} {e['method']} {e['path']} -> {e['status']} "
                         f"({e['operation']}): " + "; ".join(miss["differences"]))
        raise AssertionError("\n".join(lines))


class Snapshots(_Part):
    def take(self, name: str, tenant: str | None = None) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", f"/snapshots/{name}",
                                            json={"tenant": tenant} if tenant else None)
        return result

    def restore(self, name: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", f"/snapshots/{name}/restore")
        return result

    def list(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "/snapshots")
        return result

    def delete(self, name: str) -> None:
        self._call("DELETE", f"/snapshots/{name}")


@dataclass
class Tenant:
    """A tenant of one vendor, with its credentials and base URL."""

    id: str
    vendor: str
    base_url: str
    credentials: dict[str, Any]
    emulator: Emulator = field(repr=False)
    # Authorizes this tenant's own reset, snapshots, faults, clock and journal (and no more)
    # on a control plane locked with an admin token.
    control_token: str | None = field(default=None, repr=False)

    @property
    def clock(self) -> Clock:
        return Clock(self.emulator.http, self.id)

    def client(self, **kwargs: Any) -> httpx.Client:
        """An httpx client at this tenant's vendor base URL (in-process when the emulator is)."""
        return self.emulator.vendor_client(self.base_url, **kwargs)

    def reset(self) -> None:
        _checked(self.emulator.http.post(f"/_emulator/tenants/{self.id}/reset"))

    def delete(self) -> None:
        response = self.emulator.http.delete(f"/_emulator/tenants/{self.id}")
        if response.status_code not in (204, 404):
            _checked(response)


class Emulator:
    """A handle on an emulator: its control plane and an HTTP client for vendor calls."""

    def __init__(self, http: httpx.Client, *, owns: object | None = None) -> None:
        self.http = http
        self._owns = owns
        self.clock = Clock(http)
        self.faults = Faults(http)
        self.journal = Journal(http)
        self.snapshots = Snapshots(http)

    @classmethod
    def in_process(cls, settings: Settings | None = None) -> Emulator:
        """A private in-memory emulator in this process; requests never touch a socket.

        Its base URL (and every tenant's) is under `http://lms-emulator.invalid`: only clients
        from `tenant.client()` / `vendor_client()` reach it; any other client fails to resolve
        the name rather than reaching a real server by accident.
        """
        from emulator.app import create_app
        from emulator.testing.transport import IN_PROCESS_URL, in_process_client

        app = create_app(settings or Settings(memory=True, access_log=False))
        return cls(in_process_client(app, base_url=IN_PROCESS_URL), owns=app)

    @classmethod
    def remote(cls, url: str, *, admin_token: str | None = None, **kwargs: Any) -> Emulator:
        """A running emulator (e.g. `lms-emulator serve`, a container, a live fixture).

        `admin_token` (default: `LMS_EMULATOR_ADMIN_TOKEN`) is sent on every control-plane
        call, for a server started with `--admin-token`; vendor clients never carry it."""
        token = admin_token or os.environ.get("LMS_EMULATOR_ADMIN_TOKEN")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return cls(httpx.Client(base_url=url.rstrip("/"), headers=headers, **kwargs))

    @property
    def base_url(self) -> str:
        return str(self.http.base_url).rstrip("/")

    @property
    def over_socket(self) -> bool:
        """True when requests go over a real socket, so base URLs work for any HTTP client."""
        return self._owns is None

    def vendor_client(self, base_url: str, **kwargs: Any) -> httpx.Client:
        """A client sharing this handle's transport; closing it leaves the emulator running."""
        return httpx.Client(transport=_Shared(self.http._transport), base_url=base_url, **kwargs)

    def health(self) -> dict[str, Any]:
        result: dict[str, Any] = _checked(self.http.get("/_emulator/health"))
        return result

    def create_tenant(self, vendor: str, fixture: str | dict[str, Any] | None = None) -> Tenant:
        body = _checked(self.http.post("/_emulator/tenants",
                                       json={"vendor": vendor, "fixture": fixture}))
        return Tenant(id=body["id"], vendor=body["vendor"], base_url=body["baseUrl"],
                      credentials=body["credentials"], emulator=self,
                      control_token=body.get("controlToken"))

    def tenants(self, vendor: str | None = None) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = _checked(
            self.http.get("/_emulator/tenants", params={"vendor": vendor} if vendor else {}))
        return result

    def reset(self, tenant: str | None = None) -> None:
        _checked(self.http.post("/_emulator/reset", json={"tenant": tenant} if tenant else None))

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
