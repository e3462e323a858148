"""Data subject requests: deadlines, the status machine, verification and the inbox."""
