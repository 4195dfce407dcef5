"""Host organisations (company, municipal unit, association, public agency), their contacts and
supervisors, host users, and municipal units' yearly targets."""
