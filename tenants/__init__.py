"""Seloste's domain: tenants, people, notices and requests, free of any web framework."""
