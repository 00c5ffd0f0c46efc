"""`make bench`: what a nightly run costs, end to end through `aicost run`, at a chosen demo scale.

One benchmark run measures, each as its own ``aicost run`` subprocess (wall time, peak memory of the run and
its children), on one warehouse:

1. a cold build (fresh warehouse) of the generated demo month;
2. a run with nothing new;
3. a run with one more day of gateway, OpenTelemetry and outcome files (the day after the month);
4. a run after the month's CUR is re-delivered restated (a new ``executionId``, some lines changed);

then DuckDB's irreducible load of the same files (the reference), and the fixed cost against the FinOps
Foundation's ``focus-converter`` 1.0.0 on landings holding only a CUR 2.0 export of 206k and 584k lines.

Modules: ``measure`` (a subprocess's wall time and peak memory), ``stages`` (the steps that run in their own
process: generation, deliveries, the irreducible load, the converter's flattened input), ``focusconv``
(flattening CUR 2.0 for the converter, running it), ``report`` (targets, the table, the JSON), ``cli``.
"""
