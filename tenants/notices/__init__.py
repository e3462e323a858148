"""Privacy notices: the structured document, its rights, the completeness check, rendering."""
