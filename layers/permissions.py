"""Who may see what. The one place these rules live: every path (pages, GeoJSON, tiles,
OGC API, REST, exports) asks here.

Today: anonymous visitors and non-staff users are the public; staff see everything. Roles
scoped to a wilayah extend these functions (issue: editing and roles), not their callers.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from layers.models import Layer

User = AbstractBaseUser | AnonymousUser


def is_staff(user: User | None) -> bool:
    return bool(user is not None and user.is_active and user.is_staff)


def can_view_layer(user: User | None, layer: Layer) -> bool:
    """A public layer is open to all; a non-public one to staff only."""
    return layer.is_public or is_staff(user)


def sees_unpublished(user: User | None, layer: Layer) -> bool:
    """Whether unverified or non-public features, and non-public attributes, are shown."""
    return is_staff(user)
