"""Slots, candidates, bookings, win-win agreements, outcomes, follow-ups and lock-in."""
