"""The background scheduler: one leader among all workers runs the packages' sweeps.

Every worker process starts an APScheduler `AsyncIOScheduler` in the app's lifespan (when
SCHEDULER_ENABLED), but only the one holding the leader lock acts:

- on PostgreSQL, `pg_try_advisory_lock` on a dedicated asyncpg connection the leader keeps
  open; the lock dies with the connection, so a killed leader frees it at once;
- on SQLite, `fcntl.flock` on a file under VAR_DIR, which the kernel frees when the process dies.

A worker without the lead tries to take it at every tick (SCHEDULER_TICK_SECONDS) and at every
job's turn, and does nothing else; so after the leader dies another leads within one interval.
Each sweep is idempotent anyway, so a run from `marketplace jobs run` beside the leader, or a
short overlap when a leader loses its connection, does the work once.

Every run is recorded in `JobRun` (job, start, end, outcome, counts, error, worker).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import signal
import socket
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from types import FrameType
from typing import IO, Any, Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from piccolo.query.functions.aggregate import Count

from marketplace import packages
from marketplace.kernel.db import postgres_config
from marketplace.kernel.mail import deliver_outbox
from marketplace.kernel.settings import Settings, get_settings
from marketplace.kernel.tables import JobRun

log = logging.getLogger("marketplace.scheduler")

JobFunc = Callable[[dt.datetime, Settings], Awaitable[dict[str, int]]]

# Any 64-bit number all workers agree on; it spells "mp_sched".
ADVISORY_LOCK_KEY = 0x6D705F7363686564
STOP_GRACE_S = 20.0


@dataclass(frozen=True)
class JobSpec:
    """One scheduled sweep: its name, function and the setting naming its interval."""

    name: str
    func: JobFunc
    interval_setting: str
    text: str = ""  # what the job does, in Swedish, for the admins' page
    title: str = ""  # the job's name for people, in Swedish (the code name is for the CLI)

    @property
    def doc(self) -> str:
        return (self.func.__doc__ or "").strip().splitlines()[0] if self.func.__doc__ else ""

    @property
    def description(self) -> str:
        """What the job does, for people: the Swedish text, else the docstring's first line."""
        return self.text or self.doc

    def describe(self, settings: Settings) -> str:
        """What the job does, for people, with the settings its text names (`{name}`) filled
        in: "äldre än 90 dagar", never the setting's code name."""
        if not self.text:
            return self.doc
        values = {f.name: getattr(settings, f.name) for f in fields(settings)}
        return self.text.format_map(values)

    def interval(self, settings: Settings) -> int:
        return int(getattr(settings, self.interval_setting))


def worker_name() -> str:
    """This process, as job runs name it: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


CLI_PREFIX = "cli:"  # a run started from the command line (`marketplace jobs run`)


def worker_text(worker: str) -> str:
    """The process a run was recorded by (`worker_name`), in Swedish words for the jobs page:
    "arbetsprocess 6746 på den här servern", "kommandoraden, process 88 på server vm2".
    The stored "vm:6746" is the service's own shorthand, which no reader can act on."""
    by_hand = worker.startswith(CLI_PREFIX)
    host, _, pid = worker.removeprefix(CLI_PREFIX).rpartition(":")
    if not host or not pid.isdigit():
        return "okänd process"
    where = "den här servern" if host == socket.gethostname() else f"servern {host}"
    if by_hand:
        return f"kommandoraden, process {pid} på {where}"
    return f"arbetsprocess {pid} på {where}"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def prune_job_runs(now: dt.datetime, settings: Settings) -> dict[str, int]:
    """Delete job-run records older than JOB_RUN_KEEP_DAYS."""
    cutoff = now - dt.timedelta(days=settings.job_run_keep_days)
    rows = await JobRun.delete().where(JobRun.started_at < cutoff).returning(JobRun.id)
    return {"deleted": len(rows)}


def job_specs() -> dict[str, JobSpec]:
    """Every sweep, by name: the composition root's own and each package's `jobs.py`."""
    specs = {
        "deliver-outbox": JobSpec(
            "deliver-outbox",
            deliver_outbox,
            "outbox_interval_seconds",
            "Skickar köade mejl via SMTP, försöker igen med dem som inte gick fram och sätter "
            "ihop dagens sammanfattningar.",
            "Skicka mejl",
        ),
        "prune-job-runs": JobSpec(
            "prune-job-runs",
            prune_job_runs,
            "housekeeping_interval_seconds",
            "Raderar uppgifter om jobbkörningar som är äldre än {job_run_keep_days} dagar.",
            "Rensa gamla jobbkörningar",
        ),
    }
    # Each package's `jobs.py`: `JOBS = {name: (function, interval setting)}`, and, for the
    # admins' page, `JOB_TITLE = {name: its name for people}` and `JOB_TEXT = {name: what
    # the job does}`, in Swedish; a setting the text names is written `{setting_name}` and
    # shown as its value (`JobSpec.describe`).
    for module in packages.job_modules():
        texts = getattr(module, "JOB_TEXT", {})
        titles = getattr(module, "JOB_TITLE", {})
        for name, (func, interval_setting) in module.JOBS.items():
            specs[name] = JobSpec(
                name, func, interval_setting, texts.get(name, ""), titles.get(name, "")
            )
    return specs


# --- job runs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunResult:
    id: int
    job: str
    outcome: str
    counts: dict[str, int]
    error: str


async def run_job(
    name: str,
    *,
    now: dt.datetime | None = None,
    settings: Settings | None = None,
    worker: str | None = None,
) -> RunResult:
    """Run one sweep now and record the run. A failure is logged and recorded, not raised,
    so that the next tick retries it. Raises KeyError for an unknown job name."""
    spec = job_specs()[name]
    settings = settings or get_settings()
    started = now or utcnow()
    run = JobRun(job=name, started_at=started, worker=(worker or worker_name())[:100])
    await run.save()
    counts: dict[str, int] = {}
    outcome, error = "ok", ""
    try:
        counts = await spec.func(started, settings)
    except asyncio.CancelledError:
        # The worker is stopping and its scheduler cancels what has not finished: this run
        # never will, so it says so now, instead of staying `running` until another worker
        # takes the lead (there may be none).
        await _finish_run(int(run.id), "interrupted", counts, INTERRUPTED)
        raise
    except Exception as exc:  # a failed sweep must not stop the scheduler
        log.exception("job %s failed", name)
        outcome, error = "failed", f"{type(exc).__name__}: {exc}"[:4000]
    await _finish_run(int(run.id), outcome, counts, error)
    return RunResult(id=int(run.id), job=name, outcome=outcome, counts=counts, error=error)


INTERRUPTED = "Arbetsprocessen avbröts under körningen."


async def _finish_run(run_id: int, outcome: str, counts: dict[str, int], error: str) -> None:
    await JobRun.update(
        {
            JobRun.finished_at: utcnow(),
            JobRun.outcome: outcome,
            JobRun.counts: json.dumps(counts),
            JobRun.error: error,
        }
    ).where(JobRun.id == run_id)


async def list_runs(
    *, job: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[int, list[dict[str, Any]]]:
    """The recorded runs, newest first, and how many there are in all."""
    query = JobRun.select().order_by(JobRun.id, ascending=False).limit(limit).offset(offset)
    count_query = JobRun.select(Count(JobRun.id, alias="n"))
    if job:
        query = query.where(JobRun.job == job)
        count_query = count_query.where(JobRun.job == job)
    rows = await query
    total = await count_query.first()
    for row in rows:
        counts = row["counts"]
        row["counts"] = json.loads(counts) if isinstance(counts, str) else dict(counts or {})
    return int(total["n"] if total else 0), rows


async def last_runs() -> dict[str, dict[str, Any]]:
    """The latest run of each job, by job name."""
    latest: dict[str, dict[str, Any]] = {}
    for name in job_specs():
        _, rows = await list_runs(job=name, limit=1)
        if rows:
            latest[name] = rows[0]
    return latest


# --- leader election -------------------------------------------------------------------------


class LeaderLock(Protocol):
    """Held by at most one worker of a deployment at a time."""

    async def acquire(self) -> bool:
        """Take the lock if it is free, or confirm it is still ours. True if we hold it."""
        ...

    async def release(self) -> None: ...


class PostgresLeaderLock:
    """A session-level advisory lock on a connection of its own, held while it stays open."""

    def __init__(self, settings: Settings, key: int = ADVISORY_LOCK_KEY) -> None:
        self.config = postgres_config(settings.database_url)
        self.key = key
        self.connection: Any = None

    async def acquire(self) -> bool:
        import asyncpg

        if self.connection is not None:
            try:
                if not self.connection.is_closed():
                    await self.connection.fetchval("SELECT 1", timeout=10)
                    return True
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
                log.warning("scheduler lost its lock connection; giving up the lead")
            await self._close()
        try:
            connection = await asyncpg.connect(**self.config, timeout=10)
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            log.warning("scheduler cannot reach PostgreSQL for the leader lock: %s", exc)
            return False
        try:
            held = bool(
                await connection.fetchval("SELECT pg_try_advisory_lock($1)", self.key, timeout=10)
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
            held = False
        except BaseException:
            # Cancelled (a stopping scheduler cancels its tick): the connection would be left
            # open, and with it perhaps the lock.
            connection.terminate()
            raise
        if held:
            self.connection = connection
        else:
            await connection.close()
        return held

    async def _close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close(timeout=5)

    async def release(self) -> None:
        # Closing the session releases the lock.
        await self._close()


class FileLeaderLock:
    """An exclusive `flock` on a file; the kernel drops it when the process dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: IO[bytes] | None = None

    async def acquire(self) -> bool:
        if self.handle is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+b")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self.handle = handle
        return True

    async def release(self) -> None:
        handle, self.handle = self.handle, None
        if handle is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            handle.close()


def make_leader_lock(settings: Settings) -> LeaderLock:
    if settings.is_sqlite:
        return FileLeaderLock(settings.var_dir / "scheduler.lock")
    return PostgresLeaderLock(settings)


# --- the scheduler ---------------------------------------------------------------------------


class Scheduler:
    """One worker's scheduler. Only while it holds the leader lock does it run jobs."""

    def __init__(
        self,
        settings: Settings,
        *,
        worker: str | None = None,
        lock: LeaderLock | None = None,
    ) -> None:
        self.settings = settings
        self.worker = worker or worker_name()
        self.lock = lock or make_leader_lock(settings)
        self.specs = job_specs()
        self.is_leader = False
        # Set when the worker is told to stop (SIGTERM or SIGINT): uvicorn then drains its
        # connections before the lifespan's shutdown, and meanwhile this worker must not take
        # the lead or start a run that the shutdown would only cancel.
        self.stopping = False
        # Set by `stop` once it has given up the lead: a tick that was waiting for the guard
        # meanwhile must not take the lock again (its file handle or connection then leaked,
        # and a stopped scheduler held the lead).
        self._stopped = False
        self._lock_guard = asyncio.Lock()
        self._running: set[asyncio.Task[Any]] = set()
        self._aps = AsyncIOScheduler(timezone=dt.UTC)

    async def ensure_leader(self) -> bool:
        """Take or confirm the lead; True if this worker is the leader now. A stopping worker
        takes no lead (and a stopping leader keeps its lock until it stops)."""
        if self.stopping and not self.is_leader:
            return False
        async with self._lock_guard:
            if self._stopped:
                return False
            held = await self.lock.acquire()
            if held and not self.is_leader:
                log.info("scheduler %s took the lead", self.worker)
                await self._close_abandoned_runs()
            elif not held and self.is_leader:
                log.warning("scheduler %s lost the lead", self.worker)
            self.is_leader = held
            return held

    async def _close_abandoned_runs(self) -> None:
        """Runs left `running` by a previous leader that died can never finish: say so."""
        await JobRun.update(
            {
                JobRun.outcome: "interrupted",
                JobRun.error: INTERRUPTED,
                JobRun.finished_at: utcnow(),
            }
        ).where(
            (JobRun.outcome == "running")
            & (JobRun.worker != self.worker)
            & JobRun.worker.not_like("cli:%")
        )

    async def tick(self) -> None:
        """The leader check; a worker without the lead tries again at the next tick."""
        try:
            await self.ensure_leader()
        except Exception:
            log.exception("scheduler tick failed")

    async def run_if_leader(self, name: str) -> RunResult | None:
        """The scheduled entry of each job: run it only when this worker leads."""
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            if self.stopping or not await self.ensure_leader():
                return None
            return await run_job(name, settings=self.settings, worker=self.worker)
        except Exception:
            log.exception("scheduler could not run %s", name)
            return None
        finally:
            if task is not None:
                self._running.discard(task)

    async def start(self) -> None:
        now = utcnow()
        self._aps.add_job(
            self.tick,
            "interval",
            seconds=self.settings.scheduler_tick_seconds,
            id="leader-tick",
            next_run_time=now,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        for offset, spec in enumerate(self.specs.values()):
            self._aps.add_job(
                self.run_if_leader,
                "interval",
                args=[spec.name],
                seconds=spec.interval(self.settings),
                id=spec.name,
                # Spread the first runs a little so that they do not all start at once.
                next_run_time=now + dt.timedelta(milliseconds=200 * (offset + 1)),
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
            )
        self._aps.start()
        log.info("scheduler started in %s with %d jobs", self.worker, len(self.specs))

    async def stop(self) -> None:
        """Stop taking new runs, let running ones finish (a sent mail gets marked sent),
        then give up the lead."""
        if self._aps.running:
            self._aps.pause()
        if self._running:
            await asyncio.wait(set(self._running), timeout=STOP_GRACE_S)
        if self._aps.running:
            self._aps.shutdown(wait=False)
        async with self._lock_guard:
            await self.lock.release()
            self.is_leader = False
            self._stopped = True


EXIT_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextlib.contextmanager
def stop_signals_mark(scheduler: Scheduler) -> Iterator[None]:
    """While the app runs, a stop signal first marks the scheduler as stopping, then goes on
    to the handler that was there (uvicorn's, which drains connections before the lifespan's
    shutdown). Outside the main thread, signals cannot be caught: nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in EXIT_SIGNALS}

    def mark(sig: int, frame: FrameType | None) -> None:
        scheduler.stopping = True
        before = previous[signal.Signals(sig)]
        if callable(before):
            before(sig, frame)
        elif before == signal.SIG_DFL:
            signal.signal(sig, signal.SIG_DFL)
            signal.raise_signal(sig)

    for sig in EXIT_SIGNALS:
        signal.signal(sig, mark)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            if signal.getsignal(sig) is mark:
                signal.signal(sig, handler)


@contextlib.asynccontextmanager
async def scheduler_hook(app: Any) -> AsyncIterator[None]:
    """Lifespan hook: run this worker's scheduler while the app runs."""
    scheduler = Scheduler(get_settings())
    await scheduler.start()
    app.state.scheduler = scheduler
    try:
        with stop_signals_mark(scheduler):
            yield
    finally:
        await scheduler.stop()
