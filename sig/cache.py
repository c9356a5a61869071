"""Cache backends of our own (settings.CACHES)."""

from __future__ import annotations

import pickle
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.files import locks


class BytesFileCache(FileBasedCache):
    """Django's file cache for values that are bytes already (the map's binary points
    answers): each file is the expiry then the value as it is, neither pickled nor
    compressed. Django's zlib at its default level took ~100 ms for one 1.4 MB answer, as long
    as the SQL that built it, on the first request after every write, and ~5 ms on each read
    after; packed integers shrink little for it (1.4 → 0.8 MB). Files have their own suffix,
    so a file written by FileBasedCache in the same directory is never read as bytes."""

    cache_suffix = ".bytes"

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        fname = self._key_to_file(key, version)
        try:
            with open(fname, "rb") as f:
                if not self._is_expired(f):
                    return f.read()
        except FileNotFoundError:
            pass
        return default

    def _write_content(self, file, timeout, value) -> None:
        if not isinstance(value, bytes | bytearray | memoryview):
            raise TypeError(f"{type(self).__name__} keeps bytes, not {type(value).__name__}")
        file.write(pickle.dumps(self.get_backend_timeout(timeout), self.pickle_protocol))
        file.write(value)

    def touch(self, key: str, timeout: float | None = DEFAULT_TIMEOUT,
              version: int | None = None) -> bool:
        try:
            with open(self._key_to_file(key, version), "r+b") as f:
                try:
                    locks.lock(f, locks.LOCK_EX)
                    if self._is_expired(f):
                        return False
                    value = f.read()
                    f.seek(0)
                    self._write_content(f, timeout, value)
                    f.truncate()  # the new expiry may be shorter than the old one
                    return True
                finally:
                    locks.unlock(f)
        except FileNotFoundError:
            return False
