"""JSON API of the placements package, one module per topic (`slots`, and the bookings
side's own modules). Each module exposes its `ROUTES`; `marketplace.app` registers them."""
