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


# What the public may see of an editable feature table: verified AND marked public. The
# querysets (.published()) and the SQL of every data-out path (layers.selectors.features) use
# these, so the rule is stated here once.
PUBLISHED_FILTER = {"is_public": True, "is_verified": True}


def published_sql(alias: str = "t") -> list[str]:
    """PUBLISHED_FILTER as SQL conditions over the table aliased `alias`."""
    return [f"{alias}.{column}" for column in PUBLISHED_FILTER]


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


# Layers whose features are drawn and changed through the editing API (boundaries come from
# Kemendagri imports, complaints through their own workflow).
EDITABLE_KINDS = ("assets", "land_use", "generic")


def can_edit_layer(user: User | None, layer: Layer) -> bool:
    """Whether `user` may edit features of `layer` somewhere (where: can_edit_at)."""
    return layer.kind in EDITABLE_KINDS and scope_codes(user, EDITORS) != []


def edit_scope(user: User | None) -> list[str] | None:
    """Codes of the wilayah where `user` may edit (None: everywhere), for filtering lists."""
    return scope_codes(user, EDITORS)


def publish_scope(user: User | None) -> list[str] | None:
    """Codes of the wilayah where `user` may verify (None: everywhere), for the review queue."""
    return scope_codes(user, PUBLISHERS)


def verified_on_save(user: User | None, area_code: str | None) -> bool:
    """Whether a feature `user` creates or changes in `area_code` is verified (and may stay
    public) by that save: a planner's or administrator's own work is; a field officer's or
    desa operator's waits in the review queue, unverified and not public."""
    return can_publish_at(user, area_code)


def can_revert_import(user: User | None, area_codes: Iterable[str | None]) -> bool:
    """Undoing an import republishes and deletes verified data: only publishers covering every
    wilayah the import touched (before and after) may."""
    return all(can_publish_at(user, code) for code in set(area_codes))


def can_delete_layer(user: User | None) -> bool:
    """Deleting a layer deletes every feature of it, verified or not, wherever it lies: only
    a publisher for every wilayah (a superuser, or a planner or administrator without a
    wilayah) may."""
    return user is not None and publish_scope(user) is None


def can_edit_somewhere(user: User | None) -> bool:
    """Whether `user` may edit features anywhere (any editing role: field officer, desa
    operator, planner, administrator): the staff map then loads its editing tools and the field
    capture page (/lapangan/) opens. Each save is still decided by can_edit_at."""
    return edit_scope(user) != []


def can_publish_somewhere(user: User | None) -> bool:
    """Whether `user` may verify features anywhere: the review queue is open to them. Each
    verification is still decided by can_publish_at."""
    return publish_scope(user) != []


def can_import(user: User | None) -> bool:
    """Whether `user` may use the import wizard: planners and administrators (a role, any
    wilayah), and Django staff accounts of the regional office."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_staff or user.is_superuser or can_publish_somewhere(user))


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
