"""Complaints imported from an older system's CSV."""

from __future__ import annotations

import re

import pytest

from importers.jobs import ImportRequest, run_import
from layers.models import Complaint, ComplaintCategory

pytestmark = pytest.mark.django_db


def test_rows_without_a_ticket_get_new_tickets_and_given_ones_are_kept(region, tmp_path):
    ComplaintCategory.objects.create(slug="jalan-rusak", name="Jalan rusak", service_days=7)
    path = tmp_path / "pengaduan.csv"
    path.write_text(
        "bujur,lintang,isi,kategori,tiket\n"
        "110.05,-0.05,Jalan berlubang di depan sekolah,jalan-rusak,\n"
        "110.15,-0.05,Aspal mengelupas,jalan-rusak,\n"
        "110.25,-0.05,Jembatan retak,jalan-rusak,ADU-2019-000042\n", encoding="utf-8")
    report = run_import(ImportRequest(path=path, target="complaints")).report
    assert report.created == 3
    tickets = sorted(Complaint.objects.values_list("ticket", flat=True))
    assert "ADU-2019-000042" in tickets
    new = [t for t in tickets if t != "ADU-2019-000042"]
    assert len(set(new)) == 2 and all(re.fullmatch(r"ADU-\d{4}-\d{6}", t) for t in new)
    assert set(Complaint.objects.values_list("area__code", flat=True)) == {
        "99.01.01.2001", "99.01.01.1002", "99.01.02.2001"}
