"""Host organisations (company, municipal unit, association, public agency), their contacts and
supervisors, host users, and municipal units' yearly targets."""

# The digest's recipients reach the outbox through a registration, whichever module of this
# package is imported first.
from employers import digest as _digest  # noqa: F401
