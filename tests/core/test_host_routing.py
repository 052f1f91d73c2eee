"""Host routing: a vendor's real hostname is served by that vendor at the root path."""

import httpx
import pytest

from emulator.core.middleware import HostRouter
from tests.helpers import THRIVE_AUTH


@pytest.mark.parametrize(("host", "vendor"), [
    ("public.api.learn.link", "thrive"), ("PUBLIC.API.LEARN.LINK:443", "thrive"),
    ("user.api.meastaging.learn.tech", "thrive"), ("public.api.learn.link.", "thrive"),
    ("api-learn.ispringlearn.com", "ispring"), ("myaccount.ispringlearn.ru", "ispring"),
    ("acme.ispring.eu", "ispring"), ("api-learn.ispring.com:8443", "ispring"),
    ("api-sandbox.datamtd.com", "dmtd"), ("api.vbmappapp.com", "dmtd"),
    ("127.0.0.1:8800", None), ("localhost", None), ("[::1]:8800", None),
    ("vbmappdata.com", None), ("ispringlearn.com.evil.example", None), ("learn.link", None),
])
def test_vendor_for_host(emulator_app: object, host: str, vendor: str | None) -> None:
    router = HostRouter(app=None, host_map={  # type: ignore[arg-type]
        "thrive": ("public.api.learn.link", "user.api.meastaging.learn.tech"),
        "ispring": ("api-learn.ispring.com", "api-learn.ispringlearn.com", "*.ispringlearn.ru",
                    "*.ispring.eu"),
        "dmtd": ("api-sandbox.datamtd.com", "api.vbmappapp.com"),
    })
    assert router.vendor_for_host(host) == vendor


def test_real_host_is_served_at_the_root(client: httpx.Client) -> None:
    response = client.get("/rest/v1/no-such-resource",
                          headers={**THRIVE_AUTH, "Host": "public.api.learn.link"})
    assert response.status_code == 404
    assert response.json()["error"] == "Not Found"
    (entry,) = client.get("/_emulator/journal").json()["entries"]
    assert (entry["vendor"], entry["path"]) == ("thrive", "/rest/v1/no-such-resource")


def test_control_plane_stays_reachable_on_vendor_hosts(client: httpx.Client) -> None:
    response = client.get("/_emulator/health", headers={"Host": "api-sandbox.datamtd.com"})
    assert response.json()["status"] == "ok"


def test_unknown_top_level_path(client: httpx.Client) -> None:
    response = client.get("/moodle/webservice")
    assert response.status_code == 404
    assert response.json() == {"error": {"status": 404, "message": "Not a vendor path",
                                         "mounts": ["/thrive", "/ispring", "/dmtd",
                                                    "/_emulator"]}}
