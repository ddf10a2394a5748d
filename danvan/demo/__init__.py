"""Demonstration data for ``make run``: one province's units, a former district and demo log-ins."""
