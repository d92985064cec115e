"""HTTP models of API v1 (requests forbid unknown fields)."""
