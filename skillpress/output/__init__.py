"""Writing generated files atomically and comparing them with what is on disk."""
