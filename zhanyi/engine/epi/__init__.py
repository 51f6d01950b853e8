"""The epidemic's curve and its reproduction number (no Django).

``rt``: the instantaneous reproduction number by the method of Cori et al.
(2013) with a parametric serial interval, as the R package EpiEstim computes
it (``estimate_R(method = "parametric_si")``), for many series at once;
doubling time and a short projection by the renewal equation.
``curve``: daily counts per area from events' areas and days.
"""
