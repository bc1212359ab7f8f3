"""The product contract at run time: argv grammar, request mapping, wire protocol.

``compile`` turns a spec into the contract (a JSON-able dict); it needs the spec model
and is not shipped. ``invocation``, ``requests`` and ``protocol`` read only that dict,
use only the standard library and import each other relatively, so every product's
client wheel ships them unchanged. This ``__init__`` imports nothing on purpose.
"""
