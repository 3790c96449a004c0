"""Seat workers: each owns some partitions of the command topic and decides for their events."""
