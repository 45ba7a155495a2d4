"""Import of the earlier system's databases (`python -m server import-legacy`); see
`docs/importer.md`."""
