"""Reading a training set's answer (POST /v1/training-set) as it arrives.

The answer can be a million rows: it is never held whole as text nor built row by
row. Arrow IPC when pyarrow is importable (the server's columns typed already), else
CSV read straight from the HTTP response by pandas' parser, in its own buffered
chunks, each column parsed once into its final dtype.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Callable, Dict, List, Mapping, Optional

ARROW_STREAM = "application/vnd.apache.arrow.stream"
CSV = "text/csv"


def arrow_available() -> bool:
    try:
        import pyarrow  # noqa: F401
        import pyarrow.ipc  # noqa: F401
    except ImportError:
        return False
    return True


def accept_header(want_frame: bool, arrow: Optional[bool] = None) -> str:
    """What to ask for: Arrow IPC only when the answer becomes a DataFrame and pyarrow
    can read it; CSV (which the server always speaks) otherwise, and as the fallback."""
    if arrow is None:
        arrow = arrow_available()
    if want_frame and arrow:
        return f"{ARROW_STREAM}, {CSV};q=0.5"
    return CSV


def answer_types(headers: Any) -> Dict[str, str]:
    """Each answer column's feature type, from the x-tidemark-types header."""
    return json.loads(headers.get("x-tidemark-types") or "{}")


# CSV cells as the server writes them, parsed once into the dtype of their feature type.
_CSV_DTYPES = {"integer": "Int64", "number": "float64", "boolean": "boolean", "string": "string"}


def read_frame(pd: Any, stream: Any, content_type: str, n_spine_columns: int, types: Mapping[str, str], type_frame: Callable):
    """The feature columns (everything after the spine's key and timestamp columns) as
    a typed DataFrame, read from ``stream`` (a binary file-like: the HTTP response)."""
    if content_type.split(";")[0].strip() == ARROW_STREAM:
        import pyarrow.ipc

        table = pyarrow.ipc.open_stream(stream).read_all()
        names = table.column_names[n_spine_columns:]
        frame = table.select(names).to_pandas()
        return type_frame(frame, types), names
    header = next(csv.reader([stream.readline().decode("utf-8")]))
    names = header[n_spine_columns:]
    frame = pd.read_csv(
        stream,
        header=None,
        names=header,
        usecols=list(range(n_spine_columns, len(header))),
        dtype={n: _CSV_DTYPES.get(types.get(n, ""), "string") for n in names},
        keep_default_na=False,
        na_values=[""],
        true_values=["true"],
        false_values=["false"],
        encoding="utf-8",
        low_memory=True,
    )
    return type_frame(frame, {n: t for n, t in types.items() if t in ("date", "timestamp")}), names


def read_rows(stream: Any, n_spine_columns: int) -> List[List[Optional[str]]]:
    """Without pandas: the feature cells of each row, empty as None, read line by line."""
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
    reader = csv.reader(text)
    header = next(reader)
    rows = [[None if c == "" else c for c in r[n_spine_columns:]] for r in reader]
    return [header[n_spine_columns:], *rows]
