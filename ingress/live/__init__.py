"""Seat maps and event pages from memory (the read model), and the live buyer page."""
