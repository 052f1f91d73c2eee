"""Vendor-neutral machinery shared by every emulated vendor and the control plane."""
