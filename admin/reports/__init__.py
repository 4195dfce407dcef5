"""The reports as a registry: each report is one entry (`registry.REPORTS`) that the JSON API,
the report page, the exports and the tests iterate; `filters` holds the one rule for the
filters every report takes."""
