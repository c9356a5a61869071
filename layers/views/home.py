from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from layers.selectors.catalogue import catalogue_summary


def index(request: HttpRequest) -> HttpResponse:
    """Landing page: what the system holds."""
    return render(request, "layers/home.html", {"layers": catalogue_summary(user=request.user)})
