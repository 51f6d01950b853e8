"""The epidemic curve's page: cases per day by area, Rt with its credible interval."""

from __future__ import annotations

from django.core.exceptions import BadRequest, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from zhanyi.command import curve as epicurve
from zhanyi.places import queries as place_queries


def parse(params, user) -> dict:
    """The area (default: the reader's), ``by`` and the serial interval of a request."""
    code = params.get("area")
    area = (
        place_queries.get_area_for_user(user, code) if code else place_queries.root_area_for(user)
    )
    try:
        si_mean = float(params.get("si_mean", epicurve.SERIAL_INTERVAL_MEAN))
        si_sd = float(params.get("si_sd", epicurve.SERIAL_INTERVAL_SD))
    except ValueError:
        raise ValidationError(
            {"serial_interval": _("The serial interval's mean and spread are numbers of days.")}
        ) from None
    return {"area": area, "by": params.get("by", "onset"), "si_mean": si_mean, "si_sd": si_sd}


def curve_page(request: HttpRequest) -> HttpResponse:
    try:
        asked = parse(request.GET, request.user)
        curve = epicurve.epidemic_curve(
            asked["area"], by=asked["by"], si_mean=asked["si_mean"], si_sd=asked["si_sd"]
        )
    except ValidationError as error:
        raise BadRequest(" ".join(error.messages)) from None
    latest = next((v for v in reversed(curve.rt) if v is not None), None)
    return render(
        request,
        "command/curve.html",
        {"curve": curve, "data": curve.as_dict(), "latest_rt": latest, "by": asked["by"]},
    )
