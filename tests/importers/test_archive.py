"""Unpacking uploads: real zipped shapefiles come out whole, hostile archives are refused
before anything is written, and the message names the offending member."""

from __future__ import annotations

import os
import stat
import struct
import time
import zipfile
from pathlib import Path

import pyogrio
import pytest

from importers import archive as archive_module
from importers.archive import ArchiveLimits, extract_archive
from importers.errors import ImportErrorCode, ImportFailed
from tests.conftest import shared_file

EDGE = "shapefile-edge-cases"
UNSAFE, TOO_LARGE = ImportErrorCode.ARCHIVE_UNSAFE, ImportErrorCode.ARCHIVE_TOO_LARGE
CORRUPT, EMPTY = ImportErrorCode.FILE_CORRUPT, ImportErrorCode.ARCHIVE_EMPTY


@pytest.fixture
def dest(tmp_path) -> Path:
    folder = tmp_path / "unpacked"
    folder.mkdir(mode=0o700)
    folder.chmod(0o700)
    return folder


def make_zip(path: Path, members: list[tuple[str | zipfile.ZipInfo, bytes]],
             compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """An archive whose first member is always a harmless .shp, so "nothing was extracted"
    means something."""
    with zipfile.ZipFile(path, "w", compression) as zf:
        zf.writestr("first.shp", b"harmless")
        for name, data in members:
            zf.writestr(name, data)
    return path


def info(name: str, mode: int) -> zipfile.ZipInfo:
    zinfo = zipfile.ZipInfo(name)
    zinfo.create_system = 3
    zinfo.external_attr = mode << 16
    return zinfo


def assert_refused(archive: Path, dest: Path, code: ImportErrorCode, member: str,
            limits: ArchiveLimits | None = None) -> ImportFailed:
    with pytest.raises(ImportFailed) as err:
        extract_archive(archive, dest, **({"limits": limits} if limits else {}))
    assert err.value.code == code
    assert member in err.value.message
    assert list(dest.iterdir()) == []
    return err.value


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


# --- real archives ----------------------------------------------------------------------------

@pytest.mark.shared_data
def test_real_archive_with_a_sub_folder(dest):
    paths = extract_archive(shared_file(EDGE, "pyshp", "REL.zip"), dest)
    stem = "REL/releaseArea20090407"
    assert [p.relative_to(dest).as_posix() for p in paths] == [
        f"{stem}.cpg", f"{stem}.dbf", f"{stem}.prj", f"{stem}.shp", f"{stem}.shx"]
    assert (dest / f"{stem}.cpg").read_text() == "UTF-8"


@pytest.mark.shared_data
def test_real_archives_keep_upper_case_suffixes_and_read_with_pyogrio(dest, tmp_path):
    paths = extract_archive(shared_file(EDGE, "gdal", "ogr", "data", "shp", "poly.zip"), dest)
    assert files_under(dest) == {"poly.dbf", "poly.PRJ", "poly.shp", "poly.shx"}
    assert len(paths) == 4
    other = tmp_path / "wild"
    other.mkdir(mode=0o700)
    extract_archive(shared_file(EDGE, "fiona", "coutwildrnp.zip"), other)
    assert pyogrio.read_info(other / "coutwildrnp.shp")["features"] == 67
    windows = tmp_path / "windows"  # made on Windows: no Unix modes at all
    windows.mkdir(mode=0o700)
    extract_archive(shared_file(EDGE, "pyshp", "blockgroups.zip"), windows)
    assert {p.suffix for p in windows.iterdir()} == {".dbf", ".sbn", ".sbx", ".shp", ".shx"}


def test_kmz_with_images(tmp_path, dest):
    kmz = tmp_path / "Batas Desa.KMZ"
    with zipfile.ZipFile(kmz, "w") as zf:
        zf.writestr("doc.kml", "<kml/>")
        zf.writestr("files/icon.png", b"\x89PNG")
    assert files_under(dest) == set()
    extract_archive(kmz, dest)
    assert files_under(dest) == {"doc.kml", "files/icon.png"}


def test_mac_and_windows_junk_is_skipped_silently(tmp_path, dest):
    archive = make_zip(tmp_path / "a.zip", [
        ("__MACOSX/._first.shp", b"\0"), ("__MACOSX/data/evil.exe", b"MZ"),
        ("data/.DS_Store", b"\0"), ("data/._first.dbf", b"\0"), ("Thumbs.db", b"\0"),
        ("data/", b""), ("data/first.dbf", b"dbf")])
    extract_archive(archive, dest)
    assert files_under(dest) == {"first.shp", "data/first.dbf"}


def test_non_ascii_names_are_kept(tmp_path, dest):
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("Désa Sukamaju.shp", b"flagged utf-8")  # zipfile sets the UTF-8 flag
        zf.writestr("DXXsa.dbf", b"utf-8 without the flag, as Info-ZIP writes")
        zf.writestr("DYsa.prj", b"cp437, as old Windows tools write")
    raw = archive.read_bytes()
    raw = raw.replace(b"DXXsa.dbf", "Désa.dbf".encode()).replace(b"DYsa.prj", b"D\x82sa.prj")
    archive.write_bytes(raw)
    extract_archive(archive, dest)
    assert files_under(dest) == {"Désa Sukamaju.shp", "Désa.dbf", "Désa.prj"}


def test_backslash_separators_become_folders_and_modes_are_not_copied(tmp_path, dest):
    archive = make_zip(tmp_path / "a.zip", [("data\\desa.dbf", b"x"),
                                             (info("run.txt", stat.S_IFREG | 0o4777), b"x")])
    extract_archive(archive, dest)
    assert files_under(dest) == {"first.shp", "data/desa.dbf", "run.txt"}
    assert not (dest / "run.txt").stat().st_mode & 0o7111  # no exec, setuid or sticky bits


# --- hostile paths and file types -------------------------------------------------------------

@pytest.mark.parametrize("name", [
    "../evil.txt", "data/../../evil.txt", "..\\evil.txt", "data\\..\\..\\evil.txt",
    "/etc/passwd", "\\evil.txt", "C:\\Windows\\evil.txt", "c:evil.txt", "//server/share/x.txt",
])
def test_paths_escaping_the_folder_are_refused(tmp_path, dest, name):
    assert_refused(make_zip(tmp_path / "a.zip", [(name, b"x")]), dest, UNSAFE, name)
    assert not (tmp_path / "evil.txt").exists()


def test_control_characters_in_names_are_refused(tmp_path, dest):
    archive = make_zip(tmp_path / "a.zip", [("evil\n.txt", b"x")])
    err = assert_refused(archive, dest, UNSAFE, "evil?")
    assert "control characters" in err.message


def test_symlink_is_refused(tmp_path, dest):
    link = info("desa.shp", stat.S_IFLNK | 0o777)
    err = assert_refused(make_zip(tmp_path / "a.zip", [(link, b"/etc/passwd")]), dest, UNSAFE,
                  "desa.shp")
    assert "symbolic link" in err.message


@pytest.mark.parametrize("kind", [stat.S_IFIFO, stat.S_IFCHR, stat.S_IFBLK, stat.S_IFSOCK])
def test_special_files_are_refused(tmp_path, dest, kind):
    special = info("desa.dbf", kind | 0o644)
    assert_refused(make_zip(tmp_path / "a.zip", [(special, b"")]), dest, UNSAFE, "desa.dbf")


@pytest.mark.parametrize("name", ["inner.zip", "data/peta.KMZ", "x.rar", "x.7z", "x.tar.gz"])
def test_nested_archives_are_refused(tmp_path, dest, name):
    inner = make_zip(tmp_path / "inner.zip", [])
    archive = make_zip(tmp_path / "a.zip", [(name, inner.read_bytes())])
    err = assert_refused(archive, dest, UNSAFE, name)
    assert "another archive" in err.message


@pytest.mark.parametrize("name", ["setup.exe", "run.sh", "tool.py", "x.bat", "lib.DLL", "README"])
def test_executables_and_unknown_types_are_refused(tmp_path, dest, name):
    err = assert_refused(make_zip(tmp_path / "a.zip", [(name, b"MZ")]), dest, UNSAFE, name)
    assert (Path(name).suffix.lower() or "no extension") in err.message


def test_duplicates_and_file_folder_clashes_are_refused(tmp_path, dest):
    with pytest.warns(UserWarning, match="Duplicate name"):
        twice = make_zip(tmp_path / "a.zip", [("first.shp", b"again")])
    assert_refused(twice, dest, UNSAFE, "first.shp")
    upper = make_zip(tmp_path / "b.zip", [("FIRST.SHP", b"again")])
    assert_refused(upper, dest, UNSAFE, "FIRST.SHP")
    clash = make_zip(tmp_path / "c.zip", [("first.shp/x.dbf", b"x")])
    assert_refused(clash, dest, UNSAFE, "first.shp")


def test_encrypted_members_are_refused(tmp_path, dest):
    archive = make_zip(tmp_path / "a.zip", [("rahasia.dbf", b"x")])
    raw = bytearray(archive.read_bytes())  # zipfile clears flag_bits when writing: patch them
    local, central = raw.rindex(b"PK\x03\x04"), raw.rindex(b"PK\x01\x02")
    raw[local + 6] |= 0x1
    raw[central + 8] |= 0x1
    archive.write_bytes(bytes(raw))
    err = assert_refused(archive, dest, CORRUPT, "rahasia.dbf")
    assert "password" in err.message


def test_unsupported_compression_is_refused(tmp_path, dest):
    archive = make_zip(tmp_path / "a.zip", [("desa.dbf", b"x" * 100)])
    raw = bytearray(archive.read_bytes())
    entry = raw.rindex(b"PK\x01\x02")  # central directory entry of the last member
    raw[entry + 10:entry + 12] = struct.pack("<H", 9)  # Deflate64
    archive.write_bytes(bytes(raw))
    err = assert_refused(archive, dest, CORRUPT, "desa.dbf")
    assert "compressed with a method" in err.message


# --- size limits and bombs --------------------------------------------------------------------

def test_zip_bomb_is_refused_before_extracting(tmp_path, dest):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("desa.dbf", "w") as out:
        for _ in range(50):
            out.write(bytes(1024**2))
    assert bomb.stat().st_size < 1024**2
    started = time.monotonic()
    err = assert_refused(bomb, dest, TOO_LARGE, "desa.dbf")
    assert time.monotonic() - started < 1.0
    assert "zip bomb" in err.message


def test_small_members_may_compress_well(tmp_path, dest):
    extract_archive(make_zip(tmp_path / "a.zip", [("blank.dbf", bytes(1024**2))]), dest)
    assert (dest / "blank.dbf").stat().st_size == 1024**2


def test_total_and_count_limits(tmp_path, dest):
    archive = make_zip(tmp_path / "a.zip", [(f"part{i}.dbf", b"x" * 600) for i in range(3)])
    with pytest.raises(ImportFailed) as err:
        extract_archive(archive, dest, limits=ArchiveLimits(max_total_uncompressed=1000))
    assert err.value.code == TOO_LARGE and "1000" in err.value.message.replace("\xa0", "")
    with pytest.raises(ImportFailed) as err:
        extract_archive(archive, dest, limits=ArchiveLimits(max_members=3))
    assert err.value.code == TOO_LARGE and "4 entries" in err.value.message
    assert list(dest.iterdir()) == []


def test_a_member_lying_about_its_size_is_caught(tmp_path, dest):
    archive = make_zip(tmp_path / "a.zip", [("desa.dbf", b"x" * 5000)], zipfile.ZIP_STORED)
    raw = bytearray(archive.read_bytes())
    local, central = raw.rindex(b"PK\x03\x04"), raw.rindex(b"PK\x01\x02")
    raw[local + 22:local + 26] = struct.pack("<I", 100)  # declared uncompressed size
    raw[central + 24:central + 28] = struct.pack("<I", 100)
    archive.write_bytes(bytes(raw))
    assert_refused(archive, dest, CORRUPT, "desa.dbf")  # zipfile stops at 100 bytes: bad CRC


@pytest.mark.parametrize(("limits", "code"), [
    (ArchiveLimits(), UNSAFE), (ArchiveLimits(max_total_uncompressed=2500), TOO_LARGE)])
def test_the_byte_counter_does_not_trust_declared_sizes(tmp_path, dest, monkeypatch, limits,
                                                        code):
    """zipfile itself never returns more than the declared size; this checks our own counter,
    should a member ever stream more than it declared."""
    archive = make_zip(tmp_path / "a.zip", [("desa.dbf", b"x" * 1000)])
    monkeypatch.setattr(archive_module, "_chunks", lambda zf, info, shown: iter([b"y" * 3000]))
    assert_refused(archive, dest, code, "first.shp", limits)


# --- broken or empty archives -----------------------------------------------------------------

@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_damaged_member_leaves_nothing_behind(tmp_path, dest, compression):
    archive = make_zip(tmp_path / "a.zip", [("desa.dbf", os.urandom(4000))], compression)
    raw = bytearray(archive.read_bytes())
    start = raw.index(b"desa.dbf") + len("desa.dbf") + 100
    raw[start:start + 50] = bytes(50)
    archive.write_bytes(bytes(raw))
    assert_refused(archive, dest, CORRUPT, "desa.dbf")


def test_random_bytes_are_not_an_archive(tmp_path, dest):
    fake = tmp_path / "peta.zip"
    fake.write_bytes(os.urandom(5000))
    assert_refused(fake, dest, CORRUPT, "peta.zip")


@pytest.mark.parametrize("members", [[], [("data/", b"")], [("__MACOSX/._x", b"")]])
def test_empty_archives(tmp_path, dest, members):
    archive = tmp_path / "kosong.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name, data in members:
            zf.writestr(name, data)
    assert_refused(archive, dest, EMPTY, "kosong.zip")


def test_wrong_type_or_missing_upload(tmp_path, dest):
    (tmp_path / "a.rar").write_bytes(b"Rar!")
    assert_refused(tmp_path / "a.rar", dest, ImportErrorCode.FORMAT_UNKNOWN, "a.rar")
    assert_refused(tmp_path / "gone.zip", dest, ImportErrorCode.FILE_NOT_FOUND, "gone.zip")


def test_destination_must_be_private_and_empty(tmp_path, dest):
    archive = make_zip(tmp_path / "a.zip", [])
    (dest / "old.txt").write_text("x")
    with pytest.raises(ValueError, match="empty"):
        extract_archive(archive, dest)
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o775)
    with pytest.raises(ValueError, match="private"):
        extract_archive(archive, shared)
    shared.chmod(0o755)  # readable is the caller's business (inside a 0700 work folder)
    assert files_under(shared) == set()
    extract_archive(archive, shared)
    assert files_under(shared) == {"first.shp"}
