"""The contact person's inbox: the list, a request's page and its actions, manual entry, export."""
