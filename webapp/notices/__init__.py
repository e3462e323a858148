"""The notice wizard: create or import a notice, walk its steps, publish, withdraw."""

from . import importing, publish  # noqa: F401  (their routes are on the wizard's blueprint)
from .views import bp

__all__ = ["bp"]
