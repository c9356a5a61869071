"""Reads for the staff map's editor: which layers it offers for drawing."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from layers import permissions
from layers.selectors.catalogue import layers_visible_to


def editable_layers(*, user: AbstractBaseUser | AnonymousUser) -> list[dict]:
    """The layers `user` sees that the editor may draw in (permissions.EDITABLE_KINDS):
    [{slug, name, kind, geometry_type}], assets first, then land use, then thematic layers.
    Whether a save is allowed, and where, is the editing API's decision."""
    rows = (layers_visible_to(user=user).filter(kind__in=permissions.EDITABLE_KINDS)
            .values("slug", "name", "kind", "geometry_type"))
    order = {kind: i for i, kind in enumerate(permissions.EDITABLE_KINDS)}
    return sorted(rows, key=lambda r: order[r["kind"]])
