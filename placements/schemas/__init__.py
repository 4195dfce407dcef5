"""Request and response bodies of the placements API, one module per topic
(`slots`, and the bookings side's own modules)."""
