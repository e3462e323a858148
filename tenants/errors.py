"""Domain errors. Views map them to 404s, 403s and form errors in one place."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    code = "error"


class NotFound(DomainError):
    """A row does not exist, or belongs to another tenant: the caller cannot tell which."""

    code = "not_found"


class Forbidden(DomainError):
    """The actor is a member of the tenant but lacks the role for this action."""

    code = "forbidden"


class AddressMoved(DomainError):
    """A public address was renamed: it answers with a permanent redirect to the new one."""

    code = "moved"

    def __init__(self, tenant_slug: str, notice_slug: str | None = None):
        super().__init__(tenant_slug)
        self.tenant_slug, self.notice_slug = tenant_slug, notice_slug


class ValidationFailed(DomainError):
    """Input broke a rule; `field` names the form field it belongs to, if any.

    A form checked as a whole raises one error for all its problems: `problems` maps each field
    to its code (`code` and `field` are then the first of them)."""

    code = "invalid"

    def __init__(self, code: str, field: str | None = None, *, problems: dict[str, str] | None = None):
        super().__init__(code)
        self.code = code
        self.field = field
        self.problems: dict[str | None, str] = dict(problems) if problems else {field: code}

    @classmethod
    def of(cls, problems: dict[str, str]) -> ValidationFailed:
        """One error for several fields' problems (which must not be empty)."""
        field, code = next(iter(problems.items()))
        return cls(code, field, problems=problems)


class TenantScopeMissing(RuntimeError):
    """A query touched tenant-owned rows while no tenant was in scope (the guard failed closed)."""
