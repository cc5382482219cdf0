"""The app's one clock (app/clock.py): config TODAY pins it, else CHUMCHON_TODAY, else Bangkok's date."""
from __future__ import annotations

from datetime import date

from app import clock
from app.periods import today_in_thailand


def test_config_today_pins_the_date_and_a_bad_value_falls_back(app, monkeypatch):
    monkeypatch.delenv("CHUMCHON_TODAY", raising=False)
    app.config["TODAY"] = "2024-11-21"
    assert clock.today() == date(2024, 11, 21)
    app.config["TODAY"] = "not a date"
    assert clock.today() == today_in_thailand()
    app.config["TODAY"] = None
    monkeypatch.setenv("CHUMCHON_TODAY", "2023-10-01")
    assert clock.today() == date(2023, 10, 1)
