"""Local stand-in for the Intellipush SMS API (no Odoo import). See server.py."""

from .server import DEFAULT_API_ID, DEFAULT_API_SECRET, FAULT_KINDS, Sandbox

__all__ = ["DEFAULT_API_ID", "DEFAULT_API_SECRET", "FAULT_KINDS", "Sandbox"]
