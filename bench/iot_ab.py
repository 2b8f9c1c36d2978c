"""Before / after in one run: ``bench/iot.py`` alternately against another source tree (``--before``, e.g. an export
of an older commit: ``git archive <rev> src | tar -x -C /tmp/before``) and this checkout, ``--rounds`` times each, so
both sides meet the same machine load (this machine is shared: figures of runs far apart do not compare). Any other
argument goes to bench/iot.py. Run:
    .venv/bin/python bench/iot_ab.py --before /tmp/before/src [--rounds 2] -- --seconds 10 [--database-url …]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LINES = re.compile(r"^(SQLite|PostgreSQL|alarms|publishers|CPU|in the bridge|bridge time|machine)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", required=True, help="the src/ folder of the tree to compare against")
    parser.add_argument("--rounds", type=int, default=2)
    args, rest = parser.parse_known_args()
    rest = [a for a in rest if a != "--"]
    for n in range(args.rounds):
        for side, path in (("before", args.before), ("after", str(HERE.parent / "src"))):
            env = {**os.environ, "PYTHONPATH": path}
            out = subprocess.run([sys.executable, str(HERE / "iot.py"), *rest], env=env, capture_output=True,
                                 text=True, timeout=900)  # fmt: skip
            print(f"--- round {n + 1}, {side} ({path})")
            for line in out.stdout.splitlines():
                if LINES.match(line):
                    print(line)
            if out.returncode:
                print(out.stderr[-2000:])
            sys.stdout.flush()


if __name__ == "__main__":
    main()
