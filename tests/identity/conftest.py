"""Identity fixtures: a throwaway staff account, and clients calling from addresses of their own (the login
throttle counts failures per client address, so failing tests must not share the default client's)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from support import staff_account

STRONG = "Strong#Pass1"


@pytest.fixture
def fresh_user(client) -> str:
    """A throwaway officer-role account with password STRONG, so throttle tests never hold back a demo login."""
    username = f"u{uuid.uuid4().hex[:10]}"
    staff_account(client, username=username, password=STRONG, roles=["officer"])
    return username


@pytest.fixture
def address_client(app) -> Callable[..., TestClient]:
    """``address_client()`` → a client calling from a fresh random address (or the one given)."""

    def make(address: str | None = None) -> TestClient:
        address = address or "10.{}.{}.{}".format(*uuid.uuid4().bytes[:3])
        return TestClient(app, raise_server_exceptions=False, client=(address, 50000))

    return make
