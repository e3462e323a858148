"""The logged-in area: dashboard, members and invitations, organisation settings, switching."""

from .views import bp

__all__ = ["bp"]
