"""Work run aside in a forked child (importers/aside.py): its result or its refusal comes
back, and the child leaves this process's database connection as it was."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest
import shapely
from django.db import connection

from importers.aside import Aside
from importers.errors import ImportErrorCode, ImportFailed


def test_the_result_comes_back_from_another_process():
    geoms = shapely.points(np.arange(10_000), np.arange(10_000))
    with Aside(lambda: (os.getpid(), shapely.total_bounds(geoms).tolist())) as work:
        pid, bounds = work.result()
    assert pid != os.getpid()
    assert bounds == [0.0, 0.0, 9999.0, 9999.0]


def test_a_refusal_is_raised_here_as_it_was_raised_there():
    def refuse():
        raise ImportFailed(ImportErrorCode.FILE_CORRUPT, "“x.gpkg” cannot be read: bad WKB")

    with Aside(refuse) as work, pytest.raises(ImportFailed) as caught:
        work.result()
    assert caught.value.code == ImportErrorCode.FILE_CORRUPT
    assert caught.value.message == "“x.gpkg” cannot be read: bad WKB"


def test_any_other_error_is_raised_here_with_its_reason():
    with Aside(lambda: 1 / 0) as work, pytest.raises(RuntimeError, match="ZeroDivisionError"):
        work.result()


@pytest.mark.django_db
def test_the_child_leaves_the_database_connection_usable():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    with Aside(lambda: 42) as work:
        assert work.result() == 42
    with connection.cursor() as cursor:  # the same session, still open
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] == backend


def test_a_child_no_longer_wanted_is_ended():
    started = time.monotonic()
    with Aside(lambda: time.sleep(30)) as work:
        pid = work._pid
    assert time.monotonic() - started < 5
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped: no zombie left


def test_without_fork_the_work_runs_in_a_thread_in_the_callers_language(monkeypatch):
    """Where os.fork is missing the work runs in a thread of this process instead: the same
    results and refusals, in the language the caller had active (a thread does not inherit
    Django's)."""
    from django.utils import translation

    monkeypatch.delattr(os, "fork")
    with translation.override("en"), \
            Aside(lambda: (os.getpid(), translation.get_language())) as work:
        assert work.result() == (os.getpid(), "en")

    def refuse():
        raise ImportFailed(ImportErrorCode.FILE_CORRUPT, "bad WKB")

    with Aside(refuse) as work, pytest.raises(ImportFailed) as caught:
        work.result()
    assert caught.value.code == ImportErrorCode.FILE_CORRUPT
