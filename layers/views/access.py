"""Page guards: sign in first, then one of the rules of layers.permissions decides."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from layers import permissions

View = Callable[..., HttpResponse]


def allowed_by(rule: Callable[[object], bool]) -> Callable[[View], View]:
    """Anonymous visitors go to the staff login (and come back); a signed-in user the rule
    refuses gets 403: sending them to a login they already passed would loop."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not rule(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return guarded

    return decorate


staff_required = allowed_by(permissions.is_staff)
importer_required = allowed_by(permissions.can_import)
