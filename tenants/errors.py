"""Domain errors. Views map them to 404s, 403s and form errors in one place."""


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    code = "error"


class NotFound(DomainError):
    """A row does not exist, or belongs to another tenant: the caller cannot tell which."""

    code = "not_found"


class Forbidden(DomainError):
    """The actor is a member of the tenant but lacks the role for this action."""

    code = "forbidden"


class ValidationFailed(DomainError):
    """Input broke a rule; `field` names the form field it belongs to, if any."""

    code = "invalid"

    def __init__(self, code: str, field: str | None = None):
        super().__init__(code)
        self.code = code
        self.field = field


class TenantScopeMissing(RuntimeError):
    """A query touched tenant-owned rows while no tenant was in scope (the guard failed closed)."""
