"""pytest plugin (entry point `pytest11`): emulator fixtures for integrators' test suites."""
