"""A product's MCP server: its commands as tools, its skills as ``skill://`` resources.

``tools``, ``skills`` and ``entry`` need the standard library alone; ``server`` runs them on
the official MCP SDK (the optional ``mcp`` extra). The package ships inside the published
client as ``<package>/mcp/`` and imports the client's modules relatively.
"""
