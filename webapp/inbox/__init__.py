"""The contact person's inbox: the list, a request's page and its actions, manual entry, export."""

from . import export  # noqa: F401  (its route is on the inbox's blueprint)
from .views import bp

__all__ = ["bp"]
