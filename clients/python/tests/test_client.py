"""The client against a real `tidemark serve` process, which test/clients/python.test.ts
starts with keys required (made with `tidemark keys create`), the contracts `cases` and `weather` and their rows (see that file), then runs
``python3 -m unittest discover -s clients/python/tests`` with:

  TIDEMARK_URL, TIDEMARK_API_KEY (a reader key), TIDEMARK_REVOKED_KEY (a revoked key),
  TIDEMARK_BEFORE_FIX (a system time before the run that corrected FRA on 2024-05-02).
"""

import os
import unittest

import pandas as pd

from tidemark import Client, TidemarkError

URL = os.environ.get("TIDEMARK_URL")


@unittest.skipUnless(URL, "TIDEMARK_URL is not set: run through test/clients/python.test.ts")
class ClientTest(unittest.TestCase):
    def setUp(self):
        self.tm = Client(URL, api_key=os.environ["TIDEMARK_API_KEY"])
        self.spine = pd.DataFrame(
            {
                "country": ["FRA", "DEU", "FRA", "ITA"],
                "timestamp": pd.to_datetime(
                    ["2024-05-03T00:00:00Z", "2024-05-01", "2024-05-02T06:00:00Z", "2024-05-06"], utc=True
                ),
                "label": [1, 0, 1, 0],
            },
            index=[10, 11, 12, 13],
        )

    def test_training_set_over_two_views_is_typed_in_spine_order(self):
        ts = self.tm.training_set(
            self.spine,
            features=["cases:confirmed", "cases:rate", "cases:open", "cases:note", "cases:reported", "weather:temp", "weather:seen"],
            key_map={"weather": {"iso": "country"}},
        )
        self.assertEqual(list(ts.index), [10, 11, 12, 13])
        self.assertEqual(
            list(ts.columns),
            ["country", "timestamp", "label", "confirmed", "rate", "open", "note", "reported", "temp", "seen"],
        )
        self.assertEqual(str(ts["confirmed"].dtype), "Int64")
        self.assertEqual(str(ts["rate"].dtype), "float64")
        self.assertEqual(str(ts["open"].dtype), "boolean")
        self.assertEqual(str(ts["note"].dtype), "string")
        self.assertEqual(str(ts["reported"].dtype), "datetime64[ns, UTC]")
        self.assertEqual(str(ts["seen"].dtype), "datetime64[ns, UTC]")
        self.assertEqual(ts["confirmed"].tolist(), [31, pd.NA, 31, pd.NA])
        self.assertEqual(ts.loc[10, "rate"], 0.75)
        self.assertEqual(ts.loc[10, "note"], "fix")
        self.assertTrue(bool(ts.loc[10, "open"]))
        self.assertEqual(ts.loc[10, "reported"], pd.Timestamp("2024-05-02", tz="UTC"))
        self.assertEqual(ts.loc[10, "temp"], 14.5)
        self.assertEqual(ts.loc[10, "seen"], pd.Timestamp("2024-05-01T11:59:00Z"))
        # Unmatched rows (DEU before its first row, ITA never seen) are nulls, not zeros.
        for col in ["confirmed", "rate", "open", "note", "reported", "temp", "seen"]:
            self.assertTrue(pd.isna(ts.loc[11, col]), col)
            self.assertTrue(pd.isna(ts.loc[13, col]), col)
        self.assertEqual(ts["label"].tolist(), [1, 0, 1, 0])

    def test_time_travel_with_known_at_and_ttl(self):
        before = self.tm.training_set(
            self.spine, features=["cases:confirmed", "cases:rate"], known_at=os.environ["TIDEMARK_BEFORE_FIX"]
        )
        self.assertEqual(before["confirmed"].tolist(), [30, pd.NA, 30, pd.NA])
        self.assertTrue(pd.isna(before.loc[10, "rate"]))
        ttl = self.tm.training_set(self.spine, features=["cases:confirmed"], ttl={"cases": "P1D"})
        # FRA at 05-03 00:00: its 05-02 row is exactly a day old, outside the TTL.
        self.assertEqual(ttl["confirmed"].tolist(), [pd.NA, pd.NA, 31, pd.NA])

    def test_full_feature_names_and_a_clash(self):
        ts = self.tm.training_set(
            self.spine,
            features=["cases:rate", "weather:rate"],
            key_map={"weather": {"iso": "country"}},
            full_feature_names=True,
        )
        self.assertIn("cases__rate", ts.columns)
        self.assertIn("weather__rate", ts.columns)
        with self.assertRaises(TidemarkError) as err:
            self.tm.training_set(self.spine, features=["cases:rate", "weather:rate"], key_map={"weather": {"iso": "country"}})
        self.assertEqual(err.exception.code, "BAD_USER_INPUT")
        self.assertEqual(err.exception.status, 400)
        self.assertIn("output column rate would come from both cases and weather", str(err.exception))

    def test_features_as_of_and_known_at(self):
        now = self.tm.features("cases", ["FRA", "ITA"], as_of="2024-05-02T12:00:00Z")
        self.assertEqual(list(now["entity"]), ["FRA", "ITA"])
        self.assertEqual(str(now["confirmed"].dtype), "Int64")
        self.assertEqual(now["confirmed"].tolist(), [31, pd.NA])
        self.assertEqual(str(now["event_time"].dtype), "datetime64[ns, UTC]")
        then = self.tm.features(
            "cases", ["FRA"], as_of="2024-05-02T12:00:00Z", known_at=os.environ["TIDEMARK_BEFORE_FIX"]
        )
        self.assertEqual(then["confirmed"].tolist(), [30])
        major = self.tm.features("cases", ["FRA"], version="1", features=["rate"])
        self.assertEqual(list(major.columns), ["entity", "event_time", "rate"])

    def test_runs_and_lineage(self):
        runs = self.tm.runs(contract="cases", status="succeeded")
        self.assertEqual(len(runs), 2)
        self.assertTrue(all(r["status"] == "SUCCEEDED" and r["contract"] == "cases" for r in runs))
        graph = self.tm.lineage(contract="cases")
        kinds = {n["kind"] for n in graph["nodes"]}
        self.assertIn("run", kinds)
        self.assertTrue(graph["edges"])

    def test_a_bad_spine_names_the_row(self):
        spine = self.spine.copy()
        spine["timestamp"] = ["2024-05-01", "later", "2024-05-02", "2024-05-03"]
        with self.assertRaises(TidemarkError) as err:
            self.tm.training_set(spine, features=["cases:confirmed"])
        self.assertEqual(err.exception.code, "BAD_USER_INPUT")
        self.assertIn("spine row 2 (line 3): timestamp:", str(err.exception))
        with self.assertRaises(TidemarkError) as err:
            self.tm.training_set(self.spine.drop(columns=["country"]), features=["cases:confirmed"])
        self.assertIn("the spine has no column(s) country", str(err.exception))

    def test_a_refused_key(self):
        # Each refusal names its problem, over the bulk endpoint and over GraphQL alike.
        for key, problem in [
            (os.environ["TIDEMARK_REVOKED_KEY"], "this API key was revoked"),
            (None, "an API key is required: send Authorization: Bearer <key>"),
            (_wrong_secret(os.environ["TIDEMARK_API_KEY"]), "unknown API key"),
            ("tmk_nope_nope", "malformed API key (expected tmk_<id>_<secret>)"),
        ]:
            tm = Client(URL, api_key=key)
            with self.assertRaises(TidemarkError) as err:
                tm.training_set(self.spine, features=["cases:confirmed"])
            self.assertEqual(err.exception.status, 401)
            self.assertEqual(err.exception.code, "UNAUTHENTICATED")
            self.assertEqual(str(err.exception), problem)
            with self.assertRaises(TidemarkError) as err:
                tm.features("cases", ["FRA"])
            self.assertEqual(err.exception.code, "UNAUTHENTICATED")
            self.assertEqual(str(err.exception), problem)


def _wrong_secret(key):
    """The key's id with another secret."""
    return key[:-1] + ("A" if key[-1] != "A" else "B")


if __name__ == "__main__":
    unittest.main()
