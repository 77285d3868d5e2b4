"""A training set for a model from the example contract country_daily, over HTTP.

The question: from what a country's figures were on a day, will its weekly new cases
be higher a week later? The spine is every country every Monday of spring 2020; the
features are the values as of each row's day (point in time, no leakage from later
rows), the label comes from the same view a week later.

    TIDEMARK_URL=http://127.0.0.1:4000 TIDEMARK_API_KEY=tmk_... \\
      PYTHONPATH=clients/python python3 docs/examples/training_set.py
"""

import os

import pandas as pd

from tidemark import Client

tm = Client(os.environ.get("TIDEMARK_URL", "http://127.0.0.1:4000"), api_key=os.environ.get("TIDEMARK_API_KEY"))

countries = ["AUT", "BEL", "DEU", "ESP", "FRA", "GBR", "ITA", "NLD", "SWE", "USA"]
mondays = pd.date_range("2020-03-02", "2020-05-25", freq="W-MON", tz="UTC")
spine = pd.DataFrame(
    [(c, t) for t in mondays for c in countries], columns=["country", "timestamp"]
)

features = [
    "country_daily:confirmed",
    "country_daily:deaths",
    "country_daily:new_cases_7d",
    "country_daily:fatality",
]
train = tm.training_set(spine, features=features)

# The label: new_cases_7d one week later, from a second point-in-time join.
later = spine.assign(timestamp=spine["timestamp"] + pd.Timedelta(days=7))
next_week = tm.training_set(later, features=["country_daily:new_cases_7d"])["new_cases_7d"]
train["label"] = (next_week > train["new_cases_7d"]).astype("boolean")
train.loc[next_week.isna() | train["new_cases_7d"].isna(), "label"] = pd.NA

print(f"rows: {len(train)}  countries: {train['country'].nunique()}  weeks: {train['timestamp'].nunique()}")
print(train.dtypes.to_string())
print(f"rows without features: {int(train['confirmed'].isna().sum())}")
print(train[train["country"] == "FRA"].head(4).to_string(index=False))
