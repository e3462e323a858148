"""Public pages of published notices: the stable URL contract."""

from .views import bp

__all__ = ["bp"]
