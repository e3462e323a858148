"""Sign-up, email verification, login, logout, password reset and invitations."""
