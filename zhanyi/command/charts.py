"""The twice-daily report's charts, drawn from its stored figures only.

The same two charts go into the web page and the PDF (SVG) and the Word
document (PNG): the charted figures by county, and the top area's charted
figures over the last reports. Labels are Chinese: the set-up installs a CJK
font (WenQuanYi Micro Hei, or Noto CJK where present), found here by path.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on a server

from matplotlib import font_manager
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from zhanyi.engine.protocol import LOCAL_TZ

from .queries import ReportSheet

#: CJK fonts the set-up may have installed, first found wins.
CJK_FONTS = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
]


def _font_family() -> list[str]:
    for path in CJK_FONTS:
        if Path(path).exists():
            font_manager.fontManager.addfont(path)
            return [font_manager.FontProperties(fname=path).get_name(), "DejaVu Sans"]
    return ["DejaVu Sans"]


FONT_FAMILY = _font_family()


def _new(width: float = 7.0, height: float = 3.2) -> Figure:
    with plt.rc_context({"font.family": FONT_FAMILY, "svg.fonttype": "none"}):
        fig = Figure(figsize=(width, height), dpi=120)
    return fig


def by_county(sheet: ReportSheet, *, title: str) -> Figure | None:
    """Grouped bars: each charted figure for each area below the top one."""
    areas = sheet.areas[1:] if len(sheet.areas) > 1 else sheet.areas
    if not areas or not sheet.chart_figures:
        return None
    fig = _new()
    ax = fig.add_subplot()
    width = 0.8 / len(sheet.chart_figures)
    for i, (name, label) in enumerate(sheet.chart_figures):
        values = [a.by_name()[name].value if name in a.by_name() else 0 for a in areas]
        ax.bar([x + i * width for x in range(len(areas))], values, width, label=label)
    ax.set_xticks([x + 0.4 - width / 2 for x in range(len(areas))])
    ax.set_xticklabels([a.area.name for a in areas], fontfamily=FONT_FAMILY, fontsize=8)
    ax.set_title(title, fontfamily=FONT_FAMILY)
    ax.legend(prop={"family": FONT_FAMILY, "size": 8})
    fig.tight_layout()
    return fig


def trend(sheet: ReportSheet, *, title: str) -> Figure | None:
    """Lines: the top area's charted figures in each of the last reports."""
    if len(sheet.trend) < 1 or not sheet.chart_figures:
        return None
    fig = _new()
    ax = fig.add_subplot()
    ticks = [f"{r.scheduled_for.astimezone(LOCAL_TZ):%m-%d %H:%M}" for r, _v in sheet.trend]
    for name, label in sheet.chart_figures:
        ax.plot(ticks, [v.get(name) for _r, v in sheet.trend], marker="o", label=label)
    ax.set_title(title, fontfamily=FONT_FAMILY)
    ax.tick_params(axis="x", labelrotation=45, labelsize=7)
    ax.legend(prop={"family": FONT_FAMILY, "size": 8})
    fig.tight_layout()
    return fig


def svg(fig: Figure | None, prefix: str) -> str:
    """The chart as inline SVG, its element ids prefixed so that two charts
    on one page do not share them."""
    if fig is None:
        return ""
    out = io.StringIO()
    with plt.rc_context({"font.family": FONT_FAMILY, "svg.fonttype": "none"}):
        fig.savefig(out, format="svg")
    text = out.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r'id="', f'id="{prefix}-', text)
    return re.sub(r'(href="#|url\(#)', lambda m: f"{m.group(1)}{prefix}-", text)


def png(fig: Figure | None) -> bytes:
    if fig is None:
        return b""
    out = io.BytesIO()
    with plt.rc_context({"font.family": FONT_FAMILY}):
        fig.savefig(out, format="png")
    return out.getvalue()
