"""Mapping suggestions and value cleaning (no database)."""

import pandas as pd
import pytest

from importers.errors import ImportErrorCode, ImportFailed
from importers.mapping import TargetField, check_mapping, normalise_name, suggest_mapping
from importers.targets import ADMIN_CODE_ALIASES, ADMIN_NAME_ALIASES, number

ADMIN = (TargetField("code", "code", True, ADMIN_CODE_ALIASES),
         TargetField("name", "name", True, ADMIN_NAME_ALIASES))


def test_names_are_normalised_for_case_spaces_and_dashes():
    assert normalise_name(" Kode Desa ") == normalise_name("KODE_DESA") == "kode_desa"
    assert normalise_name("kode-desa") == "kode_desa"


@pytest.mark.parametrize(("fields", "expected"), [
    # BIG ADMINISTRASI_AR desa: the desa code wins over the kecamatan/kabupaten codes.
    (["KDPPUM", "KDPKAB", "KDCPUM", "KDEPUM", "WADMKD", "WADMKC", "NAMOBJ"],
     {"code": "KDEPUM", "name": "NAMOBJ"}),
    # A kecamatan layer: no desa code, so the kecamatan code.
    (["KDPKAB", "KDCPUM", "WADMKC"], {"code": "KDCPUM", "name": "WADMKC"}),
    (["Kode Desa", "Nama Desa", "Luas"], {"code": "Kode Desa", "name": "Nama Desa"}),
    (["kode", "nama", "kode_induk"], {"code": "kode", "name": "nama"}),
])
def test_suggestions_follow_the_names_agencies_use(fields, expected):
    assert suggest_mapping(ADMIN, fields) == expected


def test_a_mapping_is_checked_before_reading_any_row():
    with pytest.raises(ImportFailed) as err:
        check_mapping(ADMIN, {"kode": "KODE"}, ["KODE"], {})
    assert err.value.code == ImportErrorCode.MAPPING_INVALID and "kode" in err.value.message
    with pytest.raises(ImportFailed) as err:
        check_mapping(ADMIN, {"code": "KD"}, ["KODE"], {})
    assert "KD" in err.value.message and "KODE" in err.value.message
    with pytest.raises(ImportFailed) as err:
        check_mapping(ADMIN, {"code": "KODE"}, ["KODE"], {})
    assert "name" in err.value.message
    check_mapping(ADMIN, {"code": "KODE"}, ["KODE"], {"name": "Desa Contoh"})


def test_numbers_as_indonesian_offices_write_them():
    values = pd.Series(["1.500.000", "1,53087741738229", "Rp 2.000.000,50", "12", None, "abc"])
    out = number(values)
    assert out.tolist()[:4] == [1_500_000, pytest.approx(1.53087741738229), 2_000_000.5, 12]
    assert out.isna().tolist()[4:] == [True, True]
