from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from . import queries


def area_list(request: HttpRequest) -> HttpResponse:
    return redirect("places:area-detail", code=queries.root_area_for(request.user).code)


def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    area = queries.get_area_for_user(request.user, code)
    return render(
        request,
        "places/area_detail.html",
        {
            "area": area,
            "breadcrumbs": queries.breadcrumbs(request.user, area),
            "children": queries.children_with_counts(area),
            "places": area.places.order_by("kind", "name")[:100]
            if area.level in ("village", "grid")
            else None,
        },
    )
