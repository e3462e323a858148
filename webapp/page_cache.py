"""In-process caches for public pages.

Published versions never change, so their rendered pages are cached by
(version id, language, page kind, addresses). Which version is the newest is
cached for a few seconds per process; publishing clears it in the publishing
process at once, other processes catch up within RESOLVE_TTL seconds.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

RESOLVE_TTL = 5.0
MAX_PAGES = 1024


class LRU:
    """A small thread-safe least-recently-used map."""

    def __init__(self, size: int):
        self.size = size
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        """The value, or None."""
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        """Store a value, evicting the oldest when full."""
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._data.clear()


pages = LRU(MAX_PAGES)
_resolved = LRU(4096)


def resolved(key):
    """A cached resolution younger than RESOLVE_TTL, or None."""
    hit = _resolved.get(key)
    if hit is None or time.monotonic() - hit[0] > RESOLVE_TTL:
        return None
    return hit[1]


def remember(key, value) -> None:
    """Cache a resolution."""
    _resolved.put(key, (time.monotonic(), value))


def forget_resolutions() -> None:
    """Drop every cached resolution (after publishing, withdrawing or renaming)."""
    _resolved.clear()


def forget_all() -> None:
    """Drop every cached page and resolution: a new app in this process may work on another
    database, where the same ids and addresses name other rows."""
    pages.clear()
    forget_resolutions()
