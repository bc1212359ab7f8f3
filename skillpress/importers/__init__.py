"""Start a spec from what a product already has: an OpenAPI document or a hand-kept package.

Each importer returns a :class:`~skillpress.importers.draft.Draft`; the draft module
turns it into YAML that passes `skillpress validate`, with ``TODO`` markers where a
fact could not be inferred and ``# review:`` comments above the product's own wording.
"""
