from django.conf import settings
from django.http import HttpRequest

from . import synthetic
from .permissions import Principal


def platform(request: HttpRequest) -> dict:
    return {
        "principal": Principal.of(getattr(request, "user", None)),
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        # Called by the template only where it is shown (base.html): no query for partials and downloads.
        "synthetic_data_present": synthetic.present,
    }
