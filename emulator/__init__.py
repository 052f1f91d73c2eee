"""LMS emulator: Thrive Learning, iSpring Learn and DMTD REST APIs on one local server."""

__version__ = "0.1.0"
