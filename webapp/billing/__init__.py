"""Plans and billing through Stripe: pricing, Checkout, the customer portal, the webhook."""

from .views import bp, init_app

__all__ = ["bp", "init_app"]
