"""Business actions and queries of the back office, one module per topic:
`audit` (loggkontroll), `reports` (the figures and their definitions), `exports` (CSV and
XLSX), `register` (register extracts, anonymisation and retention) and `snapshots` (monthly
KPI snapshots)."""
