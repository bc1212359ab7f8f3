"""Image Skill's client hooks: what no generic step of skillpress expresses.

Called by the client runtime as ``function(values, fields[, client])`` (see
``skillpress/client/steps.py``); each returns the request fields it sets.
"""
