"""Server-rendered pages of the placements package, one module per topic; each exports `ROUTES`."""
