"""Kept so existing imports work: redaction lives in :mod:`tools.redaction`, the lowest
layer, applied at the registry's output and at every store."""

from __future__ import annotations

from tools.redaction import RedactingFilter, redact, redact_obj, sanitize, sanitize_obj, strip_controls

__all__ = ["RedactingFilter", "redact", "redact_obj", "sanitize", "sanitize_obj", "strip_controls"]
