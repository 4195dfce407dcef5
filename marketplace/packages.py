"""The composition root's list of domain packages, and how it finds what each one adds.

Each package exports, by convention, in its own modules:
- `<package>.routes.ROUTES`: every route handler and controller of the package;
- `<package>.commands.COMMANDS`: its `marketplace` subcommands (`marketplace.kernel.commands.Command`);
- `<package>.jobs.JOBS`, `JOB_TITLE` and `JOB_TEXT`: its scheduled sweeps, their names and
  what they do, in Swedish.
A package leaves out a module it has nothing for. Only the root modules (app factory, CLI,
scheduler, demo) call this; no package knows the others through it.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

from marketplace.kernel.commands import Command

# In the order their routes are registered and their jobs listed.
PACKAGES = ("search", "employers", "placements", "admin", "participants")


def _module(package: str, name: str) -> ModuleType | None:
    """`<package>.<name>`, or None when the package has no such module.

    Whether it exists is read from the package's folder first: importing a package runs its
    `__init__` (employers' registers the digest with the outbox, importing its tables and,
    through them, Litestar), and the `marketplace` command, which asks every package for
    commands before it parses its arguments, started ~0.4 s slower for a package with none.
    """
    module_name = f"{package}.{name}"
    spec = importlib.util.find_spec(package)
    folders = spec.submodule_search_locations if spec is not None else None
    if folders is not None and not any(
        (Path(folder) / f"{name}.py").is_file() or (Path(folder) / name).is_dir()
        for folder in folders
    ):
        return None
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        return None


def routes() -> list[Any]:
    """Every package's routes, the kernel's first (the root's own, such as the jobs page, the
    app factory adds)."""
    from marketplace.kernel import account_views, controllers, views

    found: list[Any] = [*controllers.ROUTES, *views.ROUTES, *account_views.ROUTES]
    for package in PACKAGES:
        module = _module(package, "routes")
        if module is not None:
            found += module.ROUTES
    return found


def commands() -> list[Command]:
    """Every package's CLI subcommands."""
    found: list[Command] = []
    for package in PACKAGES:
        module = _module(package, "commands")
        if module is not None:
            found += module.COMMANDS
    return found


def job_modules() -> list[ModuleType]:
    """Every package's `jobs` module (with `JOBS`, and `JOB_TEXT` for the admins' page)."""
    return [m for package in PACKAGES if (m := _module(package, "jobs")) is not None]
