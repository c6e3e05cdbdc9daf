"""The editors' dashboard: the desk's figures as charts, each with its numbers in a table beside it."""
from flask import Blueprint, render_template
from flask_login import current_user
from markupsafe import Markup

from factcheck import charts, dashboard
from factcheck.db import get_session
from factcheck.security import EDITORS, role_required

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.route("/")
@role_required(*EDITORS)
def index():
    figures = dashboard.build_dashboard(session=get_session(), actor=current_user)
    unit = median_unit(figures)
    return render_template("dashboard/index.html", d=figures, charts=draw_charts(figures, unit), unit=unit)


@bp.context_processor
def formatters() -> dict:
    return {"duration": charts.format_duration, "number": charts.format_number, "week_label": week_label}


def median_unit(d: dashboard.Dashboard) -> str:
    """The one unit the median chart, the weekly table and the headline all use, so they read alike."""
    return charts.duration_unit([w.median_hours for w in d.weeks] + [d.median_hours])


def week_label(day) -> str:
    return f"{day.day} {day:%b}"


UNIT_NAMES = {"min": "minutes", "h": "hours", "d": "days"}


def draw_charts(d: dashboard.Dashboard, unit: str = "h") -> dict[str, Markup]:
    """Presentation only: which figure becomes which kind of chart, with what labels."""
    weeks = [week_label(w.start) for w in d.weeks]

    def bars(key, title, labels, *series):
        return charts.bar_chart(chart_id=f"chart-{key}", title=title, labels=list(labels), series=list(series))

    return {
        "status": bars("status", "Claims by status", (c.label for c in d.by_status),
                       ("claims", [c.value for c in d.by_status])),
        "rating": bars("rating", "Published verdicts by rating", (c.label for c in d.by_rating),
                       ("verdicts", [c.value for c in d.by_rating])),
        "weekly": charts.column_chart(chart_id="chart-weekly", title="Claims signed off per week", labels=weeks,
                                      values=[w.checked for w in d.weeks]),
        "median": charts.line_chart(chart_id="chart-median",
                                    title=f"Median {UNIT_NAMES[unit]} from import to sign-off, per week",
                                    labels=weeks, values=[charts.in_unit(w.median_hours, unit) for w in d.weeks],
                                    unit=f" {unit}"),
        "load": bars("load", "Open work per assignee", (r.username for r in d.load),
                     ("in research", [r.in_research for r in d.load]),
                     ("verdict proposed", [r.verdict_proposed for r in d.load])),
        "repeated": bars("repeated", "Most repeated claims (claims per cluster)", (r.text for r in d.repeated),
                         ("claims", [r.claims for r in d.repeated])),
        "speakers": bars("speakers", "Speakers with the most false-rated claims", (s.speaker for s in d.false_speakers),
                         ("false-rated claims", [s.false_claims for s in d.false_speakers])),
    }
