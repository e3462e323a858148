"""The storage interface the domain uses for files (attachments). Implementations live in webapp."""

from __future__ import annotations

from typing import Protocol


class StorageError(RuntimeError):
    """The storage could not take or give a file; nothing was changed."""


class Storage(Protocol):
    """Stores bytes under keys such as '12/requests/34/5f0c…-letter.pdf'."""

    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...
