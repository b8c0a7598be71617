"""SPARQL rules the build runs over the store (package data)."""
