"""File storage: local disk by default, S3 (boto3) when STORAGE_BACKEND=s3. Built once per app."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, current_app

from tenants.storage import StorageError


class LocalStorage:
    """Files under a folder (the embedded default: instance/files)."""

    def __init__(self, root: str):
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise StorageError("key outside the storage folder")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Write atomically."""
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(path.suffix + ".tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except OSError as exc:
            raise StorageError(str(exc)) from exc

    def get(self, key: str) -> bytes:
        """Read a file."""
        try:
            return self._path(key).read_bytes()
        except OSError as exc:
            raise StorageError(str(exc)) from exc

    def delete(self, key: str) -> None:
        """Remove a file (missing is fine)."""
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(str(exc)) from exc


class S3Storage:
    """Objects in one S3 bucket, private, server-side encrypted."""

    def __init__(self, bucket: str, *, endpoint_url: str | None = None, region: str | None = None):
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint_url or None,
            region_name=region or None,
            config=Config(
                retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=20
            ),
        )

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Upload an object."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=data,
                ContentType=content_type,
                ServerSideEncryption="AES256",
            )
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(type(exc).__name__) from exc

    def get(self, key: str) -> bytes:
        """Download an object."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(type(exc).__name__) from exc

    def delete(self, key: str) -> None:
        """Delete an object."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.delete_object(Bucket=self.bucket, Key=key)
        except (BotoCoreError, ClientError) as exc:
            raise StorageError(type(exc).__name__) from exc


def init_app(app: Flask) -> None:
    """Build the configured storage once."""
    cfg = app.config
    if cfg["STORAGE_BACKEND"] == "s3":
        app.extensions["seloste_storage"] = S3Storage(
            cfg["S3_BUCKET"], endpoint_url=cfg["S3_ENDPOINT_URL"], region=cfg["S3_REGION"]
        )
    else:
        app.extensions["seloste_storage"] = LocalStorage(cfg["STORAGE_DIR"])


def storage():
    """The current app's storage."""
    return current_app.extensions["seloste_storage"]
