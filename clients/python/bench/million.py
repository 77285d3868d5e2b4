"""One training_set call for a million-row spine over two example contracts: its wall
time and this process's peak RSS (a measurement, not a test). Against a server from
test/clients/support/hold-server.ts:

    TIDEMARK_URL=... TIDEMARK_API_KEY=... PYTHONPATH=clients/python python3 clients/python/bench/million.py

ROWS=100000 for a smaller run.
"""
import os, resource, time
import pandas as pd
from tidemark import Client

tm = Client(os.environ["TIDEMARK_URL"], api_key=os.environ["TIDEMARK_API_KEY"])
n = int(os.environ.get("ROWS", "1000000"))
countries = ["AUT", "BEL", "DEU", "ESP", "FRA", "GBR", "ITA", "NLD", "SWE", "USA"]
import numpy as np
rng = np.random.default_rng(1)
spine = pd.DataFrame({
    "country": pd.Series(countries).take(rng.integers(0, 10, n)).to_numpy(),
    "card_id": "card00393003",
    "timestamp": pd.Timestamp("2020-03-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 120 * 86400, n), unit="s"),
})
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.time()
ts = tm.training_set(spine, features=["country_daily:confirmed", "country_daily:fatality", "card_transactions:amount"])
wall = time.time() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"rows={len(ts)} wall={wall:.1f}s python_peak_rss={peak/1024:.0f}MB (before call {base/1024:.0f}MB) nonnull_confirmed={int(ts['confirmed'].notna().sum())}")
print(ts.dtypes.to_string())
