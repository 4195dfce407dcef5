"""The `marketplace` command: serve, migrate, demo, users, tokens, backup and restore.

Each failure is one clear line on stderr and a non-zero exit. Packages add their own
subcommands (import-slots, export-slots, jobs) through `COMMANDS`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Coroutine
from typing import Any

import marketplace  # noqa: F401  (sets PICCOLO_CONF before any table is imported)
from marketplace.settings import SettingsError, get_settings

Handler = Callable[[argparse.Namespace], Coroutine[Any, Any, int]]


class CommandError(Exception):
    """A CLI command failed for a reason the user can fix; the message is one line."""


def _run(coro: Coroutine[Any, Any, int]) -> int:
    return asyncio.run(coro)


async def cmd_migrate(args: argparse.Namespace) -> int:
    from marketplace.migrate import apply_migrations

    applied = await apply_migrations()
    print(f"Migreringar klara ({applied} nya).")
    return 0


async def cmd_demo(args: argparse.Namespace) -> int:
    from marketplace.demo import DEMO_PASSWORD, DEMO_ROLE_TEXT, DEMO_USERS, load_demo
    from marketplace.migrate import apply_migrations

    await apply_migrations()
    summary = await load_demo()
    print("Demodata laddad: " + ", ".join(f"{k} {v}" for k, v in summary.items()))
    logins = ", ".join(f"{u[0]} ({DEMO_ROLE_TEXT[u[0]]})" for u in DEMO_USERS)
    print(f"Demoinloggningar (lösenord {DEMO_PASSWORD}): {logins}")
    return 0


async def cmd_users(args: argparse.Namespace) -> int:
    from marketplace import auth
    from marketplace.tables import User

    if args.action == "create":
        password = args.password or os.environ.get("MARKETPLACE_PASSWORD", "")
        if not password:
            raise CommandError("Ange --password eller miljövariabeln MARKETPLACE_PASSWORD.")
        user = await auth.create_user(
            args.username, password, args.role, email=args.email or "", team=args.team or ""
        )
        print(f"Användare {user.username} ({user.role}) skapad med id {user.id}.")
    elif args.action == "list":
        rows = await User.select(
            User.id, User.username, User.role, User.email, User.active
        ).order_by(User.username)
        for row in rows:
            state = "aktiv" if row["active"] else "avstängd"
            print(
                f"{row['id']:>5}  {row['username']:<24} {row['role']:<12} {state:<9} {row['email']}"
            )
    else:
        await auth.set_active(args.username, False)
        print(f"Användaren {args.username} är avstängd och utloggad.")
    return 0


async def cmd_tokens(args: argparse.Namespace) -> int:
    from marketplace import auth

    if args.action == "create":
        token_id, raw = await auth.create_token(args.username, args.name)
        print(f"API-nyckel {token_id} skapad. Den visas bara nu:")
        print(raw)
    else:
        if not await auth.revoke_token(args.token_id):
            raise CommandError(f"Ingen aktiv API-nyckel med id {args.token_id}.")
        print(f"API-nyckel {args.token_id} återkallad.")
    return 0


async def cmd_backup(args: argparse.Namespace) -> int:
    from marketplace.backup import backup

    path = await backup(get_settings(), args.path)
    print(f"Säkerhetskopia skriven till {path}.")
    return 0


async def cmd_restore(args: argparse.Namespace) -> int:
    from marketplace.backup import restore

    await restore(get_settings(), args.path)
    print(f"Databasen återställd från {args.path}.")
    return 0


async def cmd_jobs(args: argparse.Namespace) -> int:
    from marketplace import scheduler
    from marketplace.clock import STOCKHOLM

    if args.action == "run":
        if args.name not in scheduler.job_specs():
            names = ", ".join(sorted(scheduler.job_specs()))
            raise CommandError(f"Okänt jobb {args.name!r}. Välj ett av: {names}.")
        result = await scheduler.run_job(args.name, worker=f"cli:{scheduler.worker_name()}")
        counts = ", ".join(f"{k} {v}" for k, v in result.counts.items()) or "inget att göra"
        if result.outcome != "ok":
            raise CommandError(f"Jobbet {args.name} misslyckades: {result.error}")
        print(f"Jobbet {args.name} klart: {counts}.")
        return 0
    specs = scheduler.job_specs()
    if args.job and args.job not in specs:
        raise CommandError(f"Okänt jobb {args.job!r}. Välj ett av: {', '.join(sorted(specs))}.")
    total, runs = await scheduler.list_runs(job=args.job, limit=args.limit)
    if not runs:
        print("Inga körningar registrerade ännu. Jobb: " + ", ".join(sorted(specs)) + ".")
        return 0
    print(
        f"{'id':>6}  {'jobb':<20} {'start (svensk tid)':<19}  {'tid':>6}  {'utfall':<11} {'process':<22} antal"
    )
    for run in runs:
        start = run["started_at"].astimezone(STOCKHOLM)
        took = (
            f"{(run['finished_at'] - run['started_at']).total_seconds():.1f}s"
            if run["finished_at"]
            else "–"
        )
        counts = ", ".join(f"{k} {v}" for k, v in run["counts"].items())
        print(
            f"{run['id']:>6}  {run['job']:<20} {start:%Y-%m-%d %H:%M:%S}  {took:>6}  "
            f"{run['outcome']:<11} {run['worker'][:22]:<22} {counts}"
        )
        if run["error"]:
            print(f"{'':>8}fel: {run['error'].splitlines()[0][:200]}")
    print(f"Visar {len(runs)} av {total} körningar.")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from marketplace.settings import serve_base_url

    # Mail links point at the port the service really runs on unless BASE_URL says otherwise;
    # the workers uvicorn starts inherit the environment.
    os.environ["BASE_URL"] = serve_base_url(args.host, args.port)
    get_settings.cache_clear()
    settings = get_settings()
    if args.demo:
        _run(cmd_demo(args))
    else:
        _run(cmd_migrate(args))
    print(
        f"Tjänsten startar på http://{args.host}:{args.port}/ (databas: {settings.database_url.split('@')[-1]})"
    )
    uvicorn.run(
        "marketplace.app:serve_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning" if settings.is_production else "info",
        proxy_headers=True,
    )
    return 0


class ProgressBar:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.enabled = sys.stderr.isatty()
        self.drawn = -1

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        percent = done * 100 // total
        if percent != self.drawn:
            self.drawn = percent
            bar = "#" * (percent // 4)
            print(
                f"\r{self.label} [{bar:<25}] {percent:3d}% ({done}/{total})",
                end="",
                file=sys.stderr,
            )
            if done >= total:
                print(file=sys.stderr)


async def cmd_import_slots(args: argparse.Namespace) -> int:
    from pathlib import Path

    from placements.exchange import ExchangeError, guess_format, import_slots

    en = get_settings().cli_language == "en"
    path = Path(args.file)
    if not path.is_file():
        raise CommandError(f"File not found: {path}" if en else f"Filen finns inte: {path}")
    try:
        report = await import_slots(
            path.read_bytes(),
            args.format or guess_format(path.name),
            source=args.source,
            skip_bad_rows=args.skip_bad_rows,
            draft=args.draft,
            language="en" if en else "sv",
            progress=ProgressBar("Writing" if en else "Skriver"),
        )
    except ExchangeError as exc:
        raise CommandError(str(exc)) from None
    for error in report.errors:
        where = (
            f"line {error.line}, field {error.field or '-'}"
            if en
            else f"rad {error.line}, fält {error.field or '-'}"
        )
        print(f"{path.name}: {where}: {error.reason}", file=sys.stderr)
    for notice in report.notices:
        where = f"line {notice.line}" if en else f"rad {notice.line}"
        print(f"{path.name}: {where}: {notice.text}", file=sys.stderr)
    if report.more_notices:
        print(
            f"{path.name}: {report.more_notices} more notices not listed"
            if en
            else f"{path.name}: {report.more_notices} meddelanden till som inte visas",
            file=sys.stderr,
        )
    if report.more_errors:
        print(
            f"{path.name}: {report.more_errors} more errors not listed"
            if en
            else f"{path.name}: {report.more_errors} fel till som inte visas",
            file=sys.stderr,
        )
    if not report.written:
        bad = f"{len({e.line for e in report.errors})}{'+' if report.more_errors else ''}"
        raise CommandError(
            f"{bad} bad rows; nothing was imported. Correct them, or use --skip-bad-rows."
            if en
            else f"{bad} felaktiga rader; inget importerades. Rätta dem, eller använd --skip-bad-rows."
        )
    print(
        f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.skipped} skipped; {report.hosts_created} new hosts."
        if en
        else f"{report.created} nya, {report.updated} ändrade, {report.unchanged} oförändrade, "
        f"{report.skipped} överhoppade; {report.hosts_created} nya värdar."
    )
    return 0


async def cmd_export_slots(args: argparse.Namespace) -> int:
    from placements.exchange import export_slots

    fmt = args.format or (args.output.rsplit(".", 1)[-1] if args.output else "jsonl")
    if fmt not in {"jsonl", "csv", "xlsx"}:
        fmt = "jsonl"
    body = await export_slots(fmt, status=args.status, source=args.source)
    if args.output:
        from pathlib import Path

        await asyncio.to_thread(Path(args.output).write_bytes, body)
        print(f"Platser exporterade till {args.output}.", file=sys.stderr)
    elif fmt == "xlsx" and sys.stdout.isatty():
        raise CommandError("Ange --output FIL för XLSX.")
    else:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    return 0


COMMANDS: dict[str, Handler] = {
    "migrate": cmd_migrate,
    "demo": cmd_demo,
    "users": cmd_users,
    "tokens": cmd_tokens,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "import-slots": cmd_import_slots,
    "export-slots": cmd_export_slots,
    "jobs": cmd_jobs,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="marketplace",
        description="Praktikplatser – marknadsplats för praktik och arbetsträning.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="Kör tjänsten (kör migreringar först).")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--demo", action="store_true", help="Ladda demodata innan start.")

    sub.add_parser("migrate", help="Kör databasmigreringar.")
    sub.add_parser("demo", help="Ladda demodata (går att köra flera gånger).")

    users = sub.add_parser("users", help="Hantera användare.")
    users_sub = users.add_subparsers(dest="action", required=True)
    create = users_sub.add_parser("create")
    create.add_argument("username")
    # A partner contact is made on /drift/samverkan, bound to an agency there: made here it
    # would belong to no agency.
    create.add_argument(
        "--role",
        required=True,
        choices=["admin", "coordinator", "host", "analyst"],
        help="Partnerkontakter läggs upp under Drift → Samverkan, knutna till sin myndighet.",
    )
    create.add_argument("--password", help="Annars läses MARKETPLACE_PASSWORD.")
    create.add_argument("--email")
    create.add_argument("--team")
    users_sub.add_parser("list")
    disable = users_sub.add_parser("disable")
    disable.add_argument("username")

    tokens = sub.add_parser("tokens", help="Hantera API-nycklar.")
    tokens_sub = tokens.add_subparsers(dest="action", required=True)
    tcreate = tokens_sub.add_parser("create")
    tcreate.add_argument("username")
    tcreate.add_argument("--name", default="integration")
    trevoke = tokens_sub.add_parser("revoke")
    trevoke.add_argument("token_id", type=int)

    backup = sub.add_parser("backup", help="Säkerhetskopiera databasen till en fil.")
    backup.add_argument("path")
    restore = sub.add_parser("restore", help="Återställ databasen från en säkerhetskopia.")
    restore.add_argument("path")

    jobs = sub.add_parser("jobs", help="Schemalagda jobb: lista körningar, kör ett jobb nu.")
    jobs_sub = jobs.add_subparsers(dest="action", required=True)
    jlist = jobs_sub.add_parser("list", help="Senaste körningarna, nyast först.")
    jlist.add_argument("--job", help="Bara det här jobbet.")
    jlist.add_argument("--limit", type=int, default=30)
    jrun = jobs_sub.add_parser("run", help="Kör ett jobb nu (oavsett vilken process som leder).")
    jrun.add_argument("name")

    imp = sub.add_parser("import-slots", help="Importera platser (JSONL eller CSV).")
    imp.add_argument("file", help="Fil i utbytesformatet: .jsonl eller .csv.")
    imp.add_argument("--format", choices=["jsonl", "csv"], help="Annars efter filändelsen.")
    imp.add_argument("--source", default="import", help="Källa; nyckeln är (källa, external_id).")
    imp.add_argument("--skip-bad-rows", action="store_true", help="Importera de giltiga raderna.")
    imp.add_argument("--draft", action="store_true", help="Nya platser blir utkast.")
    exp = sub.add_parser("export-slots", help="Exportera platser (JSONL, CSV eller XLSX).")
    exp.add_argument("--format", choices=["jsonl", "csv", "xlsx"])
    exp.add_argument("--output", "-o", help="Fil att skriva; annars standard ut.")
    exp.add_argument("--status", choices=["draft", "published", "paused", "closed"])
    exp.add_argument("--source")

    for extend in EXTENSIONS:
        extend(sub)
    return parser


# Packages register extra subcommands here: a function that adds parsers to the subparsers
# object, and a handler in COMMANDS under the same name.
EXTENSIONS: list[Callable[[Any], None]] = []


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        get_settings()
        if args.command == "serve":
            return cmd_serve(args)
        return _run(COMMANDS[args.command](args))
    except SettingsError as exc:
        print(f"Felaktig inställning: {exc}", file=sys.stderr)
    except CommandError as exc:
        print(f"Fel: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # one line, never a traceback, for any failure
        from marketplace.errors import MarketplaceError

        message = (
            exc.message if isinstance(exc, MarketplaceError) else f"{type(exc).__name__}: {exc}"
        )
        print(f"Fel: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
