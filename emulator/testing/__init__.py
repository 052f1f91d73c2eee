"""Test kit for integrators: in-process emulators, per-test tenants, clock, faults, journal.

`Emulator` is the Python API (unittest, scripts); `emulator.testing.pytest_plugin` exposes the
same through pytest fixtures and is registered automatically on `pip install`.
"""

from emulator.testing.api import Clock, Emulator, EmulatorError, Faults, Journal, Snapshots, Tenant
from emulator.testing.server import LiveServer, ServerProcess, ServerStartError

__all__ = ["Clock", "Emulator", "EmulatorError", "Faults", "Journal", "LiveServer",
           "ServerProcess", "ServerStartError", "Snapshots", "Tenant"]
