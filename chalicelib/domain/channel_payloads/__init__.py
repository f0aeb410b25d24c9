"""One module per platform: its native payload in, `InboundMessage`s out (pure, no I/O)."""
