"""sig/cache.py: the points answers' file cache keeps bytes as they are."""

import pickle

import pytest

from sig.cache import BytesFileCache


@pytest.fixture
def kept(tmp_path):
    return BytesFileCache(str(tmp_path), {"TIMEOUT": 60, "OPTIONS": {"MAX_ENTRIES": 3}})


def test_bytes_come_back_as_they_went_in_and_are_stored_unchanged(kept, tmp_path):
    value = b"SIGP" + bytes(range(256)) * 100
    kept.set("a", value)
    assert kept.get("a") == value
    assert kept.get("missing", b"default") == b"default"
    (path,) = tmp_path.glob("*.bytes")
    with open(path, "rb") as f:
        pickle.load(f)  # the expiry
        assert f.read() == value  # neither pickled nor compressed


def test_expired_and_touched_entries(kept):
    kept.set("gone", b"x", timeout=-1)
    assert kept.get("gone") is None
    kept.set("kept", b"value", timeout=60)
    assert kept.touch("kept", timeout=None)  # no expiry: a shorter pickle than a time
    assert kept.get("kept") == b"value"  # the shorter expiry left no stray byte
    assert not kept.touch("missing")


def test_only_bytes_are_kept_and_old_entries_are_culled(kept):
    with pytest.raises(TypeError):
        kept.set("a", {"not": "bytes"})
    for n in range(10):
        kept.set(f"k{n}", b"v")
    assert len(kept._list_cache_files()) <= 3


def test_a_file_of_django_s_own_file_cache_is_never_read_as_bytes(tmp_path):
    from django.core.cache.backends.filebased import FileBasedCache

    FileBasedCache(str(tmp_path), {}).set("a", b"value")  # an older version's entry
    assert BytesFileCache(str(tmp_path), {}).get("a") is None
