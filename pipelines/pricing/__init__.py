"""The dated list-price catalogue: genai-prices' bundled data, read offline, for the models we know.

Imports: only ``pipelines.config`` (the seeds folder) and ``genai_prices``; the Dagster price-catalogue asset
(``orchestration.defs.prices``) and the bench call ``catalogue.refresh_catalogue``.
"""
