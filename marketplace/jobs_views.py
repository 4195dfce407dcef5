"""The scheduled jobs as admins see them: JSON API and an HTML page listing the runs.

Kept apart from `controllers.py` and `views.py` because it is one topic with both faces.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromQuery
from litestar.response import Template

from marketplace import scheduler
from marketplace.kernel.auth import admin_only
from marketplace.kernel.clock import STOCKHOLM
from marketplace.kernel.errors import ValidationFailed
from marketplace.kernel.paging import Limit, Offset, check_offset
from marketplace.kernel.schemas import JobOut, JobRunOut, JobRunPage
from marketplace.kernel.settings import get_settings
from marketplace.kernel.views import page


def run_out(row: dict[str, Any]) -> JobRunOut:
    return JobRunOut(
        id=row["id"],
        job=row["job"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        outcome=row["outcome"],
        counts={str(k): int(v) for k, v in row["counts"].items()},
        error=row["error"],
        worker=row["worker"],
    )


async def jobs_overview() -> list[JobOut]:
    """Every sweep with its interval and latest run."""
    settings = get_settings()
    latest = await scheduler.last_runs()
    return [
        JobOut(
            name=spec.name,
            title=spec.title or spec.name,
            description=spec.describe(settings),
            interval_seconds=spec.interval(settings),
            last_run=run_out(latest[spec.name]) if spec.name in latest else None,
        )
        for spec in scheduler.job_specs().values()
    ]


_UNITS = (
    (86_400, "dygn", "dygn"),
    (3_600, "timme", "timme"),
    (60, "minut", "minut"),
    (1, "sekund", "sekund"),
)


def every(seconds: int) -> str:
    """How often a job runs, in Swedish words: "varje timme", "var 10:e minut"."""
    for size, one, unit in _UNITS:
        if seconds % size == 0 or size == 1:
            n = seconds // size
            if n == 1:
                return f"varje {one}"
            suffix = "a" if n % 10 in (1, 2) and n % 100 not in (11, 12) else "e"
            return f"var {n}:{suffix} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover - size 1 always answers


async def runs_page(job: str | None, limit: int, offset: int) -> JobRunPage:
    if job and job not in scheduler.job_specs():
        raise ValidationFailed(
            f"Okänt jobb {job!r}. Välj ett av: {', '.join(sorted(scheduler.job_specs()))}.",
            fields=["job"],
        )
    total, rows = await scheduler.list_runs(job=job, limit=limit, offset=offset)
    return JobRunPage(total=total, limit=limit, offset=offset, items=[run_out(r) for r in rows])


class JobController(Controller):
    path = "/api/v1/jobs"
    guards = [admin_only]
    tags = ["jobs"]

    @get("/", operation_id="listJobs")
    async def list_jobs(self) -> list[JobOut]:
        """The scheduled sweeps, their intervals and their latest runs."""
        return await jobs_overview()

    @get("/runs", operation_id="listJobRuns")
    async def list_runs(
        self,
        job: FromQuery[str | None] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> JobRunPage:
        """Recorded job runs, newest first: start, end, outcome, counts and error."""
        return await runs_page(job, limit, offset)


@get("/drift/jobb", guards=[admin_only], include_in_schema=False, name="jobs-page")
async def jobs_page(
    request: Request[Any, Any, Any],
    job: FromQuery[str | None] = None,
    offset: Offset = 0,
) -> Template:
    """Admins' page: every sweep, and the latest runs (of one job, if chosen)."""
    runs = await runs_page(job or None, 50, offset)
    check_offset(offset, runs.total, runs.limit)  # past the last run: to the last page
    return page(
        "jobs.html",
        request,
        jobs=await jobs_overview(),
        titles={name: spec.title or name for name, spec in scheduler.job_specs().items()},
        runs=runs,
        job=job or "",
        tz=STOCKHOLM,
        every=every,
        worker_text=scheduler.worker_text,
    )


ROUTES: list[Any] = [JobController, jobs_page]
