"""Connectors: data that flows in from the helpdesks by itself (``cxlens sync SOURCE``).

One module per source (:mod:`~cxlens.connectors.zendesk`, :mod:`~cxlens.connectors.freshdesk`)
knows its API and yields pages of records with their cursor; :mod:`~cxlens.connectors.engine`
lands each page through the file import's mapping, validation and quarantine, with the cursor,
in one transaction; :mod:`~cxlens.connectors.http` is the shared retry policy (429 and
Retry-After, back-off on transient errors); :mod:`~cxlens.connectors.state` the tables that
remember cursors, record versions and runs. docs/connectors.md says how to add a source.
"""
