#!/usr/bin/env python3
"""Golden binary vectors: messages encoded by Google's Python protobuf, decoded by our TypeScript.

The agents of the reference design are Python programs built on stubs that protoc generated from
the seed proto; the TypeScript side uses protobuf-es. This script produces the evidence that both
speak the same wire form:

* It runs the protoc bundled with grpcio-tools (``--python_out``) on ``proto/core_contracts.proto``
  and, separately, on the verbatim seed copy ``reference/seed/core_contracts.proto``.
* It imports each generated ``core_contracts_pb2`` (in a child process per proto: both files are
  named ``core_contracts.proto``, so they cannot share one descriptor pool), builds one message per
  type with meaningful, non-default values, and writes for each:
    ``<Message>.bin``  -- ``SerializeToString(deterministic=True)``
    ``<Message>.json`` -- ``json_format.MessageToDict`` (proto3 JSON, lowerCamelCase names,
                          default values omitted: the same mapping as protobuf-es ``toJson``)
* The vectors of the current proto go to ``packages/contracts/test/golden/``, those of the seed
  proto to ``packages/contracts/test/golden/seed/``, and ``manifest.json`` lists both sets and the
  versions used. ``packages/contracts/test/golden.test.ts`` decodes them all.

Output is deterministic: running it twice writes identical files.

Usage:
    python3 scripts/golden/generate.py            # (re)write packages/contracts/test/golden
    python3 scripts/golden/generate.py --out DIR  # write somewhere else
    python3 scripts/golden/generate.py --check    # regenerate into a temp dir, diff, exit 1 on diff
"""

from __future__ import annotations

import argparse
import filecmp
import importlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "packages" / "contracts" / "test" / "golden"
PROTO_FILE = "core_contracts.proto"

# The two vector sets: (name, folder holding core_contracts.proto, sub-folder of the output). The
# current set comes first: the seed set's run also reads the current set's bytes with seed stubs.
SETS = [
    ("current", "proto", ""),
    ("seed", "reference/seed", "seed"),
]

# One sample per message, by proto field name. Values are chosen to exercise the encoding:
# multi-byte UTF-8 (accents, CJK, emoji outside the BMP, which JS holds as a surrogate pair), a
# string longer than 127 bytes (two-byte length prefix), repeated fields with several items, a
# nested message list including one Phase whose goal is left default, and string fields left
# empty (TestGenRequest.branch, the last Phase's goal) which proto3 neither encodes nor prints.
# Fields that the seed proto lacks are dropped from the seed set (see _build).
SAMPLES: dict[str, dict] = {
    "ChangeRequest": {
        "id": "req-0001",
        "requester": "zoë.müller@example.com",
        "repo": "github.com/acme/widgets",
        "branch": "feature/ünïcödé-names",
        "description": (
            "Rename the widget registry and keep the old name as an alias.\n"
            "Accept non-ASCII names: Ærøskøbing, 東京, Zürich, and emoji such as 🚀✨.\n"
            'Quotes "double" and \'single\', a tab\there, a backslash \\ too.'
        ),
    },
    "Plan": {
        "id": "plan-0001",
        "parent_request_id": "req-0001",
        "task_ids": ["plan-0001/task-1", "plan-0001/task-2", "plan-0001/tâche-3"],
    },
    "TaskBundle": {
        "plan_id": "plan-0001",
        "task_ids": ["plan-0001/task-1", "plan-0001/task-2", "plan-0001/tâche-3"],
    },
    "CommitResult": {
        "task_id": "plan-0001/task-2",
        "commit_sha": "9fceb02d0ae598e95dc970b74767f19372d61af8",
        "status": "SUCCESS",
    },
    "BuildReport": {
        "commit_sha": "9fceb02d0ae598e95dc970b74767f19372d61af8",
        "status": "FAILED: 2 tests — «widget» ✗",
        "build_id": "req-0001/build2",
        "usage": {"input_tokens": 0, "output_tokens": 0, "cost_usd": 0.0125},
        "attempt": 3,
    },
    "TestSpec": {
        "id": "spec-0001",
        "parent_commit_sha": "9fceb02d0ae598e95dc970b74767f19372d61af8",
    },
    "GeneratedTests": {
        "spec_id": "spec-0001",
        "commit_sha": "e83c5163316f89bfbde7d9ab23ca2e25604af290",
        "precheck": "PASSED",
    },
    "RegressionTicket": {
        "id": "reg-0001",
        "summary": "build2 failed for req-0001: 2 tests failed (widget_テスト)",
        "request_id": "req-0001",
        "failed_stage": "build2",
        "reason": "build_failed",
    },
    "DeepPlan": {
        "id": "deep-0001",
        "phases": [
            {"id": "phase-1", "goal": "Analyse the registry and its callers"},
            {"id": "phase-2", "goal": "Implement the rename — keep the alias 🔁"},
            {"id": "phase-3"},
        ],
    },
    "Phase": {
        "id": "phase-2",
        "goal": "Vérifier les tests: 確認 ✅",
    },
    "BuildRequest": {
        "request_id": "req-0001",
        "build_id": "req-0001/build2",
        "commit_sha": "e83c5163316f89bfbde7d9ab23ca2e25604af290",
        "repo": "github.com/acme/widgets",
        "branch": "feature/ünïcödé-names",
        "round": 2,
        "attempt": 3,
    },
    "TestPlanRequest": {
        "request_id": "req-0001",
        "commit_sha": "9fceb02d0ae598e95dc970b74767f19372d61af8",
        "repo": "github.com/acme/widgets",
        "branch": "feature/ünïcödé-names",
        "description": "Rename the widget registry; names may be non-ASCII (東京, Zürich).",
    },
    "TestGenRequest": {
        "request_id": "req-0001",
        "spec_id": "spec-0001",
        "commit_sha": "9fceb02d0ae598e95dc970b74767f19372d61af8",
        "repo": "github.com/acme/widgets",
        # branch left empty on purpose: a default string is not on the wire nor in the JSON.
    },
    "Usage": {
        "input_tokens": 1_234_567,
        "output_tokens": 89_012,
        "cost_usd": 4.375,
    },
    "AgentProgress": {
        "request_id": "req-0001",
        "stage": "code_phase",
        "note": "editing src/registry.ts (2 of 3 tasks) — 東京 ✨",
        # An explicit 0 of an `optional` field is on the wire and in the JSON: the agent said 0 %.
        "percent": 0,
        "usage": {"input_tokens": 52_000, "output_tokens": 3_100, "cost_usd": 0.2035},
    },
    "AgentCancel": {
        "request_id": "req-0001",
        "stage": "code_phase",
        "reason": "cancelled",
        "requested_by": "zoë.müller@example.com",
    },
    "Budget": {"max_tokens": 2_000_000, "max_cost_usd": 12.5},
    "ControlCommand": {
        "request_id": "req-0001",
        "requested_by": "zoë.müller@example.com",
        "reason": "flaky build, try again",
        # A oneof: exactly one action on the wire.
        "retry": {"from_stage": "build1"},
    },
    # An empty message: no bytes at all.
    "CancelAction": {},
    "RetryAction": {"from_stage": "code_phase"},
    "ApproveAction": {},
    "RejectAction": {},
}


def _require_packages() -> None:
    try:
        importlib.import_module("grpc_tools.protoc")
        importlib.import_module("google.protobuf.json_format")
    except ImportError as error:
        raise SystemExit(
            f"{error}: install the pinned packages first, in a venv outside the repo:\n"
            "  python3 -m venv /tmp/golden-venv && /tmp/golden-venv/bin/pip install -r scripts/golden/requirements.txt\n"
            "  /tmp/golden-venv/bin/python scripts/golden/generate.py"
        ) from error


def _versions() -> dict:
    protoc = subprocess.run(
        [sys.executable, "-m", "grpc_tools.protoc", "--version"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "protobuf": importlib.metadata.version("protobuf"),
        "grpcioTools": importlib.metadata.version("grpcio-tools"),
        "protoc": protoc,
    }


def _protoc(proto_dir: Path, out_dir: Path) -> None:
    from grpc_tools import protoc  # noqa: PLC0415 (only needed here, keeps --help import-free)

    # The first argument is argv[0]; protoc's return code is non-zero on any error.
    code = protoc.main(["protoc", f"-I{proto_dir}", f"--python_out={out_dir}", str(proto_dir / PROTO_FILE)])
    if code != 0:
        raise SystemExit(f"protoc failed on {proto_dir / PROTO_FILE} (exit {code})")


def _build(message_class, sample: dict, *, allow_missing_fields: bool):
    """Builds a message from a sample, dropping fields the proto lacks when allow_missing_fields."""
    from google.protobuf import json_format  # noqa: PLC0415

    descriptor = message_class.DESCRIPTOR
    missing = [name for name in sample if name not in descriptor.fields_by_name]
    if missing and not allow_missing_fields:
        raise SystemExit(f"sample for {descriptor.full_name} names unknown fields: {missing}")
    kept = {name: value for name, value in sample.items() if name in descriptor.fields_by_name}
    return json_format.ParseDict(kept, message_class())


def _emit(set_name: str, pb2_dir: Path, out_dir: Path, newer_dir: Path | None) -> list[dict]:
    """Child-process half: imports the generated module and writes the vectors of one set.

    With newer_dir (the seed set gets the current set's folder), it also proves in Python that a
    seed stub reads the current proto's bytes: added fields become unknown fields, the known ones
    equal the seed sample, and re-serializing gives the current bytes back unchanged.
    """
    from google.protobuf import json_format  # noqa: PLC0415

    sys.path.insert(0, str(pb2_dir))
    module = importlib.import_module("core_contracts_pb2")
    file_descriptor = module.DESCRIPTOR
    out_dir.mkdir(parents=True, exist_ok=True)

    names = list(file_descriptor.message_types_by_name)  # declaration order
    without_sample = [name for name in names if name not in SAMPLES]
    if without_sample:
        raise SystemExit(f"{set_name}: no sample in generate.py for {without_sample}; add one")

    entries = []
    for name in names:
        message_class = getattr(module, name)
        message = _build(message_class, SAMPLES[name], allow_missing_fields=set_name != "current")
        data = message.SerializeToString(deterministic=True)

        # The bytes must parse back to the same message in Python too.
        reparsed = message_class()
        reparsed.ParseFromString(data)
        if reparsed != message:
            raise SystemExit(f"{set_name}: {name} does not round-trip in Python")

        if newer_dir is not None:
            newer_bytes = (newer_dir / f"{name}.bin").read_bytes()
            seen_by_seed = message_class()
            seen_by_seed.ParseFromString(newer_bytes)
            if seen_by_seed.SerializeToString(deterministic=True) != newer_bytes:
                raise SystemExit(f"{set_name}: {name} stub does not pass on the newer proto's bytes unchanged")
            seen_by_seed.DiscardUnknownFields()
            if seen_by_seed != message:
                raise SystemExit(f"{set_name}: {name} stub reads the newer proto's bytes as {seen_by_seed}")

        expected = json_format.MessageToDict(message, preserving_proto_field_name=False)
        (out_dir / f"{name}.bin").write_bytes(data)
        (out_dir / f"{name}.json").write_text(
            json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        entries.append(
            {
                "name": name,
                "typeName": message_class.DESCRIPTOR.full_name,
                "size": len(data),
            }
        )
    return entries


def generate(out_dir: Path) -> None:
    """Writes every set and the manifest into out_dir, which must be new or empty."""
    manifest: dict = {
        "about": "Golden vectors written by scripts/golden/generate.py with Google's Python protobuf; "
        "do not edit by hand. See scripts/golden/README.md.",
        **_versions(),
        "sets": [],
    }
    with tempfile.TemporaryDirectory(prefix="golden-pb2-") as scratch:
        for set_name, proto_rel, sub_dir in SETS:
            pb2_dir = Path(scratch) / set_name
            pb2_dir.mkdir()
            _protoc(ROOT / proto_rel, pb2_dir)
            set_out = out_dir / sub_dir if sub_dir else out_dir
            newer = "-" if set_name == "current" else str(out_dir)
            # One process per set: both generated modules register "core_contracts.proto" in the
            # default descriptor pool, which refuses a second file of the same name.
            result = subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), "--emit", set_name, str(pb2_dir), str(set_out), newer],
                check=True,
                stdout=subprocess.PIPE,
                text=True,
                env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
            )
            manifest["sets"].append(
                {
                    "name": set_name,
                    "proto": f"{proto_rel}/{PROTO_FILE}",
                    "dir": sub_dir or ".",
                    "messages": json.loads(result.stdout),
                }
            )
    (out_dir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def check(committed: Path) -> int:
    with tempfile.TemporaryDirectory(prefix="golden-check-") as scratch:
        fresh = Path(scratch) / "golden"
        fresh.mkdir()
        generate(fresh)
        old, new = _tree(committed) if committed.is_dir() else set(), _tree(fresh)
        diffs = [f"stale (not generated any more): {f}" for f in sorted(old - new)]
        diffs += [f"missing (not committed): {f}" for f in sorted(new - old)]
        diffs += [
            f"changed: {f}"
            for f in sorted(old & new)
            if not filecmp.cmp(committed / f, fresh / f, shallow=False)
        ]
    if diffs:
        print(f"golden vectors in {committed} are out of date:", file=sys.stderr)
        for line in diffs:
            print(f"  {line}", file=sys.stderr)
        print("regenerate with: python3 scripts/golden/generate.py (see scripts/golden/README.md)", file=sys.stderr)
        return 1
    print(f"golden vectors are up to date ({len(new)} files in {committed})")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    parser.add_argument("--check", action="store_true", help="regenerate into a temp dir and diff with --out")
    parser.add_argument("--emit", nargs=4, metavar=("SET", "PB2_DIR", "OUT", "NEWER"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.emit:
        set_name, pb2_dir, out, newer = args.emit
        print(json.dumps(_emit(set_name, Path(pb2_dir), Path(out), None if newer == "-" else Path(newer))))
        return 0

    _require_packages()
    out_dir: Path = args.out.resolve()
    if args.check:
        return check(out_dir)

    # Generate next to the target, then swap, so a failed run leaves the committed vectors intact
    # and a message removed from the proto leaves no stale file behind.
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / "manifest.json").exists():
        raise SystemExit(f"{out_dir} is not empty and holds no manifest.json; refusing to replace it")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".golden-", dir=out_dir.parent))
    try:
        generate(staging)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        staging.chmod(0o755)  # mkdtemp makes it 0700
        staging.rename(out_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    total = len(_tree(out_dir))
    print(f"wrote {total} files to {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
