"""The domain model, split by subdomain (../shared/DESIGN.md section 2)."""

from layers.models.access import Role, RoleAssignment
from layers.models.assets import Asset, AssetCategory, AssetPhoto, Condition
from layers.models.batches import FeatureBatch
from layers.models.boundaries import AdministrativeArea
from layers.models.catalogue import Feature, Layer, LayerKind
from layers.models.common import GeometryType
from layers.models.complaints import (
    Complaint,
    ComplaintCategory,
    ComplaintEvent,
    ComplaintFollower,
    ComplaintPhoto,
    Status,
    SubmissionAttempt,
)
from layers.models.land_use import LandUseClass, LandUseClassification, LandUseZone
from layers.models.open311 import Open311Client
from layers.models.organisations import Agency

__all__ = [
    "AdministrativeArea",
    "Agency",
    "Asset",
    "AssetCategory",
    "AssetPhoto",
    "Complaint",
    "ComplaintCategory",
    "ComplaintEvent",
    "ComplaintFollower",
    "ComplaintPhoto",
    "Condition",
    "Feature",
    "FeatureBatch",
    "GeometryType",
    "LandUseClass",
    "LandUseClassification",
    "LandUseZone",
    "Layer",
    "LayerKind",
    "Open311Client",
    "Role",
    "RoleAssignment",
    "Status",
    "SubmissionAttempt",
]
