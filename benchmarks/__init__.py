"""National-scale data and timed scenarios (``make bench``).

Each area of the platform is one module in ``benchmarks/areas/`` with ``generate()`` (build the
area's data set, return counts) and ``run(ctx)`` (time the scenarios, return results), registered
in ``benchmarks.areas.AREAS``. The harness gives every area its own database, reuses the data
while the generator's version is unchanged, and merges the figures into ``benchmarks/results.json``.
"""
