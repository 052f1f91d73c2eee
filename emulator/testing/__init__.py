"""Test kit for integrators: in-process emulators, per-test tenants, clock, faults, journal."""
