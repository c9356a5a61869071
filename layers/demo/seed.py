"""A demo region, clearly named as such: Provinsi/Kabupaten Contoh (DEMO), code 99.

Code 99 is not a Kemendagri province, so the demo can never be mistaken for, or collide
with, real wilayah imported later. Everything is written through the same services users go
through, so the demo also exercises the validation and history paths.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

import shapely
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction
from django.utils import timezone

from layers.demo.geometry import DemoRegion, build_region
from layers.models import (
    AdministrativeArea,
    Agency,
    Asset,
    AssetCategory,
    Complaint,
    ComplaintCategory,
    ComplaintEvent,
    Feature,
    LandUseClass,
    LandUseClassification,
    Layer,
    Status,
)
from layers.services.assets import asset_create
from layers.services.boundaries import area_create
from layers.services.complaints import complaint_create, complaint_set_status
from layers.services.land_use import zone_create

PROVINCE_CODE = "99"
REGENCY_CODE = "99.01"
DEMO_SUFFIX = " (DEMO)"

KECAMATAN_NAMES = [
    "Kota Contoh", "Sungai Jernih", "Bukit Raya", "Tanjung Harapan", "Pasir Putih",
    "Karya Bakti", "Sukamaju", "Teluk Indah",
]
DESA_NAMES = [
    "Sukamaju", "Sumber Rejo", "Mekar Sari", "Suka Damai", "Tanjung Sari", "Karang Anyar",
    "Sido Mulyo", "Harapan Jaya", "Batu Ampar", "Sungai Kakap", "Parit Baru", "Rasau Jaya",
    "Kuala Dua", "Teluk Pakedai", "Padang Tikar", "Mega Timur", "Sungai Ambawang", "Pal Sembilan",
    "Jawa Tengah", "Limbung", "Arang Limbung", "Kapur", "Mekar Baru", "Madu Sari", "Bhakti Mulya",
    "Punggur Besar", "Punggur Kecil", "Seruat", "Sepuk Laut", "Dabong", "Olak-Olak", "Jangkang",
    "Pinang Luar", "Air Putih", "Sungai Rengas", "Kalimas", "Lingga", "Sungai Asam", "Retok",
    "Pulau Limbung", "Desa Baru", "Sui Itik", "Tebang Kacang", "Rantau Panjang", "Ambangah",
    "Tanjung Saleh", "Kubu", "Muara Tiga", "Sumber Agung", "Bukit Batu", "Mandor", "Suka Ramai",
    "Air Hitam", "Tanjung Bunga", "Sidas", "Nanga Jajang",
]

AGENCIES = [
    ("Dinas Pekerjaan Umum dan Penataan Ruang", "Dinas PUPR"),
    ("Dinas Pendidikan", "Disdik"),
    ("Dinas Kesehatan", "Dinkes"),
    ("Dinas Perumahan Rakyat dan Kawasan Permukiman", "Dinas Perkim"),
    ("Dinas Perhubungan", "Dishub"),
    ("Dinas Lingkungan Hidup", "DLH"),
    ("Dinas Perindustrian dan Perdagangan", "Disperindag"),
    ("Dinas Pertanian", "Distan"),
]

# slug, name, geometry kind, icon, colour, agency short name, attribute schema
ASSET_CATEGORIES = [
    ("jalan", "Jalan", "line", "road", "#7f5539", "Dinas PUPR", [
        {"name": "kelas", "label": "Kelas jalan", "type": "choice",
         "choices": ["arteri", "kolektor", "lokal"], "required": True},
        {"name": "perkerasan", "label": "Jenis perkerasan", "type": "choice",
         "choices": ["aspal", "beton", "kerikil", "tanah"]},
        {"name": "lebar_m", "label": "Lebar (m)", "type": "number"},
    ]),
    ("jembatan", "Jembatan", "point", "bridge", "#6c757d", "Dinas PUPR", [
        {"name": "panjang_m", "label": "Panjang (m)", "type": "number"},
        {"name": "konstruksi", "label": "Konstruksi", "type": "choice",
         "choices": ["beton", "baja", "kayu"]},
    ]),
    ("sekolah", "Sekolah", "point", "school", "#1d4ed8", "Disdik", [
        {"name": "jenjang", "label": "Jenjang", "type": "choice",
         "choices": ["SD", "SMP", "SMA", "SMK"], "required": True},
        {"name": "npsn", "label": "NPSN", "type": "text"},
        {"name": "jumlah_siswa", "label": "Jumlah siswa", "type": "integer"},
    ]),
    ("puskesmas", "Puskesmas", "point", "clinic", "#dc2626", "Dinkes", [
        {"name": "rawat_inap", "label": "Rawat inap", "type": "boolean"},
    ]),
    ("pasar", "Pasar", "point", "market", "#d97706", "Disperindag", []),
    ("irigasi", "Saluran irigasi", "line", "canal", "#0ea5e9", "Dinas PUPR", []),
    ("drainase", "Drainase", "line", "drain", "#0369a1", "Dinas PUPR", [
        {"name": "fungsi", "label": "Fungsi", "type": "choice",
         "choices": ["primer", "sekunder", "tersier"]},
    ]),
    ("air-bersih", "Sarana air bersih", "point", "water", "#06b6d4", "Dinas Perkim", [
        {"name": "jenis", "label": "Jenis", "type": "choice",
         "choices": ["sumur bor", "hidran umum", "penampungan air hujan"]},
    ]),
    ("pju", "Penerangan jalan umum (PJU)", "point", "streetlight", "#facc15", "Dishub", [
        {"name": "daya_watt", "label": "Daya (W)", "type": "integer"},
    ]),
]

# RTRW pola ruang classes (after Permen ATR/BPN 14/2021): code, name, colour.
RTRW_CLASSES = [
    ("HL", "Kawasan Hutan Lindung", "#1b5e20"),
    ("HP", "Kawasan Hutan Produksi", "#43a047"),
    ("P-TP", "Kawasan Pertanian Tanaman Pangan", "#c0ca33"),
    ("P-BUN", "Kawasan Perkebunan", "#8d6e63"),
    ("PK", "Kawasan Permukiman Perkotaan", "#e53935"),
    ("PD", "Kawasan Permukiman Perdesaan", "#fb8c00"),
    ("SS", "Sempadan Sungai", "#4fc3f7"),
]

COMPLAINT_CATEGORIES = [
    ("jalan-rusak", "Jalan rusak / berlubang", "Dinas PUPR", 14),
    ("drainase", "Drainase tersumbat / banjir", "Dinas PUPR", 7),
    ("pju-mati", "Lampu jalan mati", "Dishub", 5),
    ("sampah", "Sampah menumpuk", "DLH", 3),
    ("air-bersih", "Air bersih tidak mengalir", "Dinas Perkim", 5),
    ("jembatan", "Jembatan rusak", "Dinas PUPR", 21),
]
COMPLAINT_TEXTS = {
    "jalan-rusak": ["Jalan berlubang besar di depan masjid, berbahaya untuk motor malam hari.",
                    "Aspal mengelupas sepanjang 200 meter setelah hujan deras."],
    "drainase": ["Parit tersumbat sampah, air meluap ke jalan saat hujan.",
                 "Saluran drainase tertutup tanah, rumah warga tergenang."],
    "pju-mati": ["Tiga lampu jalan mati sejak dua minggu, jalan gelap gulita.",
                 "Lampu PJU berkedip dan mati di simpang pasar."],
    "sampah": ["Sampah menumpuk di tepi jalan dekat sekolah, bau menyengat.",
               "TPS penuh dan tidak diangkut seminggu."],
    "air-bersih": ["Air dari hidran umum tidak mengalir sejak tiga hari.",
                   "Sumur bor desa rusak, warga mengambil air dari sungai."],
    "jembatan": ["Papan jembatan kayu patah, anak sekolah harus memutar jauh.",
                 "Pagar jembatan roboh, rawan untuk pejalan kaki."],
}


@dataclass
class SeedReport:
    areas: int = 0
    assets: int = 0
    zones: int = 0
    complaints: int = 0
    features: int = 0
    notes: list[str] = field(default_factory=list)


def demo_exists() -> bool:
    return AdministrativeArea.objects.filter(code=REGENCY_CODE).exists()


def _geos(geom: shapely.Geometry) -> GEOSGeometry:
    return GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=4326)


def _reference_data() -> dict[str, Agency]:
    agencies = {}
    for name, short in AGENCIES:
        agencies[short], _created = Agency.objects.get_or_create(
            name=name, defaults={"short_name": short}
        )
    for slug, name, kind, icon, color, agency, schema in ASSET_CATEGORIES:
        AssetCategory.objects.get_or_create(slug=slug, defaults={
            "name": name, "geometry_type": kind, "icon": icon, "color": color,
            "agency": agencies[agency], "attribute_schema": schema,
        })
    for slug, name, agency, days in COMPLAINT_CATEGORIES:
        ComplaintCategory.objects.get_or_create(slug=slug, defaults={
            "name": name, "agency": agencies[agency], "service_days": days,
        })
    rtrw, _created = LandUseClassification.objects.get_or_create(
        slug="rtrw-pola-ruang",
        defaults={"name": "RTRW Pola Ruang", "kind": LandUseClassification.Kind.PLANNED,
                  "reference": "Permen ATR/BPN No. 14 Tahun 2021"},
    )
    for code, name, color in RTRW_CLASSES:
        LandUseClass.objects.get_or_create(
            classification=rtrw, code=code, defaults={"name": name, "color": color}
        )
    return agencies


def _areas(region: DemoRegion, report: SeedReport) -> list[AdministrativeArea]:
    legal = "Data demo: bukan wilayah resmi"
    since = dt.date(2020, 1, 1)
    area_create(code=PROVINCE_CODE, name="Provinsi Contoh" + DEMO_SUFFIX,
                geom=_geos(region.outline), valid_from=since, legal_basis=legal)
    area_create(code=REGENCY_CODE, name="Kabupaten Contoh" + DEMO_SUFFIX,
                geom=_geos(region.outline), valid_from=since, legal_basis=legal)
    districts = []
    for i, geom in enumerate(region.kecamatan):
        districts.append(area_create(code=f"{REGENCY_CODE}.{i + 1:02d}",
                                     name=KECAMATAN_NAMES[i], geom=_geos(geom),
                                     valid_from=since, legal_basis=legal))
    villages, names = [], iter(DESA_NAMES)
    counters: dict[tuple[int, bool], int] = {}
    for desa in region.desa:
        key = (desa.kecamatan_index, desa.is_urban)
        counters[key] = counters.get(key, 0) + 1
        # Kelurahan numbers start 1001, desa 2001 (Kemendagri convention).
        number = (1000 if desa.is_urban else 2000) + counters[key]
        villages.append(area_create(
            code=f"{districts[desa.kecamatan_index].code}.{number}", name=next(names),
            geom=_geos(desa.geom), valid_from=since, legal_basis=legal,
        ))
    report.areas = 2 + len(districts) + len(villages)
    return villages


def _jitter(rng: random.Random, point: shapely.Point, km: float) -> shapely.Point:
    # ~0.009° per km near the equator: good enough for scattering demo points.
    d = km * 0.009
    return shapely.Point(point.x + rng.uniform(-d, d), point.y + rng.uniform(-d, d))


def _assets(region: DemoRegion, rng: random.Random, report: SeedReport) -> None:
    cats = {c.slug: c for c in AssetCategory.objects.all()}
    conditions = ["baik"] * 5 + ["rusak_ringan"] * 3 + ["rusak_sedang"] * 2 + ["rusak_berat"]
    outline = region.outline

    def add(slug: str, geom: shapely.Geometry, name: str, attributes: dict,
            public: bool = True) -> None:
        if geom.is_empty or not outline.covers(geom.representative_point()):
            return
        asset_create(
            category=cats[slug], geom=_geos(geom), name=name, attributes=attributes,
            condition=rng.choice(conditions), year_built=rng.randint(1985, 2025),
            value_idr=Decimal(rng.randrange(50, 5000) * 1_000_000),
            is_verified=public, is_public=public,
        )
        report.assets += 1

    surface = {"arteri": "aspal", "kolektor": "aspal", "lokal": "kerikil"}
    width = {"arteri": 7.0, "kolektor": 6.0, "lokal": 4.0}
    for i, (klass, line) in enumerate(region.roads, start=1):
        for part in getattr(line, "geoms", [line]):
            add("jalan", part, f"Ruas jalan {klass} {i:03d}",
                {"kelas": klass, "perkerasan": surface[klass], "lebar_m": width[klass]})
        # Street lights every ~1 km along the main roads.
        if klass in ("arteri", "kolektor"):
            for k, dist in enumerate(range(1, int(line.length / 0.009)), start=1):
                add("pju", line.interpolate(dist * 0.009), f"PJU {i:03d}-{k:02d}",
                    {"daya_watt": rng.choice([60, 90, 120])})
    for r, river in enumerate(region.rivers, start=1):
        for j, (_klass, road) in enumerate(region.roads, start=1):
            crossing = river.intersection(road)
            for pt in getattr(crossing, "geoms", [crossing]):
                if isinstance(pt, shapely.Point):
                    add("jembatan", pt, f"Jembatan Sungai {r}-{j}",
                        {"panjang_m": rng.randint(15, 80), "konstruksi":
                         rng.choice(["beton", "baja", "kayu"])})
    levels = ["SD", "SD", "SD", "SMP", "SMA", "SMK"]
    for n, desa in enumerate(region.desa, start=1):
        for s in range(rng.randint(1, 3)):
            jenjang = levels[min(s * 2 + rng.randint(0, 1), len(levels) - 1)]
            add("sekolah", _jitter(rng, desa.centre, 0.6), f"{jenjang} Negeri {n:02d}{s + 1}",
                {"jenjang": jenjang, "npsn": f"699{n:03d}{s:02d}",
                 "jumlah_siswa": rng.randint(60, 600)})
        add("air-bersih", _jitter(rng, desa.centre, 0.8), f"Sarana air bersih {n:02d}",
            {"jenis": rng.choice(["sumur bor", "hidran umum", "penampungan air hujan"])},
            public=rng.random() > 0.15)
        if desa.is_urban:
            drain = shapely.LineString([_jitter(rng, desa.centre, 0.5) for _ in range(3)])
            add("drainase", drain, f"Drainase {n:02d}", {"fungsi": "sekunder"})
    for k, kec in enumerate(region.kecamatan, start=1):
        centre = kec.point_on_surface()
        add("puskesmas", centre, f"Puskesmas {KECAMATAN_NAMES[k - 1]}",
            {"rawat_inap": k == 1})
        add("pasar", _jitter(rng, centre, 0.7), f"Pasar {KECAMATAN_NAMES[k - 1]}", {})


def _land_use(region: DemoRegion, rng: random.Random, report: SeedReport) -> None:
    classes = {c.code: c for c in LandUseClass.objects.filter(
        classification__slug="rtrw-pola-ruang")}
    outline = region.outline
    km = 0.009
    river_zone = shapely.union_all([r.buffer(0.1 * km) for r in region.rivers]) \
        .intersection(outline)
    urban = shapely.union_all([region.capital.buffer(3.5 * km)]).intersection(outline) \
        .difference(river_zone)
    rural = shapely.union_all([d.centre.buffer(0.9 * km) for d in region.desa if not d.is_urban])
    rural = rural.intersection(outline).difference(river_zone).difference(urban)
    taken = shapely.union_all([river_zone, urban, rural])
    # The rest: forest far from the capital, plantation and food crops nearer.
    cells = shapely.voronoi_polygons(shapely.MultiPoint(
        [_jitter(rng, region.capital, 30) for _ in range(40)]), extend_to=outline)
    plan = "RTRW Kabupaten Contoh 2024-2044 (DEMO)"
    perda = "Perda Kabupaten Contoh No. 1 Tahun 2024 (DEMO)"
    pieces: list[tuple[str, shapely.Geometry]] = [
        ("SS", river_zone), ("PK", urban), ("PD", rural),
    ]
    for cell in cells.geoms:
        part = cell.intersection(outline).difference(taken)
        dist = part.centroid.distance(region.capital) / km if not part.is_empty else 0
        code = "P-TP" if dist < 9 else "P-BUN" if dist < 16 else rng.choice(["HP", "HL"])
        pieces.append((code, part))
    for code, geom in pieces:
        geom = shapely.make_valid(shapely.set_precision(geom, 1e-7))
        polys = [g for g in getattr(geom, "geoms", [geom])
                 if isinstance(g, shapely.Polygon) and g.area > 1e-8]
        if not polys:
            continue
        zone_create(land_use_class=classes[code], geom=_geos(shapely.MultiPolygon(polys)),
                    name=classes[code].name, plan_name=plan, regulation=perda,
                    is_verified=True, is_public=True)
        report.zones += 1


def _complaints(region: DemoRegion, rng: random.Random, report: SeedReport, officer) -> None:
    cats = list(ComplaintCategory.objects.filter(slug__in=COMPLAINT_TEXTS))
    path = [Status.VERIFIED, Status.IN_PROGRESS, Status.RESOLVED]
    now = timezone.now()
    for i in range(45):
        desa = rng.choice(region.desa)
        cat = rng.choice(cats)
        complaint = complaint_create(
            category=cat, description=rng.choice(COMPLAINT_TEXTS[cat.slug]),
            point=_geos(_jitter(rng, desa.centre, 0.5)),
            reporter_name=f"Warga Demo {i + 1}", reporter_phone=f"08120000{i:04d}",
        )
        steps = rng.choice([0, 1, 1, 2, 3, 3, 3, -1])
        for status in ([Status.REJECTED] if steps == -1 else path[:steps]):
            complaint = complaint_set_status(complaint=complaint, status=status, by=officer,
                                             note="Ditindaklanjuti oleh petugas (demo).")
        # Spread filing dates over the last four months so durations look real.
        filed = now - dt.timedelta(days=rng.randint(1, 120), hours=rng.randint(0, 23))
        Complaint.objects.filter(pk=complaint.pk).update(
            created_at=filed, due_date=(filed + dt.timedelta(days=cat.service_days)).date())
        events = list(ComplaintEvent.objects.filter(complaint=complaint).order_by("id"))
        for k, event in enumerate(events):
            event.created_at = filed + dt.timedelta(days=2 * k, hours=k)
        ComplaintEvent.objects.bulk_update(events, ["created_at"])
        if complaint.status == Status.RESOLVED:
            Complaint.objects.filter(pk=complaint.pk).update(resolved_at=events[-1].created_at)
        report.complaints += 1


def _thematic(region: DemoRegion, report: SeedReport) -> None:
    layer, _created = Layer.objects.get_or_create(slug="rawan-banjir-demo", defaults={
        "name": "Kawasan rawan banjir" + DEMO_SUFFIX, "geometry_type": "polygon",
        "is_public": True, "source": "Data demo",
        "schema": [{"name": "tingkat", "type": "text", "label": "Tingkat bahaya",
                    "public": True}],
        "style": {"color": "#2563eb", "fillOpacity": 0.3},
    })
    for i, river in enumerate(region.rivers, start=1):
        for level, width in (("tinggi", 0.4), ("sedang", 1.0)):
            geom = river.buffer(width * 0.009).intersection(region.outline)
            Feature.objects.create(layer=layer, geom=_geos(geom), is_verified=True,
                                   is_public=True,
                                   properties={"tingkat": level, "sungai": f"Sungai {i}"})
            report.features += 1


@transaction.atomic
def seed_demo(*, seed: int = 2026) -> SeedReport:
    """Write the whole demo region in one transaction (all or nothing)."""
    rng = random.Random(seed)
    report = SeedReport()
    region = build_region(seed=seed)
    _reference_data()
    _areas(region, report)
    officer, _created = get_user_model().objects.get_or_create(
        username="petugas-demo", defaults={"is_staff": True, "first_name": "Petugas Demo"})
    _assets(region, rng, report)
    _land_use(region, rng, report)
    _complaints(region, rng, report, officer)
    _thematic(region, report)
    return report


def demo_admin(*, username: str = "admin", password: str = "admin") -> bool:
    """A superuser for trying the demo locally, only if there is no user with that name."""
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        return False
    User.objects.create_superuser(username=username, password=password, email="")
    return True


__all__ = ["Asset", "demo_admin", "demo_exists", "seed_demo"]
