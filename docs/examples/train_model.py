"""A model trained on a point-in-time training set over two example contracts, over HTTP.

The question: is a card payment large (over 100)? Each payment of the sample
(seeds/data/card_transactions/sample.jsonl) is a spine row; its features are what the
store knew just before it: the card's own history (card_transactions, its windows)
and the figures of the country of the payment's currency (country_daily). The
payment itself is never a feature: the spine time is 1 ms before it. The sample
figures end in June 2020, long before these 2024 payments: a point-in-time join
takes the latest row at or before the time, so each row carries its country's last
figures (with ``ttl={"country_daily": "P7D"}`` they would be nulls instead).

The model is a threshold on one feature, fitted on the first two thirds of the
payments in time and scored on the last third, with pandas only. The sample is
random, so an honest model finds nothing: it does no better than always guessing the
majority class. The same model on a leaky join (features as of the payment itself,
which then is its own last amount) looks almost perfect, and would fail on
payments it has not seen.

    TIDEMARK_URL=http://127.0.0.1:4000 TIDEMARK_API_KEY=tmk_... \\
      PYTHONPATH=clients/python python3 docs/examples/train_model.py
"""

import os

import pandas as pd

from tidemark import Client

tm = Client(os.environ.get("TIDEMARK_URL", "http://127.0.0.1:4000"), api_key=os.environ.get("TIDEMARK_API_KEY"))

payments = pd.read_json("seeds/data/card_transactions/sample.jsonl", lines=True)
payments["ts"] = pd.to_datetime(payments["ts"], utc=True)
country_of = {"EUR": "FRA", "GBP": "GBR", "USD": "USA"}
spine = pd.DataFrame(
    {
        "card_id": payments["card_id"],
        "country": payments["currency"].map(country_of),
        "timestamp": payments["ts"] - pd.Timedelta(milliseconds=1),
        "label": payments["amount"] > 100,
    }
).sort_values("timestamp", ignore_index=True)

train_set = tm.training_set(
    spine,
    features=[
        "card_transactions:amount_max_7d",
        "card_transactions:txn_count_24h",
        "card_transactions:amount",
        "country_daily:new_cases_7d",
    ],
)
print(f"rows: {len(train_set)}  cards: {train_set['card_id'].nunique()}  large: {int(train_set['label'].sum())}")
print(train_set.dtypes.to_string())
print(f"rows without card history: {int(train_set['amount'].isna().sum())}")

# A threshold on the card's last amount before the payment, fitted on the first 400 rows.
cut = 400


def accuracy(frame, t):
    guess = frame["amount"].fillna(0) > t
    return float((guess == frame["label"]).mean())


def fit_and_score(frame):
    train, test = frame.iloc[:cut], frame.iloc[cut:]
    best = max(sorted(train["amount"].dropna().unique()), key=lambda t: accuracy(train, t))
    return best, accuracy(test, best), float((test["label"] == train["label"].mode()[0]).mean())


best, score, baseline = fit_and_score(train_set)
print(f"point in time: amount > {best:.2f}, accuracy on the last {len(train_set) - cut}: {score:.3f}")
print(f"always the majority class: {baseline:.3f}")
leaky = tm.training_set(spine.assign(timestamp=spine["timestamp"] + pd.Timedelta(milliseconds=1)), features=["card_transactions:amount"])
best, score, _ = fit_and_score(leaky)
print(f"leaky (as of the payment itself): amount > {best:.2f}, accuracy: {score:.3f}")
