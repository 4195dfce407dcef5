"""The composition root finds each package's routes, commands and jobs, and asks a package for
a module only when the package has it (importing a package runs its `__init__`)."""

from __future__ import annotations

import subprocess
import sys

from marketplace import packages


def test_a_module_a_package_has_is_found_and_one_it_lacks_is_none():
    commands = packages._module("placements", "commands")
    assert commands is not None and commands.COMMANDS
    assert packages._module("employers", "commands") is None
    assert packages._module("search", "no_such_module") is None
    assert {c.name for c in packages.commands()} >= {"import-slots", "export-slots"}
    assert len(packages.job_modules()) >= 3


def test_the_command_lists_its_subcommands_without_importing_the_packages():
    # The `marketplace` command builds its parser from every package's commands; a package
    # without any (employers) is not imported for it, nor is the web framework.
    probe = (
        "import runpy, sys\n"
        "sys.argv = ['marketplace', '--help']\n"
        "try:\n"
        "    runpy.run_module('marketplace.cli', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('IMPORTED', 'employers' in sys.modules, 'litestar' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert "import-slots" in done.stdout
    assert "IMPORTED False False" in done.stdout, done.stdout[-300:]
