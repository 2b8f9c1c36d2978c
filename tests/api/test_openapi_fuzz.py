"""Property-based run over every operation of the live OpenAPI document (schemathesis + hypothesis).

Every operation the app publishes at /api/v1/openapi.json becomes its own test (``test_operation[GET /api/v1/...]``),
so an endpoint added later is fuzzed without touching this file. For each one, hypothesis draws schema-valid and
schema-violating requests; each is sent as the demo admin and the response must

* not be a 5xx (``not_a_server_error``);
* use a documented status code and content type, and match the declared body schema and headers
  (``status_code_conformance``, ``content_type_conformance``, ``response_schema_conformance``,
  ``response_headers_conformance``);
* refuse schema-violating input with a 4xx (``negative_data_rejection``), and not refuse schema-valid input with
  anything but what the contract allows for it (``positive_data_acceptance``, see ``CONFIG``);
* be refused without a token or with an invalid one once it succeeded with the admin's (``ignored_auth``);
* for errors: be application/problem+json matching the ``Problem`` component, ``status`` equal to the HTTP status
  and a zh-CN ``detail`` (``problem_body_conforms``: the document gives problem+json an empty schema, so the
  built-in checks cannot tell);
* never reach the database's integrity safety net (``no_integrity_error``): the run is a single client, so a
  ``conflict.integrity`` is not a race between writers but input the services failed to validate.

The run has its own migrated demo database and app, so what it writes (and the accounts it may deactivate, lock or
strip of permissions) never reaches the session database other tests count rows in. Before every example the admin
token is checked with GET /auth/me; when an earlier example revoked it (POST /auth/logout, a password change),
deactivated, throttled, reset or re-roled the admin, or edited the admin role, the account is repaired in the database
and a fresh token issued. So the fuzzer cannot lock itself out, and no operation is excluded.

Identifiers: a uuid drawn anywhere (path, query, body) is often the id of a real row of the demo city, and a path
identifier is also drawn from the ids its own collection lists, so item operations reach real objects instead of
answering 404 to random UUIDs.

Reproducible: each operation has a fixed seed derived from its label, hypothesis keeps no example database, and the
clock is frozen for the run (token idling must not depend on how fast CI is). A failure shows the request as curl
and, when the server logged one, its traceback. A deeper run: CHENGGUAN_FUZZ_EXAMPLES=300 CHENGGUAN_FUZZ_SEED=7.

Bugs the fuzzer found are fixed; each keeps a direct regression test at the end of this file.
"""

from __future__ import annotations

import logging
import os
import time
import traceback
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import hypothesis
import jsonschema_rs
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import strategies as st
from schemathesis import GenerationMode, checks
from schemathesis.config import SchemathesisConfig
from sqlalchemy import delete, event
from starlette.testclient import TestClient

from chengguan.app import API_PREFIX, create_app
from chengguan.core import clock
from chengguan.core.config import Settings
from chengguan.core.db import Database
from chengguan.core.principals import DataScope
from chengguan.core.security import hash_password
from chengguan.demo.loader import DEMO_LOGINS
from chengguan.identity.bootstrap import ensure_builtin_roles
from chengguan.identity.models import LoginFailure
from chengguan.identity.permissions import KEYS
from chengguan.identity.repository import RoleRepository, UserRepository
from support import demo_database, drop_database

PASSWORDS = {login.username: login.password for login in DEMO_LOGINS}
ADMIN = "admin"
OPENAPI_PATH = f"{API_PREFIX}/openapi.json"
MAX_EXAMPLES = int(os.environ.get("CHENGGUAN_FUZZ_EXAMPLES", "25"))  # per operation, valid and invalid together
SEED = int(os.environ.get("CHENGGUAN_FUZZ_SEED", "20260101"))
SECRET_KEY = "openapi-fuzz-secret-" + "x" * 32

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "generation": {
            "mode": "all",
            # The Authorization header is the admin's, added to every request; ignored_auth probes without it.
            "with-security-parameters": False,
        },
        "checks": {
            # 422 is how the contract refuses schema-valid input that breaks a rule the schema cannot express (a
            # unit_id naming no unit, a squad that is not a squad, the wrong old password, a weak password: see
            # docs/api-foundation.md), 415 is how an upload whose bytes are not a type the route takes is refused (a
            # schema cannot say "a JPEG"), and 429 is the login throttle holding the fuzzer's address back after its own
            # failed logins. Anything else for schema-valid input (400, 405 …) still fails; a 5xx is left to
            # not_a_server_error, as in schemathesis' own default for this check.
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "401", "403", "404", "409", "415", "422", "429", "5xx"]
            },
        },
    }
)


# ---------------------------------------------------------------------------------------------------------------
# The live document.


def _fixed_tuples_as_items(node: Any) -> Any:
    """``prefixItems: [X, X]`` with minItems = maxItems = 2 → ``items: X``: the same constraint, spelled so that
    schemathesis 4.32 can validate it.

    schemathesis rewrites ``prefixItems`` into Draft-4 ``items: [...]`` in a response schema without nested $refs and
    then rejects that with its 2020-12 validator ("Invalid Schema Object in response definition", schemathesis
    issues #3842 / #4099): here GridDetail.centroid. The document the app serves is valid; other tuples are kept.
    """
    if isinstance(node, list):
        return [_fixed_tuples_as_items(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _fixed_tuples_as_items(value) for key, value in node.items()}
    prefix = node.get("prefixItems")
    if (
        isinstance(prefix, list)
        and prefix
        and "items" not in node
        and all(item == prefix[0] for item in prefix)
        and node.get("minItems") == node.get("maxItems") == len(prefix)
    ):
        node["items"] = node.pop("prefixItems")[0]
    return node


def _live_document() -> dict[str, Any]:
    """The document as the app serves it, from an app on a database URL that is never opened (the engine connects
    lazily; the document does not depend on data). Read at import time, so each operation gets its own test id."""
    settings = Settings(
        env="test", database_url="sqlite:///./openapi-fuzz-schema-only-never-opened.db", secret_key=SECRET_KEY
    )
    with TestClient(create_app(settings, Database(settings.database_url))) as client:
        response = client.get(OPENAPI_PATH)
    response.raise_for_status()
    return dict(response.json())


DOCUMENT = _live_document()
schema = schemathesis.openapi.from_dict(_fixed_tuples_as_items(DOCUMENT), config=CONFIG)
_loaded = list(schema.get_all_operations())
OPERATIONS = [result.ok() for result in _loaded if hasattr(result, "ok")]
SCHEMA_ERRORS = [str(result.err()) for result in _loaded if hasattr(result, "err")]

PROBLEM_VALIDATOR = jsonschema_rs.Draft202012Validator(
    {"$ref": "#/components/schemas/Problem", "components": DOCUMENT["components"]}
)


def _problem_code(response: Any) -> str | None:
    try:
        body = response.json()
    except Exception:
        return None
    return body.get("code") if isinstance(body, dict) else None


# ---------------------------------------------------------------------------------------------------------------
# Checks of our own.


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def problem_body_conforms(ctx: Any, response: Any, case: Any) -> bool | None:
    """Errors are application/problem+json matching the Problem component, ``status`` = HTTP status, zh-CN detail."""
    if response.status_code < 400:
        return None
    media_type = (response.headers.get("content-type") or [""])[0].split(";")[0].strip()
    assert media_type == "application/problem+json", f"error response with content type {media_type!r}"
    body = response.json()
    errors = [str(error) for error in PROBLEM_VALIDATOR.iter_errors(body)]
    assert not errors, f"problem body does not match the Problem schema: {errors}"
    assert body["status"] == response.status_code, f"problem status {body['status']} != HTTP {response.status_code}"
    assert _has_cjk(body["detail"]), f"problem detail is not zh-CN: {body['detail']!r}"
    return True


def no_integrity_error(ctx: Any, response: Any, case: Any) -> bool | None:
    """A single client never races another writer: the integrity safety net firing means a validation gap."""
    if response.status_code == 409 and _problem_code(response) == "conflict.integrity":
        raise AssertionError("409 conflict.integrity: the database refused what the service let through")
    return None


CHECKS: list[Callable[..., bool | None]] = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.negative_data_rejection,
    checks.positive_data_acceptance,
    checks.ignored_auth,
    problem_body_conforms,
    no_integrity_error,
]


# ---------------------------------------------------------------------------------------------------------------
# Identifiers of real rows, filled once the private database exists (the uuid strategy reads them at first draw).

KNOWN_IDS: dict[str, list[str]] = {}  # collection path (e.g. /api/v1/roles) → the ids its first page lists


def _known_or_random_uuid() -> st.SearchStrategy[str]:
    random_uuids = st.uuids().map(str)
    kinds = [st.sampled_from(ids) for _, ids in sorted(KNOWN_IDS.items()) if ids]
    return st.one_of(random_uuids, *kinds) if kinds else random_uuids


# Process-wide (schemathesis keeps one format registry); this module is the only schemathesis user in the suite.
schemathesis.openapi.format("uuid", st.deferred(_known_or_random_uuid))


def _collection_of(path: str) -> str:
    """/api/v1/users/{item_id}/unlock → /api/v1/users."""
    return path.split("{", 1)[0].rstrip("/")


def strategy_for(operation: Any) -> st.SearchStrategy[schemathesis.Case]:
    strategies = [operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)]
    names = [parameter.name for parameter in operation.path_parameters]
    ids = KNOWN_IDS.get(_collection_of(operation.path), [])
    if len(names) == 1 and ids:
        strategies.append(
            st.sampled_from(ids).flatmap(
                lambda item_id: operation.as_strategy(GenerationMode.POSITIVE, path_parameters={names[0]: item_id})
            )
        )
    return st.one_of(*strategies)


# ---------------------------------------------------------------------------------------------------------------
# Fixtures: a private demo database and app, the admin session that repairs itself, the server log.


class ServerLog(logging.Handler):
    """What the app logs (the traceback of an unhandled error among it) during one request."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = f"{record.levelname} {record.name}: {record.getMessage()}"
        if record.exc_info:
            text += "\n" + "".join(traceback.format_exception(*record.exc_info))
        self.records.append(text)


class AdminSession:
    """Bearer headers of the demo admin, valid and carrying every permission whenever they are handed out."""

    def __init__(self, client: TestClient, settings: Settings, db: Database) -> None:
        self.client, self.settings, self.db = client, settings, db
        self.token: str | None = None
        self.repairs = 0

    def headers(self) -> dict[str, str]:
        if self.token is None or not self._usable(self.token):
            self._repair()
            self.token = self._login()
        return {"Authorization": f"Bearer {self.token}"}

    def _usable(self, token: str) -> bool:
        response = self.client.get(f"{API_PREFIX}/auth/me", headers={"Authorization": f"Bearer {token}"})
        if response.status_code != 200:
            return False
        me = response.json()
        return bool(me["data_scope"] == "all" and set(me["permissions"]) >= KEYS and not me["must_change_password"])

    def _repair(self) -> None:
        """Reactivate and reset the admin (no forced change; the demo password, which the policy would refuse
        today, set directly), forget every failed login (the fuzzer's own hold its address back), give the admin
        role every key and "all" data."""
        self.repairs += 1
        with self.db.session() as session, session.begin():
            users, roles = UserRepository(session), RoleRepository(session)
            admin_role = ensure_builtin_roles(session)["admin"]
            user = users.by_username(ADMIN)
            assert user is not None
            user.password_hash = hash_password(PASSWORDS[ADMIN])
            user.is_active, user.locked_until, user.must_change_password = True, None, False
            users.set_roles(user.id, {*users.role_ids(user.id), admin_role.id})
            session.execute(delete(LoginFailure))
            admin_role.data_scope = DataScope.all
            roles.set_permissions(admin_role.id, KEYS)

    def _login(self) -> str:
        response = self.client.post(f"{API_PREFIX}/auth/login", json={"username": ADMIN, "password": PASSWORDS[ADMIN]})
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])


@pytest.fixture(scope="module")
def fuzz_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    url, data_dir = demo_database(tmp_path_factory.mktemp("fuzz-db"))
    yield Settings(env="test", database_url=url, data_dir=data_dir, secret_key=SECRET_KEY)
    drop_database(url)


@pytest.fixture(scope="module")
def frozen_at() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def as_served(app: FastAPI) -> Any:
    """The app as a server runs it: an exception re-raised after the 500 went out (Starlette's
    ServerErrorMiddleware does that) is the server's to log, not the client's; the client sees the 500."""

    async def served(scope: Any, receive: Any, send: Any) -> None:
        started = False

        async def tracking_send(message: Any) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await app(scope, receive, tracking_send)
        except Exception:
            if not started:
                raise

    return served


@pytest.fixture(scope="module")
def fuzz_app(fuzz_settings: Settings) -> Iterator[FastAPI]:
    db = Database(fuzz_settings.database_url)
    app = create_app(fuzz_settings, db)
    app.state.served = as_served(app)
    schema.app = app.state.served  # the transport: in-process ASGI calls (the auth probes included) reach it
    yield app
    schema.app = None
    db.dispose()


@pytest.fixture(scope="module")
def admin_session(fuzz_app: FastAPI, frozen_at: datetime) -> AdminSession:
    with clock.frozen(frozen_at):
        session = AdminSession(
            TestClient(fuzz_app, raise_server_exceptions=False), fuzz_app.state.settings, fuzz_app.state.db
        )
        headers = session.headers()
        # Every collection the document lists (GET, no path parameter, a page of items with ids) feeds KNOWN_IDS.
        for operation in OPERATIONS:
            if operation.method.upper() != "GET" or operation.path_parameters:
                continue
            response = session.client.get(operation.path, params={"page_size": 200}, headers=headers)
            is_json = response.headers.get("content-type", "").startswith("application/json")
            body = response.json() if response.status_code == 200 and is_json else None
            if isinstance(body, dict) and isinstance(body.get("items"), list):
                ids = [str(item["id"]) for item in body["items"] if isinstance(item, dict) and "id" in item]
                if ids:
                    KNOWN_IDS[operation.path] = ids
    return session


@pytest.fixture(scope="module")
def server_log() -> Iterator[ServerLog]:
    handler = ServerLog()
    logger = logging.getLogger("chengguan")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


# ---------------------------------------------------------------------------------------------------------------
# The run.


def test_document_loads() -> None:
    assert not SCHEMA_ERRORS
    assert len(OPERATIONS) >= 40  # the foundation API alone has 47 operations


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_operation(
    operation: Any, fuzz_app: FastAPI, admin_session: AdminSession, server_log: ServerLog, frozen_at: datetime
) -> None:
    @hypothesis.settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=False,
        phases=(hypothesis.Phase.explicit, hypothesis.Phase.generate, hypothesis.Phase.shrink),
        suppress_health_check=list(hypothesis.HealthCheck),
        print_blob=False,
    )
    @hypothesis.seed(SEED ^ zlib.crc32(operation.label.encode()))
    @hypothesis.given(case=strategy_for(operation))
    def run(case: schemathesis.Case) -> None:
        headers = admin_session.headers()
        server_log.records.clear()
        try:
            case.call_and_validate(app=fuzz_app.state.served, headers=headers, checks=CHECKS)
        except BaseException as exc:
            if server_log.records:
                exc.add_note("Server log:\n" + "\n".join(server_log.records))
            raise

    with clock.frozen(frozen_at):
        run()


# ---------------------------------------------------------------------------------------------------------------
# Regression tests for the bugs the fuzzer found (all fixed): each reproduces one directly.


@pytest.fixture
def fuzz_client(fuzz_app: FastAPI) -> TestClient:
    return TestClient(fuzz_app, raise_server_exceptions=False)


@pytest.fixture
def fuzz_admin(admin_session: AdminSession) -> dict[str, str]:
    return admin_session.headers()


def _first_id(client: TestClient, headers: dict[str, str], path: str) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return str(response.json()["items"][0]["id"])


def test_write_after_an_idle_minute_does_not_deadlock(fuzz_settings: Settings, admin_session: AdminSession) -> None:
    admin_session.headers()  # the admin is usable, whatever the fuzz run did to it
    db = Database(fuzz_settings.database_url)
    if db.dialect == "sqlite":

        @event.listens_for(db.engine, "connect")
        def _short_busy_wait(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA busy_timeout=1000")  # a regression fails in 1 s, not after 30 s

    try:
        client = TestClient(create_app(fuzz_settings, db), raise_server_exceptions=False)
        start = clock.now()
        with clock.frozen(start):
            login = client.post(f"{API_PREFIX}/auth/login", json={"username": ADMIN, "password": PASSWORDS[ADMIN]})
            assert login.status_code == 200, login.text
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        with clock.frozen(start + timedelta(seconds=61)):  # idle long enough for this call to touch the token
            began = time.monotonic()
            response = client.post(f"{API_PREFIX}/auth/logout", headers=headers)
        assert response.status_code == 204, (response.status_code, response.text, time.monotonic() - began)
    finally:
        db.dispose()


@pytest.mark.parametrize(
    ("collection", "field"),
    [("/officers", "gender"), ("/vehicles", "status"), ("/devices", "name"), ("/roles", "data_scope")],
)
def test_patch_null_on_required_field_is_422(
    fuzz_client: TestClient, fuzz_admin: dict[str, str], collection: str, field: str
) -> None:
    item_id = _first_id(fuzz_client, fuzz_admin, f"{API_PREFIX}{collection}")
    response = fuzz_client.patch(f"{API_PREFIX}{collection}/{item_id}", headers=fuzz_admin, json={field: None})
    assert response.status_code == 422, (response.status_code, response.text)


def test_body_not_utf8_is_422(fuzz_client: TestClient) -> None:
    response = fuzz_client.post(
        f"{API_PREFIX}/auth/login", content=b"\xff", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422, (response.status_code, response.text)
    assert response.json()["code"] == "request.validation" and _has_cjk(response.json()["detail"])


@pytest.mark.parametrize("value", ["0.5", "1700000000"])
def test_numeric_date_time_is_refused(fuzz_client: TestClient, fuzz_admin: dict[str, str], value: str) -> None:
    response = fuzz_client.get(f"{API_PREFIX}/audit", headers=fuzz_admin, params={"until": value})
    assert response.status_code == 422, (response.status_code, response.text)


def test_login_throttle_is_documented(fuzz_app: FastAPI) -> None:
    client = TestClient(fuzz_app, raise_server_exceptions=False, client=("10.99.0.1", 50000))
    for _ in range(6):
        response = client.post(f"{API_PREFIX}/auth/login", json={"username": "licun_officer", "password": "wrong!"})
    assert response.status_code == 429, response.text  # and the document must say so, Retry-After included
    assert int(response.headers["Retry-After"]) >= 1
    documented = DOCUMENT["paths"][f"{API_PREFIX}/auth/login"]["post"]["responses"]
    assert "Retry-After" in documented["429"]["headers"]


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("GET", "/users", {"params": {"q": "\x00"}}),
        ("POST", "/auth/login", {"json": {"username": "ad\x00min", "password": "x"}}),
    ],
)
def test_nul_character_is_refused(
    fuzz_client: TestClient, fuzz_admin: dict[str, str], method: str, path: str, kwargs: dict[str, Any]
) -> None:
    response = fuzz_client.request(method, f"{API_PREFIX}{path}", headers=fuzz_admin, **kwargs)
    assert response.status_code == 422, (response.status_code, response.text)  # on SQLite and PostgreSQL alike
