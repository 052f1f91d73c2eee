import httpx


def test_health_lists_the_three_vendors(client: httpx.Client) -> None:
    response = client.get("/_emulator/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert [v["name"] for v in body["vendors"]] == ["thrive", "ispring", "dmtd"]
