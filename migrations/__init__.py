"""Alembic migrations; the schema is built only by these, in tests too."""
