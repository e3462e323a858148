"""The user's own account: name, language, password."""

from .views import bp

__all__ = ["bp"]
