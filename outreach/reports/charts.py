"""Charts as plain SVG numbers for the templates: no script, no CDN, readable by a screen reader through the
table that accompanies each one."""

from dataclasses import dataclass
from datetime import date

from flask_babel import format_date

WIDTH, HEIGHT = 720, 160
MAX_BAR = 40  # a few days' bars stay bars, not a wall


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


def day_bars(days: list[tuple[date, int]]) -> list[Bar]:
    """One bar per day, scaled to the busiest day."""
    if not days:
        return []
    top = max(count for _day, count in days) or 1
    step = WIDTH / len(days)
    return [
        Bar(
            x=round(index * step, 2),
            y=round(HEIGHT - count / top * HEIGHT, 2),
            width=round(min(max(step - 1, 1), MAX_BAR), 2),
            height=round(count / top * HEIGHT, 2),
            label=format_date(day, "short"),
            value=count,
        )
        for index, (day, count) in enumerate(days)
    ]


@dataclass
class RateRow:
    label: str
    y: float
    width: float  # the rate's bar
    low: float  # the interval's ends, in pixels
    high: float
    rate: float
    counted: int


RATE_WIDTH, ROW = 480, 26


def rate_rows(rows: list[tuple[str, float, tuple[float, float], int]]) -> list[RateRow]:
    """A horizontal bar per group for its reply rate, with a line for the 95 % interval."""
    return [
        RateRow(label, index * ROW, rate * RATE_WIDTH, low * RATE_WIDTH, high * RATE_WIDTH, rate, counted)
        for index, (label, rate, (low, high), counted) in enumerate(rows)
    ]
