"""Work run aside, in a forked child process, while this one goes on with the import.

The deferred geometry check (importers/geometry.py: parse, validity, repair) is pure shapely
work on arrays this process already holds. In a thread it shares the GIL with the writer,
whose statements then wait for it (each statement needs the GIL back a few times); a forked
child has its own interpreter and the arrays as they are (copy-on-write: nothing is sent), so
on two cores it runs beside the COPY and the index builds at full speed. Its result comes back
pickled through a pipe.

The child touches nothing but its arguments: not the database connection it inherits (it ends
with `os._exit`, so no destructor of that connection runs), not a lock another thread may hold.
Where `os.fork` is missing, the work runs in a thread instead.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from django.utils import translation

from importers.errors import ImportErrorCode, ImportFailed

T = TypeVar("T")


class Aside(Generic[T]):
    """`work()` started in a child process; `result()` waits for it and returns what it
    returned (or raises what it raised: ImportFailed as such, anything else as RuntimeError).
    `close()` ends the child if its result is no longer wanted. Use it as a context manager.
    `nice`: the child's lower priority (it yields the cores to this process and the server
    when they need them)."""

    def __init__(self, work: Callable[[], T], *, nice: int = 0) -> None:
        self._pid = 0
        self._thread: threading.Thread | None = None
        self._outcome: tuple | None = None
        if not hasattr(os, "fork"):
            language = translation.get_language()  # a thread does not inherit it

            def in_language() -> T:
                with translation.override(language):
                    return work()

            self._thread = threading.Thread(target=self._run_here, args=(in_language,),
                                            daemon=True)
            self._thread.start()
            return
        self._read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            os.close(self._read)
            _child(work, write, nice)  # never returns
        self._pid = pid
        os.close(write)

    def _run_here(self, work: Callable[[], T]) -> None:
        self._outcome = _outcome(work)

    def result(self) -> T:
        if self._thread is not None:
            self._thread.join()
            outcome = self._outcome
        else:
            with os.fdopen(self._read, "rb") as pipe:
                data = pipe.read()
            os.waitpid(self._pid, 0)
            self._pid = 0
            outcome = pickle.loads(data) if data else ("crash", "the check process ended")
        kind, *value = outcome
        if kind == "ok":
            return value[0]
        if kind == "refused":
            raise ImportFailed(ImportErrorCode(value[0]), value[1])
        raise RuntimeError(f"geometry check failed: {value[0]}")

    def close(self) -> None:
        if self._pid:
            os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            os.close(self._read)
            self._pid = 0

    def __enter__(self) -> Aside[T]:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _outcome(work: Callable[[], T]) -> tuple:
    try:
        return ("ok", work())
    except ImportFailed as exc:
        return ("refused", exc.code.value, exc.message)
    except Exception as exc:  # reported to the parent, which raises it
        return ("error", f"{type(exc).__name__}: {exc}")


def _child(work: Callable[[], T], write: int, nice: int) -> None:
    status = 1
    try:
        # No garbage collection in a child that ends with os._exit: a collection walks every
        # object inherited from the parent, which costs time and copies the pages it touches
        # (measured: a quarter of the deferred geometry check's time on 200k polygons).
        gc.disable()
        os.nice(nice)
        data = pickle.dumps(_outcome(work))
        with os.fdopen(write, "wb") as pipe:
            pipe.write(data)
        status = 0
    finally:
        os._exit(status)
