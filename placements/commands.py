"""Placements' CLI commands: `marketplace import-slots` and `marketplace export-slots`.

`marketplace.packages` finds `COMMANDS` here; the root's `cli.py` adds them as subcommands.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from marketplace.kernel.commands import Command, CommandError, ProgressBar
from marketplace.kernel.settings import get_settings

# The exchange (and through it the services and the app's templating) is imported by the
# commands that use it, not when the `marketplace` command builds its parser: every other
# command, `marketplace migrate` or `users list`, started ~0.6 s slower for it.


async def cmd_import_slots(args: argparse.Namespace) -> int:
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
        await asyncio.to_thread(Path(args.output).write_bytes, body)
        print(f"Platser exporterade till {args.output}.", file=sys.stderr)
    elif fmt == "xlsx" and sys.stdout.isatty():
        raise CommandError("Ange --output FIL för XLSX.")
    else:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    return 0


def import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="Fil i utbytesformatet: .jsonl eller .csv.")
    parser.add_argument("--format", choices=["jsonl", "csv"], help="Annars efter filändelsen.")
    parser.add_argument(
        "--source", default="import", help="Källa; nyckeln är (källa, external_id)."
    )
    parser.add_argument(
        "--skip-bad-rows", action="store_true", help="Importera de giltiga raderna."
    )
    parser.add_argument("--draft", action="store_true", help="Nya platser blir utkast.")


def export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=["jsonl", "csv", "xlsx"])
    parser.add_argument("--output", "-o", help="Fil att skriva; annars standard ut.")
    parser.add_argument("--status", choices=["draft", "published", "paused", "closed"])
    parser.add_argument("--source")


COMMANDS = [
    Command(
        "import-slots",
        "Importera platser (JSONL eller CSV).",
        import_arguments,
        cmd_import_slots,
    ),
    Command(
        "export-slots",
        "Exportera platser (JSONL, CSV eller XLSX).",
        export_arguments,
        cmd_export_slots,
    ),
]
