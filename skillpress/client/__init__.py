"""The bundled thin client. Standard library only (a test scans the imports)."""
