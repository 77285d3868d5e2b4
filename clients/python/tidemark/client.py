"""A Tidemark server over HTTP: GraphQL for features, runs and lineage; the bulk
endpoint (POST /v1/training-set: a CSV spine in; Arrow IPC back when pyarrow is
importable, CSV otherwise, read as it streams: see answer.py) for training sets of
any size.

Only the standard library talks to the server. With pandas installed, `features` and
`training_set` answer DataFrames typed from the features' types: integers as nullable
``Int64``, numbers ``float64``, booleans ``boolean``, text ``string``, dates and
timestamps ``datetime64[ns, UTC]``; without it they answer lists of dicts.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, datetime, timezone
from typing import Any, Dict, List, Mapping, Optional, Sequence

from .answer import accept_header, answer_types, read_frame, read_rows
from .duplex import duplex_post

try:  # pandas is optional
    import pandas as pd
except ImportError:  # pragma: no cover - exercised where pandas is absent
    pd = None


class TidemarkError(Exception):
    """A refusal from the server: ``code`` is its extensions.code (BAD_USER_INPUT,
    UNAUTHENTICATED, NOT_FOUND, ...), ``status`` the HTTP status."""

    def __init__(self, message: str, code: Optional[str] = None, status: Optional[int] = None):
        super().__init__(message)
        self.code = code
        self.status = status


Time = Any  # datetime, date, pandas Timestamp or RFC 3339 text


class Client:
    """``Client("http://localhost:4000", api_key="tmk_...")``; the URL may end in /graphql."""

    def __init__(self, url: str, api_key: Optional[str] = None, timeout: float = 300.0):
        base = url.rstrip("/")
        if base.endswith("/graphql"):
            base = base[: -len("/graphql")]
        self.url = base
        self.api_key = api_key
        self.timeout = timeout

    # --- GraphQL reads -------------------------------------------------------------

    def features(
        self,
        contract: str,
        entities: Sequence[Any],
        as_of: Optional[Time] = None,
        known_at: Optional[Time] = None,
        version: Optional[str] = None,
        features: Optional[Sequence[str]] = None,
        environment: Optional[str] = None,
    ):
        """Feature values per entity at or before ``as_of`` (default now), as the store
        knew them at ``known_at``. One row per entity, in the order given: ``entity``,
        ``event_time`` (null where nothing matched) and one column per feature."""
        data = self.graphql(
            """query($c: String!, $e: [JSON!]!, $a: DateTime, $k: DateTime, $v: String, $f: [String!], $env: String) {
              features(contract: $c, entities: $e, asOf: $a, knownAt: $k, version: $v, features: $f, environment: $env) {
                entity eventTime features { name type value }
              }
            }""",
            {
                "c": contract,
                "e": list(entities),
                "a": _rfc3339(as_of),
                "k": _rfc3339(known_at),
                "v": version,
                "f": list(features) if features is not None else None,
                "env": environment,
            },
        )
        vectors = data["features"]
        types: Dict[str, str] = {"event_time": "timestamp"}
        rows = []
        for v in vectors:
            row: Dict[str, Any] = {"entity": v["entity"], "event_time": v["eventTime"]}
            for f in v["features"]:
                row[f["name"]] = f["value"]
                types[f["name"]] = f["type"]
            rows.append(row)
        if pd is None:
            return [{k: _typed(x, types.get(k)) for k, x in r.items()} for r in rows]
        frame = pd.DataFrame(rows, columns=["entity", "event_time", *[n for n in types if n != "event_time"]])
        return _type_frame(frame, types)

    def runs(
        self,
        contract: Optional[str] = None,
        status: Optional[str] = None,
        environment: Optional[str] = None,
        trigger: Optional[str] = None,
        first: int = 20,
    ) -> List[Dict[str, Any]]:
        """Runs, newest first: id, contract, version, environment, trigger, status, counts, times."""
        data = self.graphql(
            """query($c: String, $s: RunStatus, $e: String, $t: String, $n: Int) {
              runs(contract: $c, status: $s, environment: $e, trigger: $t, first: $n) {
                nodes { id contract contractVersion environment trigger status rowsRead rowsValid
                        rowsRejected rowsWritten queuedAt committedAt error }
              }
            }""",
            {"c": contract, "s": status.upper() if status else None, "e": environment, "t": trigger, "n": first},
        )
        return data["runs"]["nodes"]

    def lineage(
        self, contract: Optional[str] = None, run: Optional[str] = None, entity: Any = None
    ) -> Dict[str, Any]:
        """The lineage graph: nodes (raw batches, runs, feature views, rejects) and edges."""
        data = self.graphql(
            """query($c: String, $r: ID, $e: JSON) {
              lineage(contract: $c, run: $r, entity: $e) {
                nodes { id kind label attributes } edges { from to relation }
              }
            }""",
            {"c": contract, "r": run, "e": entity},
        )
        return data["lineage"]

    # --- training sets --------------------------------------------------------------

    def training_set(
        self,
        spine,
        features: Sequence[str],
        known_at: Optional[Time] = None,
        ttl: Optional[Mapping[str, str]] = None,
        key_map: Optional[Mapping[str, Mapping[str, str]]] = None,
        timestamp_column: str = "timestamp",
        full_feature_names: bool = False,
        environment: Optional[str] = None,
    ):
        """A point-in-time-correct training set over one or more feature views.

        ``spine``: a DataFrame (or a list of dicts) with the entity key columns and
        ``timestamp_column``; ``features``: ``["contract:feature", ...]`` (``contract:*``
        for all of a view); ``ttl``: ``{contract: "P7D"}``; ``key_map``:
        ``{contract: {key column: spine column}}`` where a view names its key
        differently. The answer is the spine (every column it had, its index kept) with
        one column per feature, row for row: nulls where a view had nothing at or
        before the row's time (or within its TTL), as the store knew it at ``known_at``.
        """
        key_map = {c: dict(m) for c, m in (key_map or {}).items()}
        contracts: List[str] = []
        for ref in features:
            name = ref.split(":", 1)[0]
            if name not in contracts:
                contracts.append(name)
        keys: List[str] = []
        for c in contracts:
            for col in self._entity_key(c):
                spine_col = key_map.get(c, {}).get(col, col)
                if spine_col not in keys:
                    keys.append(spine_col)
        columns = [*keys, timestamp_column]
        body = _spine_csv(spine, columns)
        params: List[tuple] = [("features", ",".join(features)), ("timestamp", timestamp_column)]
        if known_at is not None:
            params.append(("knownAt", _rfc3339(known_at)))
        if environment:
            params.append(("environment", environment))
        if full_feature_names:
            params.append(("fullFeatureNames", "true"))
        for c, d in (ttl or {}).items():
            params.append((f"ttl.{c}", d))
        for c, m in key_map.items():
            for col, spine_col in m.items():
                params.append((f"key.{c}.{col}", spine_col))
        want_frame = pd is not None
        with self._duplex(
            "/v1/training-set?" + urllib.parse.urlencode(params), body, "text/csv", accept_header(want_frame)
        ) as res:
            types = answer_types(res.headers)
            if not want_frame:
                feature_names, *rows = read_rows(res, len(columns))
            else:
                got, feature_names = read_frame(
                    pd, res, res.headers.get("content-type", "text/csv"), len(columns), types, _type_frame
                )
        if not want_frame:
            base = list(spine)
            if len(rows) != len(base):
                raise TidemarkError(f"the server answered {len(rows)} rows for a spine of {len(base)}")
            return [
                {**base[i], **{n: _typed(r[j], types.get(n)) for j, n in enumerate(feature_names)}}
                for i, r in enumerate(rows)
            ]
        frame = spine.copy() if isinstance(spine, pd.DataFrame) else pd.DataFrame(list(spine))
        if len(got) != len(frame):
            raise TidemarkError(f"the server answered {len(got)} rows for a spine of {len(frame)}")
        got.index = frame.index
        for n in feature_names:
            frame[n] = got[n]
        return frame

    # --- transport ------------------------------------------------------------------

    def graphql(self, query: str, variables: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """Runs a GraphQL operation; raises TidemarkError for the first error."""
        body = json.dumps({"query": query, "variables": variables or {}}).encode("utf-8")
        status, payload, _ = self._post("/graphql", body, "application/json", "application/json")
        answer = json.loads(payload.decode("utf-8"))
        errors = answer.get("errors")
        if errors:
            first = errors[0]
            raise TidemarkError(first.get("message", "error"), (first.get("extensions") or {}).get("code"), status)
        return answer["data"]

    def _entity_key(self, contract: str) -> List[str]:
        data = self.graphql("query($c: String!) { contract(name: $c) { entityKey } }", {"c": contract})
        if data["contract"] is None:
            raise TidemarkError(f"contract {contract} is not registered", "NOT_FOUND", 200)
        return data["contract"]["entityKey"]

    def _post(self, path: str, body: bytes, content_type: str, accept: str):
        with self._open(path, body, content_type, accept) as res:
            return res.status, res.read(), res.headers

    @contextlib.contextmanager
    def _duplex(self, path: str, body: bytes, content_type: str, accept: str):
        """The bulk endpoint's response, read while the body is still being sent."""
        headers = {"content-type": content_type, "accept": accept}
        if self.api_key:
            headers["authorization"] = f"Bearer {self.api_key}"
        with duplex_post(self.url + path, body, headers, self.timeout) as res:
            if res.status >= 400:
                raise _refusal(res.read(), res.status)
            yield res

    def _open(self, path: str, body: bytes, content_type: str, accept: str):
        """The HTTP response, open for reading (use it in a ``with``); a refusal raises."""
        headers = {"content-type": content_type, "accept": accept}
        if self.api_key:
            headers["authorization"] = f"Bearer {self.api_key}"
        req = urllib.request.Request(self.url + path, data=body, headers=headers, method="POST")
        try:
            return urllib.request.urlopen(req, timeout=self.timeout)
        except urllib.error.HTTPError as err:
            raise _refusal(err.read(), err.code) from None


# --- helpers ---------------------------------------------------------------------------


def _refusal(payload: bytes, status: int) -> TidemarkError:
    """The server's refusal (``{"errors": [{message, extensions.code}]}``) as an exception."""
    try:
        first = json.loads(payload.decode("utf-8"))["errors"][0]
        return TidemarkError(first.get("message"), (first.get("extensions") or {}).get("code"), status)
    except Exception:
        return TidemarkError(payload.decode("utf-8", "replace") or f"HTTP {status}", None, status)


def _rfc3339(t: Optional[Time]) -> Optional[str]:
    """A time as RFC 3339 at UTC; naive datetimes are taken as UTC, as the server does."""
    if t is None:
        return None
    if isinstance(t, str):
        return t
    if pd is not None and isinstance(t, pd.Timestamp):
        t = t.to_pydatetime()
    if isinstance(t, datetime):
        if t.tzinfo is None:
            t = t.replace(tzinfo=timezone.utc)
        return t.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(t, date):
        return t.isoformat()
    raise TypeError(f"not a time: {t!r}")


def _spine_csv(spine, columns: List[str]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(columns)
    if pd is not None and isinstance(spine, pd.DataFrame):
        missing = [c for c in columns if c not in spine.columns]
        if missing:
            raise TidemarkError(f"the spine has no column(s) {', '.join(missing)}; it needs {', '.join(columns)}")
        ts = columns[-1]
        part = spine[columns].copy()
        if pd.api.types.is_datetime64_any_dtype(part[ts]):
            col = part[ts]
            if col.dt.tz is None:
                col = col.dt.tz_localize("UTC")
            part[ts] = col.dt.tz_convert("UTC").dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        part.to_csv(out, header=False, index=False, lineterminator="\n")
    else:
        for row in spine:
            missing = [c for c in columns if c not in row]
            if missing:
                raise TidemarkError(f"a spine row has no {', '.join(missing)}; it needs {', '.join(columns)}")
            w.writerow([_rfc3339(row[c]) if c == columns[-1] else row[c] for c in columns])
    return out.getvalue().encode("utf-8")


def _typed(v: Any, t: Optional[str]) -> Any:
    """A value as Python: integers int, numbers float, booleans bool, times aware datetimes."""
    if v is None:
        return None
    if t == "integer":
        return int(v)
    if t == "number":
        return float(v)
    if t == "boolean":
        return v if isinstance(v, bool) else v == "true"
    if t in ("date", "timestamp"):
        text = str(v)
        if len(text) == 10:
            text += "T00:00:00Z"
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    return v


def _type_frame(frame, types: Mapping[str, str]):
    """Each column in the dtype of its feature type (see the module's docstring)."""
    for name in frame.columns:
        t = types.get(name)
        col = frame[name]
        if t == "integer":
            frame[name] = pd.to_numeric(col).astype("Int64")
        elif t == "number":
            frame[name] = pd.to_numeric(col).astype("float64")
        elif t == "boolean":
            frame[name] = col.map(lambda x: None if x is None or x != x else (x if isinstance(x, bool) else x == "true")).astype("boolean")
        elif t in ("date", "timestamp"):
            frame[name] = pd.to_datetime(col, utc=True, format="ISO8601") if _pandas2() else pd.to_datetime(col, utc=True)
        elif t == "string":
            frame[name] = col.astype("string")
    return frame


def _pandas2() -> bool:
    return pd is not None and int(pd.__version__.split(".")[0]) >= 2
