"""`python -m emulator` runs the same command line as `lms-emulator`."""

from emulator.cli import main

raise SystemExit(main())
