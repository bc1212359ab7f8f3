"""A product's thin client, run from its compiled contract. Standard library only (a test scans the imports).

``main.main`` is the console entry; ``runtime.execute(contract, argv, env) -> Outcome``
is the seam other front ends (tests, an MCP server) call.
"""
