"""Apps and aggregators registered to file complaints through Open311 GeoReport v2."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def new_api_key() -> str:
    """A random key (32 URL-safe characters)."""
    return secrets.token_urlsafe(24)


class Open311Client(models.Model):
    """A registered Open311 client and its `api_key`.

    Filing needs a key only when SIG_OPEN311_REQUIRE_KEY is on (off by default, so that any
    citizens' app can file). Keys identify apps, which ship them inside their code: they are
    not secrets, so they are kept as they are and shown in the admin. Deactivate a client to
    refuse its key."""

    name = models.CharField(_("name"), max_length=120)
    api_key = models.CharField(_("API key"), max_length=64, unique=True, default=new_api_key,
                               editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True,
                               help_text=_("Who maintains the app (for the office, not public)."))
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
