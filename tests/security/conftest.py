"""Fixtures the security suite shares with the feature tests (the app, databases and mailbox come
from tests/conftest.py)."""

# Property-based fuzzing (test_fuzz.py): a fixed, small set of examples in CI (derandomized, so every
# run tries the same inputs and stays within the time budget); SELOSTE_FUZZ=nightly tries many more,
# drawn afresh each run.
import os  # noqa: E402

from hypothesis import HealthCheck, settings  # noqa: E402

from ..test_billing import fake_stripe, free_firm, stripe_app  # noqa: F401  (fixtures)
from ..test_requests_web import firm  # noqa: F401  (fixture)

_QUIET = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile(
    "ci", max_examples=12, deadline=None, derandomize=True, database=None, suppress_health_check=_QUIET
)
settings.register_profile(
    "nightly", max_examples=400, deadline=None, database=None, suppress_health_check=_QUIET
)
settings.load_profile(os.environ.get("SELOSTE_FUZZ", "ci"))
