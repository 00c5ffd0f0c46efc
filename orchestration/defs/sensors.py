"""Landing-zone sensors: start the nightly job as soon as a source's files change.

They are stopped by default (the 02:00 UTC schedule is the baseline); turn one on in the UI where a source
delivers at unpredictable times. The cursor is a fingerprint of the listing, so a sensor fires once per
change and never for files it has already seen.
"""

import dagster as dg

from orchestration.defs.resources import WarehouseResource
from orchestration.defs.schedules import nightly
from pipelines.landing import fingerprint, landing_for
from pipelines.sources.base import Source
from pipelines.sources.registry import SOURCES


def build_landing_sensor(source: Source) -> dg.SensorDefinition:
    """A sensor requesting a ``nightly`` run when the files under ``<slug>/`` change.

    Args:
        source: The source whose landing folder is watched.

    Returns:
        The sensor ``<slug>_landing_sensor``.
    """

    @dg.sensor(
        name=f"{source.slug}_landing_sensor",
        job=nightly,
        minimum_interval_seconds=300,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description=f"Runs the nightly job when files under {source.slug}/ are added or rewritten.",
    )
    def _sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource) -> dg.SensorResult:
        files = list(landing_for(warehouse.settings).list_files(source.slug, fetch=False))
        current = fingerprint(files)
        if not files or current == context.cursor:
            return dg.SensorResult(skip_reason=f"no change under {source.slug}/ ({len(files)} file(s))")
        return dg.SensorResult(
            run_requests=[dg.RunRequest(run_key=f"{source.slug}-{current}", tags={"landing_change": source.slug})],
            cursor=current,
        )

    return _sensor


landing_sensors = [build_landing_sensor(source) for source in SOURCES.values()]
