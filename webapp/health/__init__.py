"""Liveness and readiness probes."""

from .views import bp

__all__ = ["bp"]
