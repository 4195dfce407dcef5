"""The `marketplace` command: serve, migrate, demo, users, tokens, backup and restore.

Each failure is one clear line on stderr and a non-zero exit. Each package adds its own
subcommands (e.g. placements' import-slots and export-slots) through `COMMANDS` in its
`wiring.py`; `marketplace.packages` lists the packages.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Coroutine
from typing import Any

import marketplace  # noqa: F401  (sets PICCOLO_CONF before any table is imported)
from marketplace import packages
from marketplace.kernel.commands import CommandError, Handler
from marketplace.kernel.settings import SettingsError, get_settings

# Connections a command keeps open on PostgreSQL (loading the demo or importing slots runs
# thousands of queries; opening one connection per query made them several times slower).
CLI_POOL_MAX = 4


def _run(coro: Coroutine[Any, Any, int]) -> int:
    async def pooled() -> int:
        from marketplace.kernel.db import connection_pool
        from marketplace.kernel.tables import User

        async with connection_pool(User._meta.db, CLI_POOL_MAX):
            return await coro

    return asyncio.run(pooled())


async def cmd_migrate(args: argparse.Namespace) -> int:
    from marketplace.kernel.migrate import apply_migrations

    applied = await apply_migrations()
    print(f"Migreringar klara ({applied} nya).")
    return 0


async def cmd_demo(args: argparse.Namespace) -> int:
    from marketplace.demo import (
        DEMO_PASSWORD,
        DEMO_ROLE_TEXT,
        DEMO_USERS,
        demo_sign_in_links,
        load_demo,
    )
    from marketplace.kernel.migrate import apply_migrations

    await apply_migrations()
    summary = await load_demo()
    print("Demodata laddad: " + ", ".join(f"{k} {v}" for k, v in summary.items()))
    logins = ", ".join(f"{u[0]} ({DEMO_ROLE_TEXT[u[0]]})" for u in DEMO_USERS)
    print(f"Demoinloggningar (lösenord {DEMO_PASSWORD}): {logins}")
    # Only the demo prints these: without e-ID the participant's side is reached by a link
    # that the demo's made-up addresses never receive.
    print("Mina sidor som demodeltagare (kör `marketplace demo` igen för nya länkar):")
    for line in await demo_sign_in_links():
        print(f"  {line}")
    return 0


async def cmd_users(args: argparse.Namespace) -> int:
    from marketplace.kernel import auth
    from marketplace.kernel.tables import User

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
    from marketplace.kernel import auth

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
    from marketplace.kernel.backup import backup

    path = await backup(get_settings(), args.path)
    print(f"Säkerhetskopia skriven till {path}.")
    return 0


async def cmd_restore(args: argparse.Namespace) -> int:
    from marketplace.kernel.backup import restore

    await restore(get_settings(), args.path)
    print(f"Databasen återställd från {args.path}.")
    return 0


async def cmd_jobs(args: argparse.Namespace) -> int:
    from marketplace import scheduler
    from marketplace.kernel.clock import STOCKHOLM

    if args.action == "run":
        if args.name not in scheduler.job_specs():
            names = ", ".join(sorted(scheduler.job_specs()))
            raise CommandError(f"Okänt jobb {args.name!r}. Välj ett av: {names}.")
        result = await scheduler.run_job(
            args.name, worker=f"{scheduler.CLI_PREFIX}{scheduler.worker_name()}"
        )
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

    from marketplace.kernel.settings import serve_base_url

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


COMMANDS: dict[str, Handler] = {
    "migrate": cmd_migrate,
    "demo": cmd_demo,
    "users": cmd_users,
    "tokens": cmd_tokens,
    "backup": cmd_backup,
    "restore": cmd_restore,
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

    for command in packages.commands():
        command.add_arguments(sub.add_parser(command.name, help=command.help))
    return parser


def handlers() -> dict[str, Handler]:
    """Every subcommand's handler: the root's own and each package's."""
    return COMMANDS | {command.name: command.handler for command in packages.commands()}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        get_settings()
        if args.command == "serve":
            return cmd_serve(args)
        return _run(handlers()[args.command](args))
    except SettingsError as exc:
        print(f"Felaktig inställning: {exc}", file=sys.stderr)
    except CommandError as exc:
        print(f"Fel: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # one line, never a traceback, for any failure
        from marketplace.kernel.errors import MarketplaceError

        message = (
            exc.message if isinstance(exc, MarketplaceError) else f"{type(exc).__name__}: {exc}"
        )
        print(f"Fel: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
