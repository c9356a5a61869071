"""Which encoding a DBF uses: the order of evidence, GDAL's conventions, and Indonesian names
surviving the round trip through pyogrio."""

from __future__ import annotations

import codecs
import struct
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import Point

from importers.encoding import EncodingChoice, dbf_encoding, pyogrio_encoding
from importers.errors import ImportErrorCode, ImportFailed
from tests.conftest import shared_file

NAMES = ["Désa Sukamaju", "Kelurahan Tanjung Hulu’s"]
EDGE = "shapefile-edge-cases"


def write_dbf(path: Path, values: list[bytes], *, ldid: int = 0, width: int = 40,
              field: bytes = b"NAMA") -> Path:
    """A minimal dBase III file with one character field, bytes exactly as given."""
    head = bytearray(struct.pack("<B3BIHH20x", 3, 124, 1, 1, len(values), 32 + 32 + 1,
                                 1 + width))
    head[29] = ldid
    desc = field.ljust(11, b"\0") + b"C" + bytes(4) + bytes([width, 0]) + bytes(14)
    body = b"".join(b" " + value.ljust(width, b" ") for value in values)
    path.write_bytes(bytes(head) + desc + b"\r" + body + b"\x1a")
    return path


def write_shapefile(folder: Path, encoding: str) -> Path:
    gdf = gpd.GeoDataFrame({"nama": NAMES}, geometry=[Point(109.3, -0.03), Point(109.4, 0.1)],
                           crs=4326)
    shp = folder / "desa.shp"
    pyogrio.write_dataframe(gdf, shp, driver="ESRI Shapefile", encoding=encoding)
    return shp


def read_names(path: Path, choice: EncodingChoice) -> list[str]:
    return pyogrio.read_dataframe(path, encoding=pyogrio_encoding(choice))["nama"].tolist()


# --- Indonesian names, written by GDAL, .cpg removed -------------------------------------------

@pytest.mark.parametrize(("written", "expected"), [("cp1252", "cp1252"), ("UTF-8", "utf-8")])
def test_detection_without_cpg_round_trips_through_pyogrio(tmp_path, written, expected):
    shp = write_shapefile(tmp_path, written)
    shp.with_suffix(".cpg").unlink()
    choice = dbf_encoding(shp.with_suffix(".dbf"))
    assert (choice.encoding, choice.source) == (expected, "detected")
    assert read_names(shp, choice) == NAMES


def test_cpg_written_by_gdal_is_used(tmp_path):
    shp = write_shapefile(tmp_path, "cp1252")
    choice = dbf_encoding(shp.with_suffix(".dbf"))
    assert (choice.encoding, choice.source) == ("cp1252", "cpg")
    assert read_names(shp, choice) == NAMES


def test_ldid_0x57_is_read_as_cp1252_so_windows_quotes_survive(tmp_path):
    shp = write_shapefile(tmp_path, "cp1252")
    shp.with_suffix(".cpg").unlink()
    dbf = shp.with_suffix(".dbf")
    dbf.write_bytes(dbf.read_bytes()[:29] + b"\x57" + dbf.read_bytes()[30:])
    choice = dbf_encoding(dbf)
    assert (choice.encoding, choice.source) == ("cp1252", "ldid")
    assert "0x57" in choice.detail
    assert read_names(shp, choice) == NAMES


# --- .cpg / .cst ------------------------------------------------------------------------------

@pytest.mark.parametrize(("label", "expected"), [
    ("UTF-8", "utf-8"), ("utf8", "utf-8"), ("\ufeffUTF-8\r\n", "utf-8"), ("65001", "utf-8"),
    (" ISO-8859-1 \n", "latin-1"), ("88591", "latin-1"), ("8859-15", "iso8859-15"),
    ("28591", "latin-1"), ("1252", "cp1252"), ("ANSI 1252", "cp1252"), ("CP1252", "cp1252"),
    ("windows-1252", "cp1252"), ("ANSI 1251", "cp1251"), ("437", "cp437"), ("850", "cp850"),
    ("874", "cp874"), ("Big5", "big5"),
])
def test_cpg_labels_follow_gdal_conventions(tmp_path, label, expected):
    dbf = write_dbf(tmp_path / "a.dbf", [b"Desa Sukamaju"], ldid=0x57)
    (tmp_path / "a.cpg").write_bytes(label.encode("utf-8"))
    choice = dbf_encoding(dbf)
    assert (choice.encoding, choice.source) == (expected, "cpg")
    assert ".cpg says" in choice.detail


def test_sibling_lookup_ignores_letter_case_and_prefers_cpg_over_cst(tmp_path):
    dbf = write_dbf(tmp_path / "Desa.DBF", [b"x"])
    (tmp_path / "DESA.CST").write_text("UTF-8")
    assert dbf_encoding(dbf) == EncodingChoice("utf-8", "cpg", ".cst says UTF-8")
    (tmp_path / "desa.Cpg").write_text("1252")
    assert dbf_encoding(dbf) == EncodingChoice("cp1252", "cpg", ".cpg says 1252")


def test_empty_or_unknown_cpg_falls_back_to_the_text(tmp_path):
    dbf = write_dbf(tmp_path / "a.dbf", ["Désa".encode("cp1252")])
    cpg = tmp_path / "a.cpg"
    cpg.write_text("  \n")
    assert dbf_encoding(dbf).source == "detected"
    cpg.write_text("KLINGON")
    choice = dbf_encoding(dbf)
    assert (choice.encoding, choice.source) == ("cp1252", "detected")
    assert "KLINGON" in choice.detail


def test_a_cpg_that_cannot_decode_the_text_is_overruled(tmp_path):
    dbf = write_dbf(tmp_path / "a.dbf", [n.encode("cp1252") for n in NAMES])
    (tmp_path / "a.cpg").write_text("UTF-8")
    choice = dbf_encoding(dbf)
    assert (choice.encoding, choice.source) == ("cp1252", "detected")
    assert ".cpg says UTF-8" in choice.detail


# --- LDID -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("ldid", "expected"), [
    (0x01, "cp437"), (0x02, "cp850"), (0x03, "cp1252"), (0x57, "cp1252"), (0x58, "cp1252"),
    (0x59, "cp1252"), (0x64, "cp852"), (0x65, "cp866"), (0x4D, "cp936"), (0x4E, "cp949"),
    (0x4F, "cp950"), (0x50, "cp874"), (0x78, "cp950"), (0x7A, "cp936"), (0xC8, "cp1250"),
    (0xC9, "cp1251"),
])
def test_ldid_follows_gdal_table(tmp_path, ldid, expected):
    choice = dbf_encoding(write_dbf(tmp_path / "a.dbf", [b"Desa"], ldid=ldid))
    assert (choice.encoding, choice.source) == (expected, "ldid")
    assert codecs.lookup(pyogrio_encoding(choice))  # pyogrio decodes with Python codecs


def test_ldid_that_cannot_decode_the_text_is_overruled(tmp_path):
    # 0x81 is undefined in cp1252: only Latin-1 reads it.
    dbf = write_dbf(tmp_path / "a.dbf", [b"Desa \x81 \xe9"], ldid=0x57)
    choice = dbf_encoding(dbf)
    assert (choice.encoding, choice.source) == ("latin-1", "detected")


# --- detection --------------------------------------------------------------------------------

def test_plain_ascii_is_utf8_by_default(tmp_path):
    choice = dbf_encoding(write_dbf(tmp_path / "a.dbf", [b"Desa Sukamaju", b"Kelurahan"]))
    assert (choice.encoding, choice.source) == ("utf-8", "default")
    assert "ASCII" in choice.detail


def test_utf8_cut_at_the_field_end_is_still_utf8(tmp_path):
    value = "Désa Sukamaju Ñ".encode()[:-1]  # the writer cut the last character in half
    dbf = write_dbf(tmp_path / "a.dbf", [value, "Désa".encode()], width=len(value))
    assert dbf_encoding(dbf).encoding == "utf-8"


def test_a_padded_latin1_value_is_not_taken_for_cut_utf8(tmp_path):
    dbf = write_dbf(tmp_path / "a.dbf", ["café".encode("latin-1")], width=10)
    assert dbf_encoding(dbf).encoding == "cp1252"


def test_non_ascii_field_names_count(tmp_path):
    dbf = write_dbf(tmp_path / "a.dbf", [b"Frederic"], field="NOMDéPART".encode("cp1252"))
    assert (dbf_encoding(dbf).encoding, dbf_encoding(dbf).source) == ("cp1252", "detected")


def test_record_count_larger_than_the_file_is_harmless(tmp_path):
    dbf = write_dbf(tmp_path / "a.dbf", ["Désa".encode()])
    raw = bytearray(dbf.read_bytes())
    raw[4:8] = struct.pack("<I", 10**9)
    dbf.write_bytes(bytes(raw))
    assert dbf_encoding(dbf).encoding == "utf-8"


def test_missing_or_truncated_dbf_is_reported(tmp_path):
    with pytest.raises(ImportFailed) as err:
        dbf_encoding(tmp_path / "missing.dbf")
    assert err.value.code == ImportErrorCode.FILE_NOT_FOUND
    (tmp_path / "short.dbf").write_bytes(b"\x03\x7c")
    with pytest.raises(ImportFailed) as err:
        dbf_encoding(tmp_path / "short.dbf")
    assert err.value.code == ImportErrorCode.FILE_CORRUPT
    assert "short.dbf" in err.value.message


# --- given ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("given", "expected"), [
    ("utf-8", "utf-8"), ("UTF8", "utf-8"), ("1252", "cp1252"), ("ISO-8859-1", "latin-1"),
    ("latin1", "latin-1"), ("cp850", "cp850"),
])
def test_given_encoding_wins_over_everything(tmp_path, given, expected):
    dbf = write_dbf(tmp_path / "a.dbf", [b"x"], ldid=0x01)
    (tmp_path / "a.cpg").write_text("UTF-8")
    assert dbf_encoding(dbf, given=given).encoding == expected
    assert dbf_encoding(dbf, given=given).source == "given"


@pytest.mark.parametrize("given", ["klingon", "base64", "rot13", "utf-16", "cp037"])
def test_unknown_given_encoding_is_refused_with_examples(tmp_path, given):
    dbf = write_dbf(tmp_path / "a.dbf", [b"x"])
    with pytest.raises(ImportFailed) as err:
        dbf_encoding(dbf, given=given)
    assert err.value.code == ImportErrorCode.ENCODING_UNKNOWN
    assert given in err.value.message
    assert "UTF-8" in err.value.message and "CP1252" in err.value.message


@pytest.mark.parametrize(("codec", "name"), [
    ("utf-8", "UTF-8"), ("cp1252", "CP1252"), ("latin-1", "ISO-8859-1"), ("cp437", "CP437"),
    ("cp850", "CP850"), ("iso8859-15", "ISO-8859-15"), ("cp874", "CP874"),
])
def test_pyogrio_names(codec, name):
    assert pyogrio_encoding(EncodingChoice(codec, "given", "")) == name
    assert codecs.lookup(name).name == codecs.lookup(codec).name


# --- the real files ---------------------------------------------------------------------------

@pytest.mark.shared_data
def test_real_cpg_files():
    gre = shared_file(EDGE, "fiona", "gre.dbf")
    choice = dbf_encoding(gre)
    assert choice == EncodingChoice("utf-8", "cpg", ".cpg says UTF-8")
    df = pyogrio.read_dataframe(gre.with_suffix(".shp"), encoding=pyogrio_encoding(choice))
    assert df["name_ru"].tolist() == ["Гренада"]
    assert df["name_ta"].tolist() == ["கிரெனடா"]
    wild = dbf_encoding(shared_file(EDGE, "fiona", "coutwildrnp.dbf"))
    assert (wild.encoding, wild.source) == ("latin-1", "cpg")


@pytest.mark.shared_data
def test_real_ldid_0x57_file():
    departs = shared_file(EDGE, "gdal", "ogr", "data", "shp", "departs.dbf")
    choice = dbf_encoding(departs)
    assert choice == EncodingChoice("cp1252", "ldid", "LDID 0x57 → cp1252")
    df = pyogrio.read_dataframe(departs, encoding=pyogrio_encoding(choice))
    assert df["NOMDéPART"].tolist() == ["Frédéric", "Bàlicôt", "Pallaïssou"]


@pytest.mark.shared_data
def test_real_latin1_without_any_declaration():
    latin1 = shared_file(EDGE, "postgis", "Latin1.dbf")
    choice = dbf_encoding(latin1)
    assert choice.source == "detected"
    assert choice.encoding in ("cp1252", "latin-1")
    df = pyogrio.read_dataframe(latin1, encoding=pyogrio_encoding(choice))
    assert df["ADDRESS"].tolist() == ["Tårneby in Våler I Solør kommune"]


@pytest.mark.shared_data
def test_real_odd_headers():
    weird = dbf_encoding(shared_file(EDGE, "gdal", "ogr", "data", "shp",
                                     "weird_header_length.dbf"))
    assert (weird.encoding, weird.source) == ("cp1252", "ldid")  # LDID 0x03, no text fields
    no_width = dbf_encoding(shared_file(EDGE, "postgis", "CharNoWidth.dbf"))
    assert (no_width.encoding, no_width.source) == ("utf-8", "default")
