"""Sign-up, email verification, login, logout, password reset and invitations."""

from .views import bp

__all__ = ["bp"]
