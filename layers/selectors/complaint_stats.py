"""Figures of the transparency page (/transparansi/), each computed in SQL by one aggregate
query: complaints by status, category and kecamatan (rolled up from the desa through
`area.parent`), the median time to resolve (percentile_cont over resolved_at − created_at),
the share resolved by the due date, overdue counts, and a gridded heat map of open complaints.
Counts only: no description, reporter or note leaves through here."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.gis.db.models import PointField
from django.db.models import Aggregate, Count, F, FloatField, Func, Q, Value
from django.utils import timezone

from layers.api.catalogue import STATUS_COLORS
from layers.models import Complaint, Status
from layers.models.complaints import OPEN_STATUSES

RESOLVED = Q(status=Status.RESOLVED, resolved_at__isnull=False)
# Heat-map cells: 0.002° ≈ 220 m at the equator; bounds the answer whatever the volume.
HEAT_CELL_DEG = 0.002


class Median(Aggregate):
    """percentile_cont(0.5): the median of a numeric expression (PostgreSQL)."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def days_to_resolve() -> Func:
    """resolved_at − created_at in days (fractional)."""
    return Func(F("resolved_at"), F("created_at"), arg_joiner=" - ",
                template="EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0",
                output_field=FloatField())


def _figures(today) -> dict:
    """The aggregates shown for the whole region and for each kecamatan."""
    figures = {
        "total": Count("id"),
        "open": Count("id", filter=Q(status__in=OPEN_STATUSES)),
        "resolved": Count("id", filter=RESOLVED),
        "rejected": Count("id", filter=Q(status=Status.REJECTED)),
        "overdue": Count("id", filter=Q(status__in=OPEN_STATUSES, due_date__lt=today)),
        "on_time": Count("id", filter=RESOLVED & Q(resolved_at__date__lte=F("due_date"))),
        "median_days": Median(days_to_resolve(), filter=RESOLVED),
    }
    for status in Status:
        figures[f"n_{status.value}"] = Count("id", filter=Q(status=status))
    return figures


def _finish(row: dict) -> dict:
    row["on_time_pct"] = round(100 * row["on_time"] / row["resolved"]) if row["resolved"] \
        else None
    if row["median_days"] is not None:
        row["median_days"] = round(row["median_days"], 1)
    return row


def _with_bars(rows: list[dict], key: str) -> list[dict]:
    top = max((r[key] for r in rows), default=0)
    for r in rows:
        r["pct"] = round(100 * r[key] / top, 1) if top else 0
    return rows


@dataclass(frozen=True)
class Transparency:
    overall: dict
    by_status: list[dict]
    by_category: list[dict]
    by_kecamatan: list[dict]
    heat: list[list[float]]


def transparency_figures() -> Transparency:
    """Every figure of the page: five aggregate queries, whatever the number of complaints."""
    today = timezone.localdate()
    figures = _figures(today)
    overall = _finish(Complaint.objects.aggregate(**figures))
    by_status = _with_bars([
        {"status": s.value, "label": s.label, "color": STATUS_COLORS[s.value],
         "count": overall[f"n_{s.value}"]} for s in Status], "count")
    by_category = _with_bars([_finish(r) for r in (
        Complaint.objects.values("category_id", name=F("category__name"))
        .annotate(**{k: figures[k] for k in ("total", "open", "resolved", "on_time",
                                             "median_days")})
        .order_by("-total", "name"))], "total")
    by_kecamatan = _with_bars([_finish(r) for r in (
        Complaint.objects.values(code=F("area__parent__code"), name=F("area__parent__name"))
        .annotate(**figures).order_by(F("code").asc(nulls_last=True)))], "total")
    return Transparency(overall=overall, by_status=by_status, by_category=by_category,
                        by_kecamatan=by_kecamatan, heat=heat_points())


def heat_points() -> list[list[float]]:
    """[lat, lng, count] of open complaints per HEAT_CELL_DEG grid cell (cell centres)."""
    cell = Func(F("geom"), Value(HEAT_CELL_DEG), Value(HEAT_CELL_DEG),
                function="ST_SnapToGrid", output_field=PointField(srid=4326))
    rows = (Complaint.objects.filter(status__in=OPEN_STATUSES)
            .annotate(cell=cell).values("cell")
            .annotate(n=Count("id"),
                      lat=Func(F("cell"), function="ST_Y", output_field=FloatField()),
                      lng=Func(F("cell"), function="ST_X", output_field=FloatField()))
            .values_list("lat", "lng", "n").order_by())
    return [[round(lat, 5), round(lng, 5), n] for lat, lng, n in rows]
