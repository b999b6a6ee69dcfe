"""Geometry of the dashboard's small charts, drawn as inline SVG by the templates (no JavaScript, no CDN)."""

from __future__ import annotations

from dataclasses import dataclass

TIER_COLOURS = {"L1": "#2b8a3e", "L2": "#1098ad", "L3": "#4263eb", "miss": "#adb5bd"}


@dataclass(frozen=True)
class Column:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    show_label: bool

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class ColumnChart:
    width: int
    height: int
    baseline: float
    columns: list[Column]
    max_value: int


def column_chart(points: list[tuple[str, int]], *, width: int = 560, height: int = 170, label_every: int = 1) -> ColumnChart:
    """One column per point (e.g. new leads per day); the tallest reaches the top, labels under every
    `label_every`-th column so dates do not overlap."""
    label_band, top_band = 18, 14
    plot_height = height - label_band - top_band
    slot = width / max(len(points), 1)
    max_value = max((value for _, value in points), default=0)
    columns = []
    for index, (label, value) in enumerate(points):
        bar_height = plot_height * value / max_value if max_value else 0
        columns.append(Column(x=round(index * slot + slot * 0.15, 1), y=round(top_band + plot_height - bar_height, 1),
                              width=round(slot * 0.7, 1), height=round(bar_height, 1), label=label, value=value,
                              show_label=(len(points) - 1 - index) % label_every == 0))
    return ColumnChart(width=width, height=height, baseline=top_band + plot_height, columns=columns, max_value=max_value)


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    colour: str
    name: str
    share: float


@dataclass(frozen=True)
class StackedRow:
    label: str
    y: float
    total: int
    segments: list[Segment]


@dataclass(frozen=True)
class StackedChart:
    width: int
    height: int
    label_width: int
    row_height: int
    rows: list[StackedRow]
    legend: list[tuple[str, str]]


def stacked_shares(rows: list[tuple[str, dict[str, int]]], *, order: tuple[str, ...], colours: dict[str, str],
                   width: int = 560, label_width: int = 90, row_height: int = 26) -> StackedChart:
    """One horizontal 100% bar per row (e.g. per cache kind), split into `order` parts (e.g. L1, L2, L3, miss)."""
    plot_width = width - label_width
    stacked = []
    for index, (label, counts) in enumerate(rows):
        total = sum(counts.get(name, 0) for name in order)
        x, segments = float(label_width), []
        for name in order:
            share = counts.get(name, 0) / total if total else 0.0
            if share:
                segments.append(Segment(x=round(x, 1), width=round(plot_width * share, 1), colour=colours[name],
                                        name=name, share=share))
                x += plot_width * share
        stacked.append(StackedRow(label=label, y=index * row_height, total=total, segments=segments))
    return StackedChart(width=width, height=max(len(rows), 1) * row_height, label_width=label_width,
                        row_height=row_height, rows=stacked, legend=[(name, colours[name]) for name in order])
