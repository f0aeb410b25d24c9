"""One module per intake channel: each maps its platform's payload to the intake service."""
