"""One module per command; see `patchflow.cli` for the contract."""
