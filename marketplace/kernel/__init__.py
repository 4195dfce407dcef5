"""The kernel: what every package shares and which knows no domain package.

Errors, clock, database, audit, settings, sign-in and access, outbox and mail, SMS,
web helpers (pages, forms, notices, paging), Swedish identity numbers and addresses.
Import rule (import-linter): nothing here imports employers, placements, search,
admin or participants, nor the root modules of `marketplace` (app, cli, demo,
scheduler, packages).
"""
