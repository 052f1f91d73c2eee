"""The control plane at `/_emulator`: health, reset, tenants, journal, snapshots, faults, clock."""

from emulator.control.routes import build_control_app

__all__ = ["build_control_app"]
