"""``serve_app`` for the tests: it lives in ``core.serve`` (the benchmarks use it too, and never import tests/)."""

from core.serve import serve_app

__all__ = ["serve_app"]
