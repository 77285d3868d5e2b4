"""answer.py without a server: what the client asks for, and a CSV answer read from a
stream into typed columns (the server's CSV for each feature type, nulls included)."""

import io
import unittest

import pandas as pd

from tidemark.answer import ARROW_STREAM, accept_header, arrow_available, read_frame, read_rows
from tidemark.client import _type_frame


class ContentNegotiationTest(unittest.TestCase):
    def test_arrow_when_pyarrow_reads_it_for_a_frame(self):
        self.assertEqual(accept_header(True, arrow=True), f"{ARROW_STREAM}, text/csv;q=0.5")

    def test_csv_without_pyarrow_or_without_pandas(self):
        self.assertEqual(accept_header(True, arrow=False), "text/csv")
        self.assertEqual(accept_header(False, arrow=True), "text/csv")

    def test_the_default_follows_what_is_importable(self):
        # Debian's python3 here has no pyarrow: the client asks for CSV.
        self.assertEqual(arrow_available(), False)
        self.assertEqual(accept_header(True), "text/csv")


ANSWER = (
    b"country,timestamp,n,x,ok,note,day\n"
    b"FRA,2024-05-01T00:00:00.000Z,3,0.5,true,\"a, \"\"b\"\"\",2024-05-01\n"
    b"DEU,2024-05-01T00:00:00.000Z,,,,,\n"
    b"ITA,2024-05-02T00:00:00.000Z,-7,1e3,false,x,2024-05-02\n"
)
TYPES = {"n": "integer", "x": "number", "ok": "boolean", "note": "string", "day": "date", "timestamp": "timestamp"}


class CsvAnswerTest(unittest.TestCase):
    def test_typed_columns_from_a_stream(self):
        frame, names = read_frame(pd, io.BytesIO(ANSWER), "text/csv; charset=utf-8", 2, TYPES, _type_frame)
        self.assertEqual(names, ["n", "x", "ok", "note", "day"])
        self.assertEqual(list(frame.columns), names)
        self.assertEqual(
            [str(t) for t in frame.dtypes], ["Int64", "float64", "boolean", "string", "datetime64[ns, UTC]"]
        )
        self.assertEqual(frame["n"].tolist(), [3, pd.NA, -7])
        self.assertEqual(frame["note"].tolist(), ['a, "b"', pd.NA, "x"])
        self.assertEqual(frame["ok"].tolist(), [True, pd.NA, False])
        self.assertTrue(pd.isna(frame.loc[1, "x"]) and pd.isna(frame.loc[1, "day"]))
        self.assertEqual(frame.loc[2, "x"], 1000.0)

    def test_rows_without_pandas(self):
        names, *rows = read_rows(io.BytesIO(ANSWER), 2)
        self.assertEqual(names, ["n", "x", "ok", "note", "day"])
        self.assertEqual(rows[1], [None, None, None, None, None])
        self.assertEqual(rows[0][3], 'a, "b"')


if __name__ == "__main__":
    unittest.main()
