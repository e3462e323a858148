"""The public front page and the language switcher."""

from .views import bp

__all__ = ["bp"]
