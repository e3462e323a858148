"""Public pages of published notices: the stable URL contract."""
