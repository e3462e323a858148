"""Password hashing with Argon2id (argon2-cffi's defaults follow RFC 9106)."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verified against when the account does not exist, so a miss costs as much time as a hit.
_DUMMY_HASH = _hasher.hash("seloste-timing-equaliser")

MIN_LENGTH = 10
MAX_LENGTH = 256


def hash_password(password: str) -> str:
    """Hash a password for storage."""
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when the password matches; spends the same effort when there is no stored hash."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(stored_hash)


# zxcvbn's estimate (0-4): below 2 the password is among the common ones (its lists hold the most
# used passwords, names and words) or a trivial pattern such as a run of digits or one repeated key.
MIN_STRENGTH = 2
# zxcvbn's effort grows with the length; what follows a long enough start cannot weaken it.
_STRENGTH_CHECKED_CHARS = 100


def password_problem(password: str, user_inputs: tuple[str, ...] = ()) -> str | None:
    """A code naming what is wrong with a new password, or None."""
    if len(password) < MIN_LENGTH:
        return "password_too_short"
    if len(password) > MAX_LENGTH:
        return "password_too_long"
    if not password.strip():
        return "password_too_common"
    from zxcvbn import zxcvbn

    inputs = [value for value in user_inputs if value]
    if zxcvbn(password[:_STRENGTH_CHECKED_CHARS], user_inputs=inputs)["score"] < MIN_STRENGTH:
        return "password_too_common"
    return None
