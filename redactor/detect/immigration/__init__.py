"""Immigration passages (placeholder)."""
