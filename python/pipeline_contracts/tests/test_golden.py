"""The golden vectors of packages/contracts/test/golden, read with the installed pipeline_contracts.

The vectors were written by Google's Python protobuf from proto/core_contracts.proto and are decoded
by the TypeScript contracts too (packages/contracts/test/golden.test.ts): both sides read the same
bytes the same way. Run from the repository (scripts/python-contracts/test.sh does):
    python -m unittest discover -s python/pipeline_contracts/tests
"""

from __future__ import annotations

import json
import unittest
from pathlib import Path

from google.protobuf import json_format

import pipeline_contracts

GOLDEN = Path(__file__).resolve().parents[3] / "packages" / "contracts" / "test" / "golden"


class GoldenVectors(unittest.TestCase):
    def test_every_message_of_the_current_set(self) -> None:
        manifest = json.loads((GOLDEN / "manifest.json").read_text())
        current = next(s for s in manifest["sets"] if s["name"] == "current")
        names = [m["name"] for m in current["messages"]]
        self.assertEqual(sorted(names), sorted(pipeline_contracts.MESSAGES), "one vector per message type")
        for entry in current["messages"]:
            with self.subTest(message=entry["name"]):
                cls = pipeline_contracts.MESSAGES[entry["name"]]
                self.assertEqual(cls.DESCRIPTOR.full_name, entry["typeName"])
                raw = (GOLDEN / f"{entry['name']}.bin").read_bytes()
                self.assertEqual(len(raw), entry["size"])
                message = cls.FromString(raw)
                expected = json.loads((GOLDEN / f"{entry['name']}.json").read_text())
                self.assertEqual(json_format.MessageToDict(message), expected)
                self.assertEqual(message.SerializeToString(deterministic=True), raw)

    def test_a_reply_as_an_agent_writes_it(self) -> None:
        request = pipeline_contracts.BuildRequest(request_id="r-1", commit_sha="abc", build_id="b-1", round=1)
        decoded = pipeline_contracts.BuildRequest.FromString(request.SerializeToString())
        reply = pipeline_contracts.BuildReport(commit_sha=decoded.commit_sha, build_id=decoded.build_id, status="PASSED")
        self.assertEqual(pipeline_contracts.BuildReport.FromString(reply.SerializeToString()).status, "PASSED")


if __name__ == "__main__":
    unittest.main()
