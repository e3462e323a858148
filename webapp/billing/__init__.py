"""Plans and billing through Stripe: pricing, Checkout, the customer portal, the webhook."""
