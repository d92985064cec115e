"""Where attachment bytes live: a storage Protocol, content-addressed by SHA-256, and its filesystem implementation.

Another implementation (S3-compatible object storage) only has to provide the same four methods; the database
keeps the metadata (who, when, name, size, hash), the store only the bytes under their hash.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

CHUNK_BYTES = 256 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class AttachmentStore(Protocol):
    async def put(self, staged: Path, *, sha256: str) -> None:
        """Take a fully written file whose SHA-256 the caller computed (kept once per hash; ``staged`` is consumed)."""

    def chunks(self, sha256: str) -> AsyncIterator[bytes]:
        """The stored bytes, in chunks (raises ``FileNotFoundError`` when nothing is stored under ``sha256``)."""

    async def exists(self, sha256: str) -> bool: ...

    async def delete(self, sha256: str) -> None:
        """Forget the bytes (no error when they are already gone)."""


class FilesystemAttachmentStore:
    """Files under ``root/ab/cd/<sha256>``, read-only once written."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    async def put(self, staged: Path, *, sha256: str) -> None:
        await asyncio.to_thread(self._put, staged, self._path(sha256))

    @staticmethod
    def _put(staged: Path, target: Path) -> None:
        if target.exists():  # the same bytes are already stored (content addressing)
            staged.unlink(missing_ok=True)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(staged, target)  # a rename within one filesystem
        os.chmod(target, 0o440)

    async def chunks(self, sha256: str) -> AsyncIterator[bytes]:
        handle = await asyncio.to_thread(self._path(sha256).open, "rb")
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK_BYTES):
                yield chunk
        finally:
            handle.close()

    async def exists(self, sha256: str) -> bool:
        return await asyncio.to_thread(self._path(sha256).exists)

    async def delete(self, sha256: str) -> None:
        await asyncio.to_thread(self._path(sha256).unlink, missing_ok=True)


def attachment_store(root: Path) -> AttachmentStore:
    """The configured store (the filesystem; an S3-compatible one would be chosen here by a setting)."""
    return FilesystemAttachmentStore(root)
