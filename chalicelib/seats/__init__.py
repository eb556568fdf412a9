"""Seats: placing newcomers, numbering a crowd on the waiting list, seats changing hands, cancelling."""
