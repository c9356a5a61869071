"""Safe unpacking of uploaded ZIP/KMZ archives.

Uploads come from anyone with an account, so an archive is treated as hostile until every
member has been checked: paths that climb out of the folder, links, zip bombs, executables and
archives inside archives are refused before a single byte is written. Sizes declared in the
archive are not trusted while writing either.
"""

from __future__ import annotations

import contextlib
import lzma
import os
import re
import shutil
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from importers.errors import ImportErrorCode, ImportFailed

ARCHIVE_SUFFIXES = frozenset({".zip", ".kmz"})
_NESTED = frozenset({".zip", ".kmz", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz",
                     ".zst", ".cab", ".jar", ".war", ".apk", ".iso"})
_JUNK_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})
_SUPPORTED_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2,
                                zipfile.ZIP_LZMA})
_CHUNK = 1024**2
_UNSAFE, _TOO_LARGE, _CORRUPT = (ImportErrorCode.ARCHIVE_UNSAFE,
                                 ImportErrorCode.ARCHIVE_TOO_LARGE, ImportErrorCode.FILE_CORRUPT)


@dataclass(frozen=True)
class ArchiveLimits:
    """What an upload may unpack to. Members whose suffix is not allowed are refused (nothing
    here is ever executed, but an .exe in a "shapefile" upload is a sign of trouble)."""

    max_members: int = 2000
    max_total_uncompressed: int = 2 * 1024**3  # bytes
    max_member_ratio: float = 200.0  # uncompressed/compressed per member (zip bombs)
    ratio_min_size: int = 1024**2  # the ratio only counts for members larger than this
    allowed_suffixes: frozenset[str] = frozenset({
        ".shp", ".shx", ".dbf", ".prj", ".cpg", ".cst", ".qix", ".sbn", ".sbx", ".xml", ".qmd",
        ".qpj", ".idm", ".ind", ".aux", ".ain", ".aih", ".atx", ".fix", ".mxs", ".gpkg",
        ".geojson", ".json", ".kml", ".gml", ".xsd", ".gpx", ".csv", ".txt", ".pdf", ".lic",
        ".sld", ".qml", ".lyr", ".lyrx", ".keywords", ".png", ".jpg", ".jpeg", ".gif", ".svg",
        ".dae", ".html", ".htm", ".md", ".doc", ".docx", ".xls", ".xlsx", ".odt", ".ods",
    })  # lower-case; members' suffixes are lower-cased before comparing


DEFAULT_LIMITS = ArchiveLimits()
_Plan = list[tuple[zipfile.ZipInfo, tuple[str, ...]]]


def extract_archive(archive: Path, dest: Path, *,
                    limits: ArchiveLimits = DEFAULT_LIMITS) -> list[Path]:
    """Check EVERY member first (nothing is extracted if any check fails), then extract into
    `dest`, an existing, private, empty folder, keeping the members' sub-folders.

    Supports .zip and .kmz. Returns the extracted files in archive order. On any failure `dest`
    is left empty and ImportFailed says, in a translated sentence, which member is at fault.
    A `dest` that others can write to (mode & 0o022) is a programming error (ValueError).
    """
    if not dest.is_dir() or dest.is_symlink() or any(dest.iterdir()):
        raise ValueError(f"{dest} must be an existing, empty folder")
    owner = dest.stat()
    if owner.st_mode & 0o022 or owner.st_uid != os.getuid():
        # Anyone else who can write here could plant a link between our checks and our writes.
        raise ValueError(f"{dest} must be private: ours, and writable by no one else")
    if archive.suffix.lower() not in ARCHIVE_SUFFIXES:
        raise ImportFailed(ImportErrorCode.FORMAT_UNKNOWN, _(
            "“%(name)s” is not a ZIP or KMZ archive. Upload a .zip or .kmz file."
        ) % {"name": archive.name})
    if not archive.is_file():
        raise ImportFailed(ImportErrorCode.FILE_NOT_FOUND, _(
            "The uploaded archive “%(name)s” could not be found. Upload it again."
        ) % {"name": archive.name})
    try:
        with zipfile.ZipFile(archive) as zf:
            plan = _check(zf, archive.name, limits)
            return _extract(zf, plan, dest.resolve(), limits)
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        _empty(dest)
        raise ImportFailed(_CORRUPT, _(
            "“%(name)s” is not a valid ZIP archive or is damaged. Create the archive again and "
            "upload it.") % {"name": archive.name}) from exc
    except BaseException:
        _empty(dest)
        raise


def _check(zf: zipfile.ZipFile, archive_name: str, limits: ArchiveLimits) -> _Plan:
    """Every check that needs no extraction; returns (member, safe relative path) of the files
    to write. Folders are implied by the files' paths."""
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise ImportFailed(_TOO_LARGE, _(
            "The archive has %(count)d entries; at most %(limit)d are allowed. Upload fewer "
            "files at a time.") % {"count": len(infos), "limit": limits.max_members})
    plan: _Plan = []
    seen: dict[tuple[str, ...], str] = {}
    total = 0
    for info in infos:
        name = _member_name(info)
        parts = _safe_parts(name)
        if not parts or _is_junk(parts):
            continue
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            _refuse(_UNSAFE, _("The archive member “%(member)s” is a symbolic link, which is "
                               "not allowed. Replace it with the file itself and upload "
                               "again."), name)
        if info.is_dir() or stat.S_ISDIR(mode):
            continue
        if stat.S_IFMT(mode) not in (0, stat.S_IFREG):
            _refuse(_UNSAFE, _("The archive member “%(member)s” is a special file (a device, "
                               "pipe or socket), which is not allowed. Remove it and upload "
                               "again."), name)
        if info.flag_bits & 0x1:
            _refuse(_CORRUPT, _("The archive member “%(member)s” is protected by a password. "
                                "Create the archive without a password and upload it."), name)
        if info.compress_type not in _SUPPORTED_METHODS:
            _refuse(_CORRUPT, _("The archive member “%(member)s” is compressed with a method "
                                "this server cannot read. Create the archive again with "
                                "standard ZIP (Deflate) compression."), name)
        suffix = Path(parts[-1]).suffix.lower()
        if suffix in _NESTED:
            _refuse(_UNSAFE, _("The archive contains another archive, “%(member)s”. Unpack it "
                               "and upload its files instead."), name)
        if suffix not in limits.allowed_suffixes:
            _refuse(_UNSAFE, _("The archive contains “%(member)s”, a type of file that cannot "
                               "be imported (%(suffix)s). Remove it from the archive and "
                               "upload again."), name, suffix=suffix or _("no extension"))
        if (info.file_size > limits.ratio_min_size
                and info.file_size > limits.max_member_ratio * max(info.compress_size, 1)):
            _refuse(_TOO_LARGE, _("The archive member “%(member)s” is compressed far more "
                                  "than real data can be, as in a “zip bomb”. If the data is "
                                  "genuine, upload it uncompressed or in smaller parts."), name)
        key = tuple(part.casefold() for part in parts)
        if key in seen:
            _refuse(_UNSAFE, _("The archive contains “%(member)s” more than once (or as both "
                               "a file and a folder). Remove the duplicate and upload "
                               "again."), name)
        seen[key] = name
        total += info.file_size
        plan.append((info, parts))
    folders = {key[:i] for key in seen for i in range(1, len(key))}
    if clash := folders & seen.keys():
        _refuse(_UNSAFE, _("The archive contains “%(member)s” more than once (or as both a "
                           "file and a folder). Remove the duplicate and upload again."),
                seen[clash.pop()])
    if total > limits.max_total_uncompressed:
        raise ImportFailed(_TOO_LARGE, _(
            "The archive would unpack to %(size)s, more than the %(limit)s allowed. Split the "
            "data into smaller uploads.") % {
                "size": filesizeformat(total),
                "limit": filesizeformat(limits.max_total_uncompressed)})
    if not plan:
        raise ImportFailed(ImportErrorCode.ARCHIVE_EMPTY, _(
            "The archive “%(name)s” contains no files to import. Check that you added the data "
            "files themselves, not only an empty folder.") % {"name": archive_name})
    return plan


def _extract(zf: zipfile.ZipFile, plan: _Plan, dest: Path, limits: ArchiveLimits) -> list[Path]:
    """Stream each member with a byte counter: the declared sizes were checked, but they are
    the archive's word, not a fact."""
    written: list[Path] = []
    total = 0
    for info, parts in plan:
        target, shown = dest.joinpath(*parts), "/".join(parts)
        if not target.resolve().is_relative_to(dest):  # belt and braces after _safe_parts
            _refuse(_UNSAFE, _("The archive member “%(member)s” points outside the archive "
                               "folder, which is not allowed."), shown)
        target.parent.mkdir(parents=True, exist_ok=True)
        size = 0
        with target.open("xb") as sink:
            for chunk in _chunks(zf, info, shown):
                size += len(chunk)
                total += len(chunk)
                if total > limits.max_total_uncompressed:
                    _refuse(_TOO_LARGE, _("The archive unpacks to more than the %(limit)s "
                                          "allowed (stopped at “%(member)s”). Split the data "
                                          "into smaller uploads."), shown,
                            limit=filesizeformat(limits.max_total_uncompressed))
                if size > info.file_size:
                    _refuse(_UNSAFE, _("The archive member “%(member)s” is larger than the "
                                       "archive declares. The archive is damaged or was "
                                       "tampered with; create it again."), shown)
                sink.write(chunk)
        written.append(target)
    return written


def _chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo, shown: str) -> Iterator[bytes]:
    """The member's bytes; a bad checksum or broken compressed stream becomes FILE_CORRUPT
    (errors while writing to our own disk are not the user's fault and pass through)."""
    try:
        with zf.open(info) as source:
            while chunk := source.read(_CHUNK):
                yield chunk
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error, lzma.LZMAError) as exc:
        raise ImportFailed(_CORRUPT, _(
            "The archive member “%(member)s” is damaged (its contents do not match its "
            "checksum). Create the archive again and upload it.") % {"member": shown}
        ) from exc


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its author saw it. Info-ZIP and macOS often store UTF-8 without
    the UTF-8 flag, which zipfile then shows as cp437 mojibake; undo that when it is valid."""
    name = info.orig_filename
    if not info.flag_bits & 0x800 and not name.isascii():
        with contextlib.suppress(UnicodeError):
            name = name.encode("cp437").decode("utf-8")
    return name


def _safe_parts(name: str) -> tuple[str, ...]:
    """Path components of a member name, or refuse the archive: absolute paths, drive letters,
    `..` (also with Windows backslashes) and control characters could escape `dest`."""
    if re.search(r"[\x00-\x1f\x7f]", name):
        _refuse(_UNSAFE, _("The archive member “%(member)s” has control characters in its "
                           "name, which is not allowed. Rename it and upload again."), name)
    unified = name.replace("\\", "/")
    if unified.startswith("/") or re.match(r"[A-Za-z]:", unified):
        _refuse(_UNSAFE, _("The archive member “%(member)s” has an absolute path, which could "
                           "write outside the upload folder. Create the archive from inside "
                           "the data folder and upload it again."), name)
    parts = tuple(p for p in unified.split("/") if p not in ("", "."))
    if ".." in parts:
        _refuse(_UNSAFE, _("The archive member “%(member)s” points outside the archive folder "
                           "(“..”), which is not allowed. Create the archive again without "
                           "such paths."), name)
    return parts


def _is_junk(parts: tuple[str, ...]) -> bool:
    """macOS resource forks and Finder/Explorer droppings, skipped without a word."""
    return ("__MACOSX" in parts or parts[-1].startswith("._")
            or parts[-1].casefold() in _JUNK_NAMES)


def _refuse(code: ImportErrorCode, message: str, member: str, **extra: str) -> NoReturn:
    """Raise ImportFailed with `message` naming the member (control characters made visible)."""
    shown = re.sub(r"[\x00-\x1f\x7f]", "?", member)[:200]
    raise ImportFailed(code, message % {"member": shown, **extra})


def _empty(dest: Path) -> None:
    """Remove whatever was written, so a refusal never leaves half an archive behind."""
    for child in dest.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
