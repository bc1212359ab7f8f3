"""A local HTTP mock of the hosted API, built from the spec."""
