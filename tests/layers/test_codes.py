"""Kemendagri code rules, in Python and in the database."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from layers import codes
from layers.codes import Level
from layers.errors import ErrorCode
from layers.models import AdministrativeArea
from layers.services.boundaries import area_create
from tests.conftest import box


@pytest.mark.parametrize(
    ("code", "level"),
    [("61", Level.PROVINCE), ("61.12", Level.REGENCY), ("61.12.01", Level.DISTRICT),
     ("61.12.01.2001", Level.VILLAGE), ("61.71.06.1004", Level.VILLAGE)],
)
def test_valid_codes_have_their_level(code, level):
    assert codes.validate_code(code) == level


@pytest.mark.parametrize(
    "code",
    ["6", "611", "61.1", "61.12.1", "61.12.01.201", "61.12.01.3001", "61-12", "61.12.01.2001.",
     "AB.12", ""],
)
def test_malformed_codes_are_refused_with_a_code(code):
    with pytest.raises(ValidationError) as err:
        codes.validate_code(code)
    assert err.value.code == ErrorCode.AREA_CODE_FORMAT


def test_code_of_the_wrong_level_is_refused():
    with pytest.raises(ValidationError) as err:
        codes.validate_code("61.12", Level.DISTRICT)
    assert err.value.code == ErrorCode.AREA_CODE_LEVEL


def test_undotted_codes_are_normalised_and_kinds_read_off_the_code():
    assert codes.normalise_code(" 6112012001 ") == "61.12.01.2001"
    assert codes.is_kelurahan("61.71.06.1004") and not codes.is_kelurahan("61.12.01.2001")
    assert codes.is_kota("61.71") and not codes.is_kota("61.12")
    assert codes.parent_code("61.12.01.2001") == "61.12.01"
    assert codes.parent_code("61") is None


def test_child_whose_code_does_not_match_its_parent_is_refused(region):
    before = AdministrativeArea.objects.count()
    with pytest.raises(ValidationError) as err:
        area_create(code="99.01.03.2001", name="Salah", geom=box(110.0, -0.1, 110.1, 0.0),
                    parent=region.district_a)
    assert err.value.code == ErrorCode.AREA_PARENT_MISMATCH
    assert AdministrativeArea.objects.count() == before


def test_child_with_no_parent_in_the_database_is_refused(region):
    with pytest.raises(ValidationError) as err:
        area_create(code="99.02.01", name="Yatim", geom=box(110.0, -0.1, 110.1, 0.0))
    assert err.value.code == ErrorCode.AREA_PARENT_MISSING


def test_database_trigger_refuses_a_wrong_parent_even_without_python(region):
    # Imports write with set-based SQL; the database itself must keep the hierarchy right.
    with pytest.raises(IntegrityError, match="does not belong under parent"), \
            transaction.atomic():
        AdministrativeArea.objects.create(
            code="99.01.02.2005", name="Salah", level=Level.VILLAGE, parent=region.district_a,
            geom=box(110.0, -0.1, 110.1, 0.0),
        )
    with pytest.raises(IntegrityError, match="does not belong under parent"), \
            transaction.atomic():
        # Right prefix, wrong level: a desa directly under the kabupaten.
        AdministrativeArea.objects.create(
            code="99.01.01.2009", name="Loncat", level=Level.VILLAGE, parent=region.regency,
            geom=box(110.0, -0.1, 110.1, 0.0),
        )


def test_database_refuses_a_code_that_does_not_fit_its_level(db):
    with pytest.raises(IntegrityError, match="adminarea_code_matches_level"), \
            transaction.atomic():
        AdministrativeArea.objects.create(
            code="99.01", name="Salah", level=Level.PROVINCE, geom=box(110, -0.1, 110.1, 0)
        )


def test_duplicate_current_code_is_refused_but_a_retired_one_may_repeat(region):
    from datetime import date

    from layers.services.boundaries import area_retire

    with pytest.raises(ValidationError) as err:
        area_create(code="99.01.02.2001", name="Lagi", geom=box(110.2, -0.1, 110.3, 0.0))
    assert err.value.code == ErrorCode.AREA_CODE_TAKEN
    area_retire(area=region.desa_b1, valid_until=date(2025, 12, 31),
                legal_basis="Kepmendagri 300.2.2-2430 Tahun 2025")
    new = area_create(code="99.01.02.2001", name="Desa Tiga Baru",
                      geom=box(110.2, -0.1, 110.3, 0.0), valid_from=date(2026, 1, 1))
    assert AdministrativeArea.objects.get(code="99.01.02.2001") == new
    assert AdministrativeArea.all_versions.filter(code="99.01.02.2001").count() == 2
