"""Payment tests reuse the case fixtures (the demo officer, a colleague, a matter)."""

from cases.conftest import setup  # noqa: F401  (a fixture, used by name)
