"""Must show (issue 18): the database holds no plain identity or phone number — the raw SQLite file and a pg_dump of
the PostgreSQL copy of the demo city are searched for every one of them — while search by identity number and by
phone still finds the case, the shop and the SMS through the API."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from chengguan.cases.models import Case
from chengguan.core.config import Settings
from chengguan.core.db import Database
from chengguan.core.fieldkeys import load_keyring
from chengguan.documents.models import Delivery, ServiceConsent
from chengguan.evidence.models import EvidenceItem
from chengguan.identity.models import MerchantAccount, PublicAccount
from chengguan.intake.models import CaseSource, Signal
from chengguan.law.enums import PartyType
from chengguan.merchants.models import Merchant
from chengguan.notify.models import SmsMessage
from chengguan.ops.postgres import connection, tool
from chengguan.org.models import Officer
from support import demo_database, drop_database


def personal_values(url: str, data_dir: Path) -> tuple[set[str], set[str], set[str]]:
    """Every individual's identity number, every phone number and every individual's address in the demo city, read
    through the application (decrypted with the keyring of the copy's data directory)."""
    settings = Settings(env="test", database_url=url, data_dir=data_dir, secret_key="t" * 40)
    db = Database(url, keyring=load_keyring(settings))
    ids, phones, addresses = set(), set(), set()
    try:
        with db.session(write=False) as s:
            for id_no, phone, address, kind in s.execute(
                select(Case.party_id_no, Case.party_phone, Case.party_address, Case.party_type)
            ):
                if kind is PartyType.individual:
                    ids.add(id_no)
                    addresses.add(address)
                phones.add(phone)
            # A shop's address and the place of an act (where the evidence was taken) are places, not where a person
            # lives, and stay plain: a home that is also such a place is not looked for.
            columns = (Merchant.address, Case.address, EvidenceItem.address, CaseSource.address)
            places = "\n".join(a or "" for column in columns for a in s.scalars(select(column)))
            addresses = {a for a in addresses if a and a not in places}
            for id_no, phone in s.execute(select(Merchant.operator_id_no, Merchant.phone)):
                ids.add(id_no)
                phones.add(phone)
            for column in (Officer.phone, ServiceConsent.phone, SmsMessage.phone, Delivery.sent_to,
                           MerchantAccount.phone, PublicAccount.phone):  # fmt: skip
                phones.update(s.scalars(select(column)))
            for reporter in s.scalars(select(Signal.reporter).where(Signal.reporter.is_not(None))):
                phones.add(reporter.get("phone"))
    finally:
        db.dispose()
    return {v for v in ids if v}, {v for v in phones if v}, {v for v in addresses if v}


def found_in(blob: bytes, values: set[str]) -> list[str]:
    """The values that occur in ``blob``: a number as a whole run of digits (not inside a longer number: the text of
    coordinates and hashes is full of digits), any other text anywhere."""
    runs = set(re.findall(rb"[0-9][0-9X]*", blob))
    numbers = {v for v in values if re.fullmatch(r"[0-9][0-9X]*", v)}
    return sorted([v for v in numbers if v.encode() in runs] + [v for v in values - numbers if v.encode() in blob])


@pytest.fixture
def sqlite_demo(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    url, data_dir = demo_database(tmp_path, sqlite=True)
    yield url, data_dir
    drop_database(url)


def test_the_sqlite_file_holds_no_plain_identity_or_phone_number(sqlite_demo: tuple[str, Path]):
    url, data_dir = sqlite_demo
    ids, phones, addresses = personal_values(url, data_dir)
    assert len(ids) > 200 and len(phones) > 500 and len(addresses) > 20  # the demo city's people, all of them
    path = Path(make_url(url).database or "")
    raw = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    assert found_in(raw, ids) == []
    assert found_in(raw, phones) == []
    assert found_in(raw, addresses) == []
    assert b"cg1:" in raw  # what is there instead: the ciphertexts
    sample = sorted(ids)[0]
    assert found_in(f"INSERT 'x{sample}'".encode(), ids) == [sample]  # the search does find a number stored plain


@pytest.mark.skipif(not os.environ.get("CHENGGUAN_TEST_DATABASE_URL"), reason="PostgreSQL half of the suite")
def test_a_pg_dump_holds_no_plain_identity_or_phone_number(tmp_path: Path):
    url, data_dir = demo_database(tmp_path)
    try:
        ids, phones, addresses = personal_values(url, data_dir)
        conn = connection(url)
        dump = subprocess.run([tool("pg_dump"), "--data-only", "--no-owner"], env={**os.environ, **conn.env},
                              capture_output=True, check=True).stdout  # fmt: skip
        assert len(dump) > 1_000_000 and b"COPY public.penalty_case" in dump
        assert found_in(dump, ids) == []
        assert found_in(dump, phones) == []
        assert found_in(dump, addresses) == []
    finally:
        drop_database(url)


def test_search_by_identity_number_and_phone_still_works(client, login, shared_db):
    admin = login("admin")
    with shared_db.session(write=False) as s:
        case = s.scalars(
            select(Case).where(Case.party_type == PartyType.individual, Case.party_phone.is_not(None)).limit(1)
        ).one()
        shop = s.scalars(select(Merchant).where(Merchant.operator_id_no.is_not(None)).limit(1)).one()
        sms = s.scalars(select(SmsMessage).limit(1)).one()
        number, phone, code = case.party_id_no, case.party_phone, case.code
        operator_id, shop_phone, shop_code, sms_phone = shop.operator_id_no, shop.phone, shop.code, sms.phone
    for q in (number, number.lower(), phone):
        found = client.get("/api/v1/cases", params={"q": q, "page_size": 200}, headers=admin).json()
        assert code in [c["code"] for c in found["items"]], q
    assert client.get("/api/v1/cases", params={"q": number[:-1]}, headers=admin).json()["total"] == 0  # whole only
    for q in (operator_id, shop_phone):
        found = client.get("/api/v1/merchants", params={"q": q}, headers=admin).json()
        assert shop_code in [m["code"] for m in found["items"]], q
    outbox = client.get("/api/v1/sms-messages", params={"phone": sms_phone}, headers=admin).json()["items"]
    assert outbox and all(m["phone"] == sms_phone[:3] + "****" + sms_phone[-4:] for m in outbox)
