"""The public front page and the language switcher."""
