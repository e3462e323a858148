"""The user's own account: name, language, password."""
