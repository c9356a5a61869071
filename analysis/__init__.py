"""Analysis: rasters, zonal statistics, set-based vector analysis per wilayah and dashboards."""
