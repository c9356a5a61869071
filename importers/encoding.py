"""Which text encoding a shapefile's DBF uses.

Without a `.cpg` and with a zero language-driver byte, GDAL (and so pyogrio) silently assumes
ISO-8859-1: UTF-8 names turn into "DÃ©sa" and Windows quotes into invisible control characters.
Village names must arrive intact, so we decide the encoding ourselves, in the order a person
would trust: what the user chose, the `.cpg`/`.cst` file, the DBF header, then the bytes.
"""

from __future__ import annotations

import codecs
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from importers.errors import ImportErrorCode, ImportFailed

SAMPLE_RECORDS = 2000
_SAMPLE_BYTES = 8 * 1024**2
_PRINTABLE_ASCII = bytes(range(32, 127))

# GDAL's LDID table (ogr/ogrsf_frmts/shape/ogrshapelayer.cpp, GetEncodingFromLDIDNumber) as
# Python codecs. 0x57 ("ANSI") is ISO-8859-1 in GDAL; we read it as cp1252 because cp1252 is
# identical for every printable Latin-1 letter and also decodes the ’ “ ” € that Windows
# software writes in 0x80-0x9F. LDIDs 104 (Kamenický) and 105 (Mazovia) have no Python codec.
_LDID_CODECS: dict[int, str] = {
    1: "cp437", 2: "cp850", 3: "cp1252", 4: "mac_roman", 8: "cp865", 10: "cp850",
    11: "cp437", 13: "cp437", 14: "cp850", 15: "cp437", 16: "cp850", 17: "cp437",
    18: "cp850", 19: "cp932", 20: "cp850", 21: "cp437", 22: "cp850", 23: "cp865",
    24: "cp437", 25: "cp437", 26: "cp850", 27: "cp437", 28: "cp863", 29: "cp850",
    31: "cp852", 34: "cp852", 35: "cp852", 36: "cp860", 37: "cp850", 38: "cp866",
    55: "cp850", 64: "cp852", 77: "cp936", 78: "cp949", 79: "cp950", 80: "cp874",
    87: "cp1252", 88: "cp1252", 89: "cp1252", 100: "cp852", 101: "cp866", 102: "cp865",
    103: "cp861", 106: "cp737", 107: "cp857", 108: "cp863", 120: "cp950", 121: "cp949",
    122: "cp936", 123: "cp932", 124: "cp874", 134: "cp737", 135: "cp852", 136: "cp857",
    150: "mac_cyrillic", 151: "mac_latin2", 200: "cp1250", 201: "cp1251", 202: "cp1254",
    203: "cp1253", 204: "cp1257",
}

# Names that both Python (pyogrio decodes in Python when `encoding=` is given) and GDAL/iconv
# accept.
_GDAL_NAMES = {"utf-8": "UTF-8", "latin-1": "ISO-8859-1", "ascii": "ASCII"}


@dataclass(frozen=True)
class EncodingChoice:
    """The decision and its reason, so the preview can show why the text looks as it does."""

    encoding: str  # a Python codec name, e.g. "utf-8", "cp1252", "latin-1"
    source: str  # "given" | "cpg" | "ldid" | "detected" | "default"
    detail: str  # short, translated text for the preview


@dataclass(frozen=True)
class _DbfSample:
    ldid: int
    texts: list[bytes]  # field names and character values that contain non-ASCII bytes


def dbf_encoding(dbf: Path, *, given: str | None = None) -> EncodingChoice:
    """Decide the DBF's encoding: given > .cpg/.cst > LDID byte > detection from the text.

    A declared encoding (.cpg or LDID) that cannot decode the text is overruled by detection,
    because reading would otherwise fail halfway through or produce mojibake.
    """
    if given is not None and given.strip():
        codec = codec_from_label(given)
        if codec is None:
            raise ImportFailed(ImportErrorCode.ENCODING_UNKNOWN, _(
                "“%(name)s” is not a text encoding this server knows. Choose one such as "
                "UTF-8, CP1252 (Windows), ISO-8859-1 (Latin-1), CP437 or CP850."
            ) % {"name": given.strip()[:60]})
        return EncodingChoice(codec, "given", _("chosen by you: %(name)s") % {"name": codec})

    sample = _read_sample(dbf)
    declared: tuple[str, str, str] | None = None
    for suffix in (".cpg", ".cst"):
        sibling = _sibling(dbf, suffix)
        label = _read_label(sibling) if sibling else ""
        if label:
            codec = codec_from_label(label)
            if codec is None:
                return _detect(sample, _("%(file)s says “%(label)s”, which is not a known "
                                         "encoding") % {"file": suffix, "label": label[:40]})
            declared = (codec, "cpg", _("%(file)s says %(label)s") % {"file": suffix,
                                                                      "label": label[:40]})
            break
    if declared is None and sample.ldid in _LDID_CODECS:
        codec = _LDID_CODECS[sample.ldid]
        declared = (codec, "ldid", _("LDID 0x%(ldid)02X → %(codec)s")
                    % {"ldid": sample.ldid, "codec": codec})
    if declared is None:
        return _detect(sample, "")
    codec, source, detail = declared
    if all(_decodes(text, codec) for text in sample.texts):
        return EncodingChoice(codec, source, detail)
    return _detect(sample, _("%(detail)s, but the text does not decode that way")
                   % {"detail": detail})


def pyogrio_encoding(choice: EncodingChoice) -> str:
    """The name to pass as `pyogrio.read_dataframe(..., encoding=...)`: valid for Python (which
    pyogrio uses to decode) and for GDAL/iconv, e.g. "UTF-8", "CP1252", "ISO-8859-1"."""
    name = choice.encoding
    if name in _GDAL_NAMES:
        return _GDAL_NAMES[name]
    if name.startswith("iso8859-"):
        return "ISO-8859-" + name.removeprefix("iso8859-")
    return name.upper()


def codec_from_label(label: str) -> str | None:
    """A Python codec for a .cpg value or a user's choice, following GDAL's CPG conventions
    ("UTF-8", "65001", "1252", "ANSI 1252", "88591", "ISO-8859-1"); None when unknown."""
    text = label.replace("\ufeff", "").strip()
    upper = text.upper()
    iso = re.fullmatch(r"(?:ISO[-_ ]?)?8859[-_ ]?(\d{1,2})", upper)
    if iso:
        return _text_codec(f"iso8859-{iso.group(1)}")
    numeric = re.fullmatch(r"(?:ANSI|OEM|CP|WINDOWS|MS|IBM)?[-_ ]?(\d{3,5})", upper)
    if numeric:
        number = int(numeric.group(1))
        if number == 65001:
            return "utf-8"
        if 28591 <= number <= 28605:  # Windows code page ids of ISO-8859-n
            return _text_codec(f"iso8859-{number - 28590}")
        return _text_codec(f"cp{number}")
    return _text_codec(text) if text else None


def _text_codec(name: str) -> str | None:
    """The canonical codec name if `name` is an ASCII-compatible text encoding (not base64,
    rot13 or UTF-16, which codecs.lookup also accepts but a DBF cannot use)."""
    try:
        info = codecs.lookup(name)
        if _PRINTABLE_ASCII.decode(info.name) != _PRINTABLE_ASCII.decode("ascii"):
            return None
    except (LookupError, UnicodeError, ValueError, TypeError):
        return None
    return "latin-1" if info.name == "iso8859-1" else info.name


def _sibling(dbf: Path, suffix: str) -> Path | None:
    """`x.cpg` next to `x.dbf`, whatever the letter case (archives from Windows say `X.CPG`)."""
    wanted = (dbf.stem + suffix).casefold()
    try:
        matches = sorted(p for p in dbf.parent.iterdir() if p.name.casefold() == wanted)
    except OSError:
        return None
    return next((p for p in matches if p.is_file()), None)


def _read_label(path: Path) -> str:
    """The first non-empty line of a .cpg/.cst file, without BOM or whitespace."""
    try:
        raw = path.read_bytes()[:1024]
    except OSError:
        return ""
    text = raw.removeprefix(codecs.BOM_UTF8).decode("ascii", "replace")
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _read_sample(dbf: Path) -> _DbfSample:
    """Parse the DBF header ourselves and collect the non-ASCII bytes of field names and of
    character values in the first records: that is the text whose encoding matters."""
    try:
        with dbf.open("rb") as handle:
            head = handle.read(32)
            if len(head) < 32:
                raise ImportFailed(ImportErrorCode.FILE_CORRUPT, _(
                    "The attribute table “%(name)s” is too short to be a DBF file. Export "
                    "the data again and upload it.") % {"name": dbf.name})
            count, header_len, record_len = struct.unpack("<IHH", head[4:12])
            descriptors = handle.read(max(header_len - 32, 0))
            fields, texts = _parse_fields(descriptors)
            records = min(count, SAMPLE_RECORDS, _SAMPLE_BYTES // max(record_len, 1))
            handle.seek(header_len)
            body = handle.read(records * record_len) if record_len else b""
    except FileNotFoundError:
        raise ImportFailed(ImportErrorCode.FILE_NOT_FOUND, _(
            "The attribute table “%(name)s” is missing. Upload the .dbf file together with "
            "the .shp file.") % {"name": dbf.name}) from None
    for start in range(0, len(body) - record_len + 1, max(record_len, 1)):
        record = body[start:start + record_len]
        texts.extend(v for off, width in fields
                     if not (v := record[off:off + width]).isascii())
    return _DbfSample(ldid=head[29], texts=texts)


def _parse_fields(descriptors: bytes) -> tuple[list[tuple[int, int]], list[bytes]]:
    """(offset, width) of character fields, and non-ASCII field names. Stops at the 0x0D
    terminator or the header end, whichever comes first (some writers pad the header)."""
    fields: list[tuple[int, int]] = []
    names: list[bytes] = []
    offset = 1  # byte 0 of each record is the deletion flag
    for pos in range(0, len(descriptors) - 31, 32):
        desc = descriptors[pos:pos + 32]
        if desc[0] == 0x0D:
            break
        name, kind = desc[:11].split(b"\0")[0], chr(desc[11])
        # Like shapelib: non-numeric fields may use the decimals byte as a width high byte.
        width = desc[16] if kind in "NF" else desc[16] + 256 * desc[17]
        if kind == "C" and width:
            fields.append((offset, width))
        if not name.isascii():
            names.append(name)
        offset += width
    return fields, names


def _decodes(raw: bytes, codec: str) -> bool:
    """Whether one value decodes strictly. A value that fills its field to the last byte may
    end in a multi-byte character cut by the writer; that cut tail is forgiven."""
    text = raw.rstrip(b" \x00")
    try:
        codecs.getincrementaldecoder(codec)("strict").decode(text, final=len(text) < len(raw))
    except UnicodeDecodeError:
        return False
    return True


def _detect(sample: _DbfSample, why: str) -> EncodingChoice:
    """UTF-8 if every value is valid UTF-8 (cp1252 text almost never is), else cp1252, else
    Latin-1, which decodes any byte."""
    prefix = f"{why}; " if why else ""
    if not sample.texts:
        return EncodingChoice("utf-8", "default", prefix + _(
            "the text is plain ASCII, which reads the same in every common encoding"))
    for codec, label in (("utf-8", "UTF-8"), ("cp1252", "Windows-1252")):
        if all(_decodes(text, codec) for text in sample.texts):
            return EncodingChoice(codec, "detected", prefix + _(
                "detected: text decodes as %(label)s") % {"label": label})
    return EncodingChoice("latin-1", "detected", prefix + _(
        "detected: text is neither UTF-8 nor Windows-1252, read as Latin-1"))
