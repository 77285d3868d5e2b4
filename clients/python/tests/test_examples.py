"""The client over the repository's example contracts, served by a real `tidemark serve`
(test/clients/python.test.ts): country_daily from its sample files, card_transactions
from its sample, then a correction of its first transaction (run
TIDEMARK_CORRECTION_RUN) that was rolled back. TIDEMARK_BEFORE_CORRECTION and
TIDEMARK_BEFORE_ROLLBACK are system times just before each.
"""

import os
import unittest

import pandas as pd

from tidemark import Client

URL = os.environ.get("TIDEMARK_URL")
CARD = "card00393003"  # its first transaction: 2024-03-01T08:10:56.047Z, 22.52 USD
FIRST = "2024-03-01T08:10:56.047Z"


@unittest.skipUnless(URL, "TIDEMARK_URL is not set: run through test/clients/python.test.ts")
class ExampleContractsTest(unittest.TestCase):
    def setUp(self):
        self.tm = Client(URL, api_key=os.environ["TIDEMARK_API_KEY"])

    def test_a_training_set_over_both_example_contracts(self):
        spine = pd.DataFrame(
            {
                "country": ["FRA", "DEU", "XXX"],
                "card_id": [CARD, "card_unknown", CARD],
                "timestamp": pd.to_datetime(["2024-03-01T09:00:00Z", "2020-03-02", "2020-01-01"], utc=True),
            }
        )
        ts = self.tm.training_set(
            spine,
            features=["country_daily:confirmed", "country_daily:fatality", "card_transactions:amount", "card_transactions:card_present"],
        )
        self.assertEqual(str(ts["confirmed"].dtype), "Int64")
        self.assertEqual(str(ts["fatality"].dtype), "float64")
        self.assertEqual(str(ts["amount"].dtype), "float64")
        self.assertEqual(str(ts["card_present"].dtype), "boolean")
        self.assertEqual(ts.loc[0, "amount"], 22.52)
        self.assertTrue(bool(ts.loc[0, "card_present"]))
        self.assertFalse(pd.isna(ts.loc[0, "confirmed"]))
        self.assertFalse(pd.isna(ts.loc[1, "confirmed"]))
        # Unmatched spine rows: an unknown card, a country before any of its rows.
        self.assertTrue(pd.isna(ts.loc[1, "amount"]) and pd.isna(ts.loc[1, "card_present"]))
        for col in ["confirmed", "fatality"]:
            self.assertTrue(pd.isna(ts.loc[2, col]), col)

    def test_as_of_and_time_travel_over_a_correction_and_its_rollback(self):
        # as_of just before the first transaction: nothing yet; at it: its amount.
        before = self.tm.features("card_transactions", [CARD], as_of="2024-03-01T08:10:56.000Z")
        self.assertTrue(pd.isna(before.loc[0, "amount"]))
        self.assertTrue(pd.isna(before.loc[0, "event_time"]))
        at = self.tm.features("card_transactions", [CARD], as_of=FIRST)
        self.assertEqual(at.loc[0, "event_time"], pd.Timestamp(FIRST))
        self.assertEqual(str(at["event_time"].dtype), "datetime64[ns, UTC]")
        # Now: the correction was rolled back, so the first value is back.
        self.assertEqual(at.loc[0, "amount"], 22.52)
        corrected = self.tm.features(
            "card_transactions", [CARD], as_of=FIRST, known_at=os.environ["TIDEMARK_BEFORE_ROLLBACK"]
        )
        self.assertEqual(corrected.loc[0, "amount"], 99.99)
        original = self.tm.features(
            "card_transactions", [CARD], as_of=FIRST, known_at=os.environ["TIDEMARK_BEFORE_CORRECTION"]
        )
        self.assertEqual(original.loc[0, "amount"], 22.52)
        spine = pd.DataFrame({"card_id": [CARD], "timestamp": [pd.Timestamp(FIRST)]})
        ts = self.tm.training_set(
            spine, features=["card_transactions:amount"], known_at=os.environ["TIDEMARK_BEFORE_ROLLBACK"]
        )
        self.assertEqual(ts["amount"].tolist(), [99.99])

    def test_runs_and_lineage_of_the_example_contracts(self):
        runs = self.tm.runs(contract="card_transactions")
        self.assertEqual([r["id"] for r in runs][0], os.environ["TIDEMARK_CORRECTION_RUN"])
        self.assertEqual(runs[0]["status"], "ROLLED_BACK")
        self.assertEqual(runs[1]["rowsWritten"], 600)
        daily = self.tm.runs(contract="country_daily", status="succeeded")
        self.assertTrue(daily)
        self.assertTrue(all(r["rowsWritten"] > 0 for r in daily), daily)
        graph = self.tm.lineage(contract="country_daily")
        kinds = {n["kind"] for n in graph["nodes"]}
        self.assertTrue({"raw_batch", "run"} <= kinds, kinds)
        self.assertTrue(any(e["relation"] for e in graph["edges"]))


if __name__ == "__main__":
    unittest.main()
