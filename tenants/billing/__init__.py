"""Plans, their limits, and the subscription state that Stripe's webhooks keep in sync."""
