"""Who may see and change what. The one place these rules live: every path (pages, GeoJSON,
tiles, OGC API, REST, exports, admin actions) asks here, and the rules are tested here.

- The public (anonymous or a user with no role) sees public layers and published features.
- Staff (Django staff, or any SIG role) see every layer, unpublished features and all fields.
- Writes are scoped: a role in a wilayah covers that wilayah and everything inside it
  (a kecamatan planner covers its desa); a role with no wilayah covers the whole database.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from layers.models import Layer, Role, RoleAssignment

User = AbstractBaseUser | AnonymousUser

# Who may draw and change features, and who may publish (verify) them.
EDITORS = (Role.ADMIN, Role.PLANNER, Role.VILLAGE_OPERATOR, Role.FIELD_OFFICER)
PUBLISHERS = (Role.ADMIN, Role.PLANNER)
COMPLAINT_HANDLERS = (Role.ADMIN, Role.COMPLAINT_OFFICER)


def assignments(user: User | None) -> list[RoleAssignment]:
    """The user's roles, read once per request (cached on the user object)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_sig_roles", None)
    if cached is None:
        cached = list(RoleAssignment.objects.filter(user=user).select_related("area")
                      .prefetch_related("complaint_categories"))
        user._sig_roles = cached
    return cached


def is_staff(user: User | None) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_staff or user.is_superuser or assignments(user))


def can_view_layer(user: User | None, layer: Layer) -> bool:
    """A public layer is open to all; a non-public one to staff only."""
    return layer.is_public or is_staff(user)


def sees_unpublished(user: User | None, layer: Layer) -> bool:
    """Whether unverified or non-public features, and non-public attributes, are shown."""
    return is_staff(user)


def scope_codes(user: User | None, roles: Iterable[str]) -> list[str] | None:
    """Codes of the wilayah where `user` holds one of `roles`; None means everywhere
    (a superuser, or such a role without a wilayah); [] means nowhere."""
    if user is not None and user.is_authenticated and user.is_active and user.is_superuser:
        return None
    wanted = set(roles)
    codes: list[str] = []
    for a in assignments(user):
        if a.role in wanted:
            if a.area_id is None:
                return None
            codes.append(a.area.code)
    return codes


def covers(codes: list[str] | None, area_code: str | None) -> bool:
    """Whether a scope (from scope_codes) includes the wilayah `area_code`."""
    if codes is None:
        return True
    if not area_code:
        return False
    return any(area_code == c or area_code.startswith(c + ".") for c in codes)


def can_edit_at(user: User | None, area_code: str | None) -> bool:
    """Whether `user` may create, change or delete a feature lying in `area_code` (the desa a
    feature's geometry falls in; None outside every desa, which only unscoped editors may)."""
    return covers(scope_codes(user, EDITORS), area_code)


def can_publish_at(user: User | None, area_code: str | None) -> bool:
    """Whether `user` may verify and publish what others recorded in `area_code`."""
    return covers(scope_codes(user, PUBLISHERS), area_code)


def can_handle_complaint(user: User | None, *, area_code: str | None,
                         category_id: int | None) -> bool:
    """Whether `user` may see a complaint's internals and act on it: a complaint officer (or
    administrator) of its wilayah, and of its category when their role names categories."""
    if user is not None and user.is_authenticated and user.is_active and user.is_superuser:
        return True
    for a in assignments(user):
        if a.role not in COMPLAINT_HANDLERS:
            continue
        if a.area_id is not None and not covers([a.area.code], area_code):
            continue
        categories = {c.id for c in a.complaint_categories.all()}
        if not categories or category_id in categories:
            return True
    return False
