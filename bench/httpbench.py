"""HTTP-level benchmark: this checkout against a baseline checkout, WireMock and moto_server.

Everything runs on loopback, bounded in time, and every process started here is stopped here.
Per vendor: sequential single-connection latency (p50/p99) of a GET by id, a list page of 10 and
a write; 32-connection throughput of a read and a write (wrk when installed — Debian's `wrk` —
else a small asyncio load generator); cold start (process start → first authenticated vendor
200); idle and loaded RSS; the read with `--workers 2`. With `--base DIR` the same numbers are
taken from the checkout in DIR (its own `.venv`), measurement by measurement, alternating, so a
busy machine slows both sides alike and the ratio stays meaningful. WireMock (a static stub;
`WIREMOCK_JAR` or the npm package's jar under `~/.cache/lms-emulator-bench`) and moto_server
(S3; on PATH) serve the same kind of read, when installed, as ratios in the same run.

    .venv/bin/python bench/httpbench.py --base ../main --seconds 5
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
THRIVE = {"Authorization": "Basic " + base64.b64encode(
    b"eu-west-2_EmuDemo01:thrive-demo-secret").decode()}
ISPRING = {"X-Auth-Account-Url": "https://demo.ispringlearn.com",
           "X-Auth-Email": "owner@demo.example", "X-Auth-Password": "demo-owner-pass"}
DMTD = {"Authorization": "Bearer dmtd-demo-iframe-token"}
JSON = {"Content-Type": "application/json"}
# `{n}` in a write body becomes a value unique to each request.
UNIQUE = "{n}"


@dataclass
class Call:
    method: str
    path: str
    headers: dict[str, str]
    body: str = ""
    ok: tuple[int, ...] = (200, 201)

    def render(self, n: str) -> bytes:
        body = self.body.replace(UNIQUE, n).encode()
        head = [f"{self.method} {self.path} HTTP/1.1", "Host: 127.0.0.1",
                *[f"{k}: {v}" for k, v in self.headers.items()],
                f"Content-Length: {len(body)}", "", ""]
        return "\r\n".join(head).encode() + body


@dataclass
class Target:
    """A server to measure: how to start it and which requests to send it."""

    name: str
    argv: list[str]
    cwd: Path
    probe: Call
    env: dict[str, str] = field(default_factory=dict)
    setup: Callable[[int], None] | None = None
    proc: subprocess.Popen[bytes] | None = None
    port: int = 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- talking HTTP/1.1 over one raw keep-alive socket -------------------------------------------

class Conn:
    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def request(self, raw: bytes) -> tuple[int, bytes]:
        self.sock.sendall(raw)
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        lines = [line.lower() for line in head.split(b"\r\n")[1:]]
        for line in lines:
            if line.startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        if b"transfer-encoding: chunked" in lines:
            return status, self._chunked()
        while len(self.buf) < length:
            self._fill()
        body, self.buf = self.buf[:length], self.buf[length:]
        return status, body

    def _chunked(self) -> bytes:
        body = b""
        while True:
            while b"\r\n" not in self.buf:
                self._fill()
            size_line, _, self.buf = self.buf.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            while len(self.buf) < size + 2:
                self._fill()
            body, self.buf = body + self.buf[:size], self.buf[size + 2:]
            if size == 0:
                return body

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        self.buf += chunk

    def close(self) -> None:
        self.sock.close()


def get_json(port: int, call: Call) -> Any:
    conn = Conn(port)
    try:
        status, body = conn.request(call.render("x"))
        return json.loads(body) if status in call.ok else None
    finally:
        conn.close()


def sequential(port: int, call: Call, count: int) -> dict[str, float]:
    """p50/p99 of `count` requests one after another on one keep-alive connection."""
    conn = Conn(port)
    samples = []
    errors = 0
    run = uuid.uuid4().hex[:8]
    try:
        for i in range(count + 20):
            raw = call.render(f"s{run}{i}")
            start = time.perf_counter()
            status, _ = conn.request(raw)
            if i >= 20:  # the first requests warm caches up
                samples.append(time.perf_counter() - start)
                errors += status not in call.ok
    finally:
        conn.close()
    samples.sort()
    return {"p50_ms": round(samples[len(samples) // 2] * 1000, 2),
            "p99_ms": round(samples[int(len(samples) * 0.99)] * 1000, 2), "errors": errors}


# -- throughput ----------------------------------------------------------------------------------

# `tid` is a global: `thread:set` writes the thread's globals, which a `local tid` would shadow
# (both threads then wrote the same values, and the duplicates came back as 409s).
WRK_SCRIPT = """
local counter = 0
local threads = 0
tid = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
request = function()
  counter = counter + 1
  local n = "w" .. RUN .. "t" .. tostring(tid) .. "n" .. tostring(counter)
  local body = string.gsub(BODY, "{n}", n)
  return wrk.format(METHOD, PATH, HEADERS, body)
end
"""


def _lua(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal here


def throughput(port: int, call: Call, seconds: float, connections: int) -> dict[str, Any]:
    if shutil.which("wrk"):
        return _wrk(port, call, seconds, connections)
    return asyncio.run(_asyncio_load(port, call, seconds, connections))


def _wrk(port: int, call: Call, seconds: float, connections: int) -> dict[str, Any]:
    headers = "{" + ", ".join(f"[{_lua(k)}] = {_lua(v)}" for k, v in call.headers.items()) + "}"
    script = (f"RUN = {_lua(uuid.uuid4().hex[:8])}\nMETHOD = {_lua(call.method)}\n"
              f"PATH = {_lua(call.path)}\nBODY = {_lua(call.body)}\nHEADERS = {headers}\n"
              + WRK_SCRIPT)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{max(1, int(seconds))}s",
                              "--timeout", "30s",
                              "--latency", "-s", handle.name, f"http://127.0.0.1:{port}"],
                             capture_output=True, text=True, timeout=seconds + 60).stdout
    finally:
        os.unlink(handle.name)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"tool": "wrk", "rps": float(rps.group(1)) if rps else 0.0,
            "errors": (int(bad.group(1)) if bad else 0)
            + (sum(map(int, sock.groups())) if sock else 0),
            "p50_ms": _wrk_ms(out, "50%"), "p99_ms": _wrk_ms(out, "99%")}


def _wrk_ms(out: str, label: str) -> float:
    found = re.search(rf"^\s+{re.escape(label)}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    if not found:
        return 0.0
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]
    return round(float(found.group(1)) * scale, 2)


async def _asyncio_load(port: int, call: Call, seconds: float,
                        connections: int) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    run = uuid.uuid4().hex[:8]

    async def worker(w: int) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        i = 0
        try:
            while time.perf_counter() < deadline:
                i += 1
                sent = time.perf_counter()
                writer.write(call.render(f"a{run}w{w}n{i}"))
                await writer.drain()
                head = await reader.readuntil(b"\r\n\r\n")
                length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - sent)
                errors += int(head.split(b" ", 2)[1]) not in call.ok
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {"tool": "asyncio", "rps": round(len(latencies) / elapsed, 1), "errors": errors,
            "p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
            "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 2)}


# -- processes -----------------------------------------------------------------------------------

def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (the workers of `--workers 2`)."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for one in pids:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1)


def start(target: Target) -> float:
    """Start `target` on a free port; seconds until its probe first succeeds."""
    target.port = free_port()
    argv = [a.replace("{port}", str(target.port)) for a in target.argv]
    began = time.perf_counter()
    target.proc = subprocess.Popen(argv, cwd=target.cwd, env={**os.environ, **target.env},
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
    while True:
        try:
            conn = Conn(target.port)
            try:
                if target.setup is not None:
                    target.setup(target.port)
                status, _ = conn.request(target.probe.render("p"))
            finally:
                conn.close()
            if status in target.probe.ok:
                return round(time.perf_counter() - began, 3)
        except (OSError, ValueError, IndexError):
            pass
        if target.proc.poll() is not None:
            raise SystemExit(f"{target.name} exited during start-up")
        if time.perf_counter() - began > 120:
            stop(target)
            raise SystemExit(f"{target.name}: no answer within 120 s")
        time.sleep(0.005)


def stop(target: Target) -> None:
    """SIGTERM to the server's own process group (its workers too), SIGKILL after 15 s."""
    proc, target.proc = target.proc, None
    if proc is None:
        return
    for sig, grace in ((signal.SIGTERM, 15.0), (signal.SIGKILL, None)):
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
            return


@contextmanager
def running(target: Target) -> Iterator[Target]:
    start(target)
    try:
        yield target
    finally:
        stop(target)


# -- what is measured ----------------------------------------------------------------------------

def emulator(name: str, checkout: Path, *storage: str) -> Target:
    python = checkout / ".venv" / "bin" / "python"
    return Target(name, [str(python), "-m", "emulator", "serve", *storage, "--port",
                         "{port}", "--log-level", "warning"], checkout,
                  Call("GET", "/thrive/rest/v1/users?limit=10", THRIVE),
                  env={"EMULATOR_ACCESS_LOG": "false"})


def vendor_calls(port: int) -> dict[str, dict[str, Call | None]]:
    """By id, list of 10, read under load and write, per vendor; ids from the demo data."""
    users = get_json(port, Call("GET", "/thrive/rest/v1/users?limit=10", THRIVE)) or {}
    thrive_user = (users.get("results") or [{}])[0].get("id", "unknown")
    departments = get_json(port, Call("GET", "/ispring/department",
                                      {**ISPRING, "Accept": "application/json"})) or [{}]
    parent = departments[0].get("departmentId", "")
    ispring_users = get_json(port, Call("GET", "/ispring/users?pageSize=10",
                                        {**ISPRING, "Accept": "application/json"})) or {}
    listed = ispring_users.get("userProfiles") or ispring_users.get("users") or [{}]
    ispring_user = listed[0].get("userId", "unknown") if isinstance(listed, list) else "unknown"
    return {
        "thrive": {
            "by id": Call("GET", f"/thrive/rest/v1/user/{thrive_user}", THRIVE),
            "list 10": Call("GET", "/thrive/rest/v1/users?limit=10", THRIVE),
            "write": Call("POST", "/thrive/rest/v2/users", {**THRIVE, **JSON}, json.dumps(
                {"ref": "b-" + UNIQUE, "firstName": "Bench", "lastName": "User",
                 "email": f"b-{UNIQUE}@example.com"})),
        },
        "ispring": {
            "by id": Call("GET", f"/ispring/user/{ispring_user}", ISPRING),
            "list 10": Call("GET", "/ispring/enrollments?pageSize=10", ISPRING),
            "write": Call("POST", "/ispring/department",
                          {**ISPRING, "Content-Type": "application/xml"},
                          f"<request><name>Bench {UNIQUE}</name><parentDepartmentId>{parent}"
                          "</parentDepartmentId></request>"),
        },
        "dmtd": {
            "by id": None,  # DMTD has no GET by id
            "list 10": Call("GET", "/dmtd/1/learner", DMTD),
            "write": Call("POST", "/dmtd/1/user", {**DMTD, **JSON}, json.dumps(
                {"firstName": "Bench", "lastName": "User", "code": "b-" + UNIQUE,
                 "email": f"b-{UNIQUE}@example.com"})),
        },
    }


def wiremock() -> Target | None:
    jar = os.environ.get("WIREMOCK_JAR")
    if not jar:
        found = sorted(Path.home().glob(".cache/lms-emulator-bench/node_modules/wiremock/**/"
                                        "wiremock*standalone*.jar"))
        jar = str(found[0]) if found else ""
    if not jar or not shutil.which("java"):
        return None
    stub = json.dumps({"request": {"method": "GET", "url": "/enrollments?pageSize=10"},
                       "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                                    "body": json.dumps({"enrollments": [{"id": i} for i in
                                                                         range(10)]})}})

    def setup(port: int) -> None:
        conn = Conn(port)
        try:
            conn.request(Call("POST", "/__admin/mappings", JSON, stub).render(""))
        finally:
            conn.close()

    return Target("wiremock", ["java", "-jar", jar, "--port", "{port}", "--bind-address",
                               "127.0.0.1", "--disable-banner", "--no-request-journal"],
                  ROOT, Call("GET", "/enrollments?pageSize=10", {}), setup=setup)


def moto() -> Target | None:
    exe = shutil.which("moto_server")
    if exe is None:
        return None

    def setup(port: int) -> None:
        conn = Conn(port)
        try:
            conn.request(Call("PUT", "/bench", {}).render(""))
            conn.request(Call("PUT", "/bench/object", {}, "x" * 200).render(""))
        finally:
            conn.close()

    return Target("moto_server", [exe, "-H", "127.0.0.1", "-p", "{port}"], ROOT,
                  Call("GET", "/bench/object", {}), setup=setup)


def measure(targets: list[Target], seconds: float, connections: int,
            count: int) -> dict[str, Any]:
    """Alternating between targets for every measurement (A, B, A, B...)."""
    out: dict[str, Any] = {t.name: {"sequential": {}, "load": {}} for t in targets}
    calls = {t.name: vendor_calls(t.port) for t in targets}
    for vendor in ("thrive", "ispring", "dmtd"):
        for kind in ("by id", "list 10", "write"):
            for t in targets:
                call = calls[t.name][vendor][kind]
                if call is not None:
                    out[t.name]["sequential"][f"{vendor} {kind}"] = sequential(t.port, call,
                                                                              count)
        for kind in ("list 10", "write"):
            for t in targets:
                call = calls[t.name][vendor][kind]
                assert call is not None
                out[t.name]["load"][f"{vendor} {kind}"] = throughput(t.port, call, seconds,
                                                                     connections)
    for t in targets:
        assert t.proc is not None
        out[t.name]["loaded_rss_mb"] = rss_mb(t.proc.pid)
    return out


def run(base: Path | None, seconds: float, connections: int, count: int,
        starts: int) -> dict[str, Any]:
    checkouts = {"branch": ROOT} | ({"base": base} if base else {})
    results: dict[str, Any] = {"load_average": os.getloadavg(), "cpus": os.cpu_count(),
                               "seconds": seconds, "connections": connections}
    with tempfile.TemporaryDirectory() as tmp:
        # Cold start on a fresh database each time (fixtures seeded), alternating.
        cold: dict[str, list[float]] = {name: [] for name in checkouts}
        for i in range(starts):
            for name, checkout in checkouts.items():
                t = emulator(name, checkout, "--db", f"{tmp}/cold-{name}-{i}.db")
                try:
                    cold[name].append(start(t))
                finally:
                    stop(t)
        targets = [emulator(name, checkout, "--db", f"{tmp}/{name}.db")
                   for name, checkout in checkouts.items()]
        with ExitStack() as stack:
            for t in targets:
                stack.enter_context(running(t))
            time.sleep(1.0)
            idle = {t.name: rss_mb(t.proc.pid) for t in targets if t.proc}
            results["emulator"] = measure(targets, seconds, connections, count)
        for t in targets:
            results["emulator"][t.name]["cold_start_s"] = statistics.median(cold[t.name])
            results["emulator"][t.name]["idle_rss_mb"] = idle[t.name]
        # Two worker processes on one database file, and --memory (reads under load).
        for name, checkout in checkouts.items():
            for label, storage in (("workers 2", ("--db", f"{tmp}/{name}-w.db", "--workers",
                                                  "2")), ("memory", ("--memory",))):
                t = emulator(name, checkout, *storage)
                with running(t):
                    call = vendor_calls(t.port)["thrive"]["list 10"]
                    assert call is not None
                    results["emulator"][name][label] = throughput(t.port, call, seconds,
                                                                  connections)
        for tool in (wiremock(), moto()):
            if tool is None:
                continue
            results[tool.name] = {"skipped": "did not start"}
            try:
                cold_tool = [start(tool)]
            except SystemExit:  # a comparison server that does not start is left out
                continue
            stop(tool)
            with running(tool):
                time.sleep(0.5)
                assert tool.proc is not None
                idle_tool = rss_mb(tool.proc.pid)
                results[tool.name] = {
                    "cold_start_s": cold_tool[0], "idle_rss_mb": idle_tool,
                    "sequential read": sequential(tool.port, tool.probe, count),
                    "load read": throughput(tool.port, tool.probe, seconds, connections)}
    results["load_average_after"] = os.getloadavg()
    return results


def report(results: dict[str, Any]) -> str:
    emu = results["emulator"]
    names = list(emu)
    lines = [f"load average before {results['load_average']}, after "
             f"{results['load_average_after']} on {results['cpus']} CPUs", ""]
    head = f"{'':28}" + "".join(f"{n:>16}" for n in names)
    if "base" in emu:
        head += f"{'branch/base':>14}"
    lines.append(head)

    def row(label: str, values: list[float]) -> None:
        text = f"{label:28}" + "".join(f"{v:>16}" for v in values)
        if "base" in emu and values[names.index("base")]:
            ratio = values[names.index("branch")] / values[names.index("base")]
            text += f"{ratio:>13.2f}x"
        lines.append(text)

    row("cold start s", [emu[n]["cold_start_s"] for n in names])
    row("idle RSS MB", [emu[n]["idle_rss_mb"] for n in names])
    row("loaded RSS MB", [emu[n]["loaded_rss_mb"] for n in names])
    for key in emu[names[0]]["sequential"]:
        row(f"seq {key} p50 ms", [emu[n]["sequential"][key]["p50_ms"] for n in names])
        row(f"seq {key} p99 ms", [emu[n]["sequential"][key]["p99_ms"] for n in names])
    for key in emu[names[0]]["load"]:
        row(f"32c {key} req/s", [emu[n]["load"][key]["rps"] for n in names])
        row(f"32c {key} errors", [emu[n]["load"][key]["errors"] for n in names])
    for label in ("workers 2", "memory"):
        row(f"32c thrive list {label} req/s", [emu[n][label]["rps"] for n in names])
    read = emu["branch"]["load"]["ispring list 10"]["rps"]
    seq = emu["branch"]["sequential"]["ispring list 10"]["p50_ms"]
    for tool in ("wiremock", "moto_server"):
        if "cold_start_s" in results.get(tool, {}):
            r = results[tool]
            lines.append(f"{tool}: cold start {r['cold_start_s']} s, idle RSS "
                         f"{r['idle_rss_mb']} MB, sequential read p50 "
                         f"{r['sequential read']['p50_ms']} ms, 32c read "
                         f"{r['load read']['rps']} req/s; emulator (iSpring list 10) / {tool}: "
                         f"{read / r['load read']['rps']:.2f}x throughput, "
                         f"{seq / r['sequential read']['p50_ms']:.2f}x sequential latency")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=Path, help="a baseline checkout with its own .venv")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--requests", type=int, default=300,
                        help="sequential requests per call")
    parser.add_argument("--starts", type=int, default=3)
    args = parser.parse_args(argv)
    results = run(args.base, args.seconds, args.connections, args.requests, args.starts)
    print(report(results))
    out = ROOT / "bench" / "http-results.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten to {out.relative_to(ROOT)}")
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
