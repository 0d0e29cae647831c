#!/usr/bin/env python3
"""The Python contracts package's generated code, from proto/core_contracts.proto and proto/state_record.proto.

Runs the protoc bundled with grpcio-tools (the same pinned one as the golden vectors,
scripts/golden/requirements.txt) with ``--python_out`` and ``--pyi_out`` into
``python/pipeline_contracts/src/pipeline_contracts/``. The import line protoc writes is kept as it
is: the protos have no imports.

Usage:
    python3 scripts/python-contracts/generate.py          # (re)write the committed files
    python3 scripts/python-contracts/generate.py --check  # regenerate into a temp dir, exit 1 on a diff
"""

from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROTO_DIR = ROOT / "proto"
PROTO_FILES = ["core_contracts.proto", "state_record.proto"]
PACKAGE_DIR = ROOT / "python" / "pipeline_contracts" / "src" / "pipeline_contracts"
GENERATED = [f"{Path(p).stem}_pb2.{ext}" for p in PROTO_FILES for ext in ("py", "pyi")]


def generate(out_dir: Path) -> None:
    from grpc_tools import protoc  # noqa: PLC0415 (keeps --help import-free)

    code = protoc.main(
        ["protoc", f"-I{PROTO_DIR}", f"--python_out={out_dir}", f"--pyi_out={out_dir}", *(str(PROTO_DIR / p) for p in PROTO_FILES)]
    )
    if code != 0:
        raise SystemExit(f"protoc failed with exit code {code}")


def check() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        generate(Path(scratch))
        stale = [
            name
            for name in GENERATED
            if not (PACKAGE_DIR / name).exists() or not filecmp.cmp(Path(scratch) / name, PACKAGE_DIR / name, shallow=False)
        ]
    if stale:
        print(
            f"python contracts are out of date ({', '.join(stale)}); "
            "run `python3 scripts/python-contracts/generate.py` (in the golden venv) and commit the result",
            file=sys.stderr,
        )
        return 1
    print(f"python contracts: {', '.join(GENERATED)} match {', '.join(f'proto/{p}' for p in PROTO_FILES)}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="diff against the committed files instead of writing")
    args = parser.parse_args()
    if args.check:
        return check()
    generate(PACKAGE_DIR)
    print(f"wrote {', '.join(GENERATED)} to {PACKAGE_DIR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
