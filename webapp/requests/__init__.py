"""The public request form (embeddable), verification and the requester's status page."""

from .views import bp

__all__ = ["bp"]
