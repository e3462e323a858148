"""The notice wizard: step definitions, form parsing, and the blueprint."""
