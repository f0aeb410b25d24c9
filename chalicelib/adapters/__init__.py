"""The only code that talks to AWS. Each module hides one service behind a small interface."""
