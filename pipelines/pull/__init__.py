"""Pulling provider Admin APIs (OpenAI, Anthropic) into the landing zone, page by page, as received.

``admin_api`` owns the paging, retries, resumption and landing layout shared by both providers; each source
describes its own endpoints (``pipelines.sources.<slug>.pull``).

Imports: only ``pipelines.config`` (the admin keys are read there and passed in); it knows no source
package: the sources import it, and the ``aicost pull`` command (``orchestration.cli``) finds a source's
API through the registry.
"""
