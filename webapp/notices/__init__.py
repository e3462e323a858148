"""The notice wizard: create or import a notice, walk its steps, publish, withdraw."""
