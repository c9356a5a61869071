"""Set-based vector analysis per wilayah (PostGIS): each figure is one SQL statement over the
desa, grouped by code prefix to roll up desa → kecamatan → kabupaten → provinsi. What a viewer
may count is decided by layers.selectors.features.feature_source (layers/permissions.py)."""
