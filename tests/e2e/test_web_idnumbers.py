"""The web app's identity-number hints (web/src/utils/idnumbers.js) agree with the server's check (GB 11643 resident
ID numbers, GB 32100 unified social credit codes, chengguan.core.idnumbers) on valid numbers, one-character slips,
impossible birth dates and wrong lengths — run in Node, the same module the browser loads."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from chengguan.core.idnumbers import uscc_check_char, valid_ric, valid_uscc
from support import synthetic_ric

MODULE = Path(__file__).resolve().parents[2] / "web" / "src" / "utils" / "idnumbers.js"
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _verdicts(cases: list[tuple[str, str]]) -> list[str]:
    """idNumberProblem(number, party type) for each case, from Node ('' when the number is valid)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node not installed")
    script = (
        f"import {{ idNumberProblem }} from {json.dumps(MODULE.as_uri())};\n"
        "const cases = JSON.parse(process.argv[1]);\n"
        "console.log(JSON.stringify(cases.map(([n, t]) => idNumberProblem(n, t))));\n"
    )
    out = subprocess.run(
        [node, "--input-type=module", "-e", script, json.dumps(cases)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(out.stdout)


def _slips(number: str, alphabet: str, rng: random.Random) -> list[str]:
    """The number with one character replaced by another of the alphabet, at a few random places."""
    out = []
    for i in rng.sample(range(len(number)), 6):
        other = rng.choice([c for c in alphabet if c != number[i]])
        out.append(number[:i] + other + number[i + 1 :])
    return out


def _uscc(rng: random.Random) -> str:
    body = "91" + "370202" + "".join(rng.choice(USCC_CHARS) for _ in range(9))
    return body + uscc_check_char(body)


def test_hints_agree_with_the_server_check():
    rng = random.Random(20260101)
    people = [synthetic_ric(rng.getrandbits(64)) for _ in range(40)]
    companies = [_uscc(rng) for _ in range(40)]
    cases = [(n, "individual") for n in people]
    cases += [(s, "individual") for n in people for s in _slips(n, "0123456789X", rng)]
    cases += [("370203" + "19990230" + "001" + "X", "individual"), (people[0][:-1], "individual")]
    cases += [(n.lower(), "individual") for n in people if n.endswith("X")][:3]
    cases += [(n, "organization") for n in companies]
    cases += [(s, "organization") for n in companies for s in _slips(n, USCC_CHARS, rng)]
    cases += [(companies[0].replace(companies[0][3], "I"), "organization"), ("", "organization"), ("", "individual")]
    verdicts = _verdicts(cases)
    for (number, kind), problem in zip(cases, verdicts, strict=True):
        valid = valid_ric(number) if kind == "individual" else valid_uscc(number)
        assert (problem == "") == valid, (number, kind, problem)
    assert sum(1 for p in verdicts if p == "") >= 80  # the valid ones did come through
    assert any("校验位" in p for p in verdicts) and any("出生日期" in p for p in verdicts)
