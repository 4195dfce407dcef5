"""The scheduler: one leader, takeover, recorded runs, the jobs CLI, API and admin page."""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import os
import re
import subprocess
import sys
import warnings
from typing import Any

import pytest

from marketplace import scheduler as scheduler_module
from marketplace.app import collect_hooks
from marketplace.jobs_views import every
from marketplace.kernel.settings import get_settings
from marketplace.kernel.tables import JobRun
from marketplace.scheduler import Scheduler, job_specs, run_job, scheduler_hook
from tests.conftest import login

EVERY_JOB = {
    "deliver-outbox",
    "prune-job-runs",
    "expire-slots",
    "activate-placements",
    "remind-proposals",
    "remind-signatures",
    "follow-ups",
    "remind-assessments",
    "flag-lock-in",
    "remind-attendance",
}


async def test_every_sweep_of_the_issue_is_registered():
    assert set(job_specs()) >= EVERY_JOB


async def test_only_one_scheduler_leads_and_another_takes_over_when_it_goes():
    settings = get_settings()
    first = Scheduler(settings, worker="w1")
    second = Scheduler(settings, worker="w2")
    try:
        assert await first.ensure_leader()
        assert not await second.ensure_leader()
        assert await first.ensure_leader()  # the leader keeps its lead
        assert await second.run_if_leader("prune-job-runs") is None
        assert await first.run_if_leader("prune-job-runs") is not None
        assert [r["worker"] for r in await JobRun.select(JobRun.worker)] == ["w1"]
        # The leader dies (its lock connection or file handle goes away) ...
        await first.lock.release()
        # ... and the next tick of the other worker takes over.
        await second.tick()
        assert second.is_leader
        assert not await first.ensure_leader()
    finally:
        await first.stop()
        await second.stop()


async def test_a_tick_waiting_while_the_scheduler_stops_takes_no_lead_after_it():
    """A leader check that waited for the guard while `stop` gave up the lead must not take
    the lock again: the stopped scheduler held the lead, and its lock file's handle leaked
    (a ResourceWarning in a later test)."""
    scheduler = Scheduler(get_settings(), worker="w1")
    assert await scheduler.ensure_leader()
    async with scheduler._lock_guard:
        stopping = asyncio.create_task(scheduler.stop())
        await asyncio.sleep(0)
        late_tick = asyncio.create_task(scheduler.ensure_leader())
        await asyncio.sleep(0)
    await stopping
    assert await late_tick is False
    assert not scheduler.is_leader
    # The lock is free: another worker takes it at once.
    other = Scheduler(get_settings(), worker="w2")
    try:
        assert await other.ensure_leader()
    finally:
        await other.stop()


@pytest.mark.postgres_only
async def test_a_leader_check_cancelled_midway_leaves_no_connection_open():
    """A stopping scheduler cancels a tick that may be taking the lock: wherever the
    cancellation lands (while connecting, while asking for the lock, after), no connection
    is left to the garbage collector (one was, with a ResourceWarning)."""
    lock = scheduler_module.PostgresLeaderLock(get_settings())
    outcomes: list[str] = []
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        # Ever later cancellations, until a few came too late to stop the lock being taken
        # (a loaded machine connects more slowly).
        for step in range(1000):
            task = asyncio.create_task(lock.acquire())
            await asyncio.sleep(step * 0.0005)
            task.cancel()
            try:
                if await task:
                    await lock.release()
                outcomes.append("done")
            except asyncio.CancelledError:
                outcomes.append("cancelled")
            del task
            if outcomes.count("done") >= 3:
                break
        gc.collect()
    assert "cancelled" in outcomes and "done" in outcomes
    assert not [w for w in seen if issubclass(w.category, ResourceWarning)]


async def test_new_leader_closes_runs_a_dead_leader_left_running():
    await JobRun(job="expire-slots", worker="dead:1", outcome="running").save()
    await JobRun(job="expire-slots", worker="cli:host:2", outcome="running").save()
    scheduler = Scheduler(get_settings(), worker="w1")
    try:
        assert await scheduler.ensure_leader()
    finally:
        await scheduler.stop()
    rows = {r["worker"]: r["outcome"] for r in await JobRun.select(JobRun.worker, JobRun.outcome)}
    assert rows == {"dead:1": "interrupted", "cli:host:2": "running"}


async def test_a_run_cancelled_as_its_worker_stops_is_recorded_as_interrupted(monkeypatch):
    """A stopping worker's scheduler cancels the runs it has not finished (APScheduler's
    shutdown); each says so at once instead of staying `running` with no leader to close it."""
    started = asyncio.Event()

    async def slow(now: Any, settings: Any) -> dict[str, int]:
        started.set()
        await asyncio.sleep(60)
        return {}

    spec = dataclasses.replace(job_specs()["expire-slots"], func=slow)
    monkeypatch.setattr(scheduler_module, "job_specs", lambda: {"expire-slots": spec})
    task = asyncio.create_task(run_job("expire-slots", worker="w1"))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    [row] = await JobRun.select(JobRun.outcome, JobRun.finished_at, JobRun.error)
    assert row["outcome"] == "interrupted" and row["finished_at"] is not None
    assert row["error"] == scheduler_module.INTERRUPTED


async def test_started_scheduler_runs_every_job_and_records_each_run():
    settings = dataclasses.replace(
        get_settings(),
        scheduler_tick_seconds=1,
        sweep_interval_seconds=1,
        outbox_interval_seconds=1,
        housekeeping_interval_seconds=1,
        smtp_port=9,  # nothing to send; the outbox is empty
    )
    scheduler = Scheduler(settings, worker="w-test")
    await scheduler.start()
    try:
        for _ in range(100):
            await asyncio.sleep(0.1)
            done = {r["job"] for r in await JobRun.select(JobRun.job).where(JobRun.outcome == "ok")}
            if done >= set(job_specs()):
                break
    finally:
        await scheduler.stop()
    runs = await JobRun.select().order_by(JobRun.id)
    assert {r["job"] for r in runs} == set(job_specs())
    assert {r["outcome"] for r in runs} == {"ok"}
    assert {r["worker"] for r in runs} == {"w-test"}
    assert all(r["finished_at"] >= r["started_at"] for r in runs)


async def test_scheduler_hook_is_in_the_lifespan_only_when_enabled():
    settings = get_settings()
    assert scheduler_hook in collect_hooks(dataclasses.replace(settings, scheduler_enabled=True))
    assert scheduler_hook not in collect_hooks(
        dataclasses.replace(settings, scheduler_enabled=False)
    )


async def test_admin_sees_job_runs_others_do_not(client, make_user, make_client):
    await make_user("admin", username="admin")
    await make_user("coordinator", username="sara")
    await run_job("expire-slots", worker="w9")
    anonymous = await make_client()
    assert (await anonymous.get("/api/v1/jobs/runs")).status_code == 401
    await login(client, "sara")
    assert (await client.get("/api/v1/jobs/runs")).status_code == 403
    assert (await client.get("/drift/jobb", headers={"accept": "text/html"})).status_code == 403
    await login(client, "admin")
    runs = (await client.get("/api/v1/jobs/runs")).json()
    assert runs["total"] == 1
    [run] = runs["items"]
    assert run["job"] == "expire-slots" and run["outcome"] == "ok" and run["worker"] == "w9"
    assert run["counts"] == {"closed": 0, "recounted": 0}
    assert (await client.get("/api/v1/jobs/runs?job=finns-inte")).status_code == 400
    assert (await client.get("/api/v1/jobs/runs?limit=0")).status_code == 400
    jobs = {j["name"]: j for j in (await client.get("/api/v1/jobs")).json()}
    assert set(jobs) == set(job_specs())
    assert jobs["expire-slots"]["last_run"]["id"] == run["id"]
    assert jobs["deliver-outbox"]["last_run"] is None
    page = await client.get("/drift/jobb", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "Schemalagda jobb" in page.text and "okänd process" in page.text
    assert "Stäng platser som gått ut" in page.text  # its name for people
    # Said in words: no command, no setting's code name, how often in Swedish.
    shown = re.sub(r"<[^>]+>", " ", page.text.split('id="main"', 1)[1])
    for code in ("Kommando", "deliver-outbox", "expire-slots", "_DAYS", "_YEARS", "LOCK_IN"):
        assert code not in shown, code
    assert "äldre än 90 dagar" in shown  # JOB_RUN_KEEP_DAYS's value
    assert "Var 30:e sekund" in shown and "Varje timme" in shown


async def test_the_jobs_page_says_which_process_ran_a_job_in_words(client, make_user):
    """A tester's day: the page's Process column read "vm:6746", the service's shorthand for
    host and process. It says in Swedish which process ran the job, and where."""
    await make_user("admin", username="admin")
    here = scheduler_module.worker_name()
    await run_job("expire-slots")  # this process, as the scheduler names it
    await run_job("expire-slots", worker="vm2:6746")
    await run_job("expire-slots", worker=f"{scheduler_module.CLI_PREFIX}{here}")
    await login(client, "admin")
    page = await client.get("/drift/jobb", headers={"accept": "text/html"})
    cells = re.findall(r"<td>([^<]*)</td>", page.text)
    pid = here.rpartition(":")[2]
    assert f"arbetsprocess {pid} på den här servern" in cells
    assert "arbetsprocess 6746 på servern vm2" in cells
    assert f"kommandoraden, process {pid} på den här servern" in cells
    assert "vm2:6746" not in page.text and here not in page.text
    # The API, for programs, keeps the stored name.
    runs = (await client.get("/api/v1/jobs/runs")).json()["items"]
    assert {r["worker"] for r in runs} == {here, "vm2:6746", f"cli:{here}"}


def test_how_often_a_job_runs_in_words():
    assert [every(n) for n in (1, 30, 60, 600, 3600, 7200, 86400, 90, 21 * 60, 12 * 3600)] == [
        "varje sekund",
        "var 30:e sekund",
        "varje minut",
        "var 10:e minut",
        "varje timme",
        "var 2:a timme",
        "varje dygn",
        "var 90:e sekund",
        "var 21:a minut",
        "var 12:e timme",
    ]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "marketplace.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SCHEDULER_ENABLED": "false"},
        check=False,
    )


async def test_cli_runs_a_job_now_and_lists_the_runs():
    ran = await asyncio.to_thread(_cli, "jobs", "run", "expire-slots")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "Jobbet expire-slots klart: closed 0, recounted 0."
    listed = await asyncio.to_thread(_cli, "jobs", "list")
    assert listed.returncode == 0, listed.stderr
    assert "expire-slots" in listed.stdout and " ok " in listed.stdout
    assert "Visar 1 av 1 körningar." in listed.stdout
    unknown = await asyncio.to_thread(_cli, "jobs", "run", "städa")
    assert unknown.returncode == 1
    assert "Okänt jobb 'städa'" in unknown.stderr


def test_every_job_has_a_swedish_name_and_text():
    """The jobs page names each job in Swedish and says what it does in Swedish, the
    settings it names by their values; the code name is only for the CLI."""
    settings = get_settings()
    for name, spec in job_specs().items():
        assert spec.title and spec.title != name, name
        assert spec.text, f"{name} has no Swedish text (its docstring would show)"
        said = spec.describe(settings)
        assert not re.search(r"[A-Z]{2,}_[A-Z_]+|[{}]", said), said


async def test_a_worker_told_to_stop_takes_no_lead_and_starts_no_run():
    """SIGTERM reaches uvicorn, which drains connections before the lifespan's shutdown; a
    worker used to take the lead meanwhile and start sweeps its shutdown then cancelled."""
    import signal

    settings = get_settings()
    leader, follower = Scheduler(settings, worker="w1"), Scheduler(settings, worker="w2")
    told: list[int] = []
    before = signal.signal(signal.SIGTERM, lambda sig, frame: told.append(sig))
    try:
        assert await leader.ensure_leader()
        with scheduler_module.stop_signals_mark(follower):
            assert not follower.stopping
            signal.raise_signal(signal.SIGTERM)
            assert follower.stopping and told == [signal.SIGTERM]  # and on to the handler
        await leader.lock.release()  # the leader goes away ...
        assert not await follower.ensure_leader()  # ... and the stopping worker stays out
        await follower.tick()
        assert not follower.is_leader
        assert await follower.run_if_leader("prune-job-runs") is None
        # A leader told to stop keeps its lock until it stops, but starts nothing new.
        assert await leader.ensure_leader()
        leader.stopping = True
        assert await leader.ensure_leader()
        assert await leader.run_if_leader("prune-job-runs") is None
        assert await JobRun.count() == 0
    finally:
        signal.signal(signal.SIGTERM, before)
        await leader.stop()
        await follower.stop()


def test_the_stop_mark_gives_the_signal_back_as_it_found_it():
    import signal

    scheduler = Scheduler(get_settings(), worker="w1")

    def mine(sig: int, frame: Any) -> None:
        return None

    before = signal.signal(signal.SIGTERM, mine)
    try:
        with scheduler_module.stop_signals_mark(scheduler):
            assert signal.getsignal(signal.SIGTERM) is not mine
        assert signal.getsignal(signal.SIGTERM) is mine
    finally:
        signal.signal(signal.SIGTERM, before)


def test_the_stop_mark_leaves_signals_alone_outside_the_main_thread_and_when_replaced():
    import signal
    import threading

    scheduler = Scheduler(get_settings(), worker="w1")
    before = signal.getsignal(signal.SIGTERM)
    seen: list[object] = []

    def in_a_thread() -> None:
        with scheduler_module.stop_signals_mark(scheduler):
            seen.append(signal.getsignal(signal.SIGTERM))

    thread = threading.Thread(target=in_a_thread)
    thread.start()
    thread.join()
    assert seen == [before]  # signals are the main thread's: nothing was installed

    def theirs(sig: int, frame: Any) -> None:
        return None

    try:
        with scheduler_module.stop_signals_mark(scheduler):
            signal.signal(signal.SIGTERM, theirs)  # someone else's handler meanwhile
        assert signal.getsignal(signal.SIGTERM) is theirs  # left as it was found
    finally:
        signal.signal(signal.SIGTERM, before)


def test_with_no_handler_before_it_the_stop_signal_still_ends_the_process():
    """Where no handler was installed before (SIG_DFL), the mark then ends the process by the
    signal, as the default would."""
    code = (
        "import signal\n"
        "from marketplace import scheduler as s\n"
        "signal.signal(signal.SIGTERM, signal.SIG_DFL)\n"
        "class Fake:\n"
        "    stopping = False\n"
        "fake = Fake()\n"
        "with s.stop_signals_mark(fake):\n"
        "    signal.raise_signal(signal.SIGTERM)\n"
        "print('not reached')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == -15, (done.returncode, done.stderr)
    assert "not reached" not in done.stdout


def test_with_no_handler_before_it_the_mark_gives_the_signal_to_the_default(monkeypatch):
    """In process: the mark marks, restores the default action and raises the signal again."""
    import signal

    scheduler = Scheduler(get_settings(), worker="w1")
    raised: list[int] = []
    before = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        with scheduler_module.stop_signals_mark(scheduler):
            mark = signal.getsignal(signal.SIGTERM)
            assert callable(mark)
            monkeypatch.setattr(signal, "raise_signal", raised.append)
            mark(signal.SIGTERM, None)
            assert scheduler.stopping and raised == [signal.SIGTERM]
            assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    finally:
        signal.signal(signal.SIGTERM, before)
