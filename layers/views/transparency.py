"""The public transparency page (/transparansi/): complaints by status, category and
kecamatan, the median time to resolve, the share resolved on time and a heat map of open
complaints. Staff also see every figure per kecamatan, with overdue counts. Counts only: no
description, reporter or note is on this page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from layers import permissions
from layers.selectors.complaint_stats import transparency_figures
from layers.views.complaint_form import pin_map_config


@require_GET
def transparency(request: HttpRequest) -> HttpResponse:
    figures = transparency_figures()
    config = pin_map_config(strings={"heatEmpty": _("No open complaints right now.")})
    config["heat"] = figures.heat
    return render(request, "layers/complaints/transparency.html", {
        "t": figures, "config": config, "staff": permissions.is_staff(request.user),
    })
