"""Template context every page needs."""

from __future__ import annotations

from django.http import HttpRequest

from layers import permissions


def sig_roles(request: HttpRequest) -> dict:
    """`sig_staff`: whether the header shows the staff links. A SIG role makes a user staff
    (permissions.is_staff) without Django's is_staff flag, which only opens /admin/."""
    user = getattr(request, "user", None)
    return {"sig_staff": permissions.is_staff(user)}
