"""The logged-in area: dashboard, members and invitations, organisation settings, switching."""
