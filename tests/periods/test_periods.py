"""The calendar rules every report shares: fiscal years, rounds, due dates, attainment."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, strategies as st

from app import periods

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))


def test_fiscal_year_2567_runs_from_october_2023_to_september_2024():
    assert periods.fiscal_year(date(2023, 9, 30)) == 2566
    assert periods.fiscal_year(date(2023, 10, 1)) == 2567
    assert periods.fiscal_year(date(2024, 3, 15)) == 2567
    assert periods.fiscal_year(date(2024, 9, 30)) == 2567
    assert periods.fiscal_year(date(2024, 10, 1)) == 2568
    assert periods.fiscal_year_bounds(2567) == (date(2023, 10, 1), date(2024, 9, 30))


@given(days)
def test_every_day_lies_inside_the_bounds_of_its_fiscal_year(day):
    start, end = periods.fiscal_year_bounds(periods.fiscal_year(day))
    assert start <= day <= end
    assert periods.fiscal_year(start - timedelta(days=1)) == periods.fiscal_year(day) - 1
    assert periods.fiscal_year(end + timedelta(days=1)) == periods.fiscal_year(day) + 1


@given(st.integers(min_value=2540, max_value=2640))
def test_a_fiscal_year_has_twelve_months_october_first_and_365_or_366_days(fy):
    months = periods.fiscal_year_months(fy)
    assert len(months) == 12 and months[0].month == 10 and months[-1].month == 9
    assert all(periods.fiscal_year(m) == fy for m in months)
    start, end = periods.fiscal_year_bounds(fy)
    assert (end - start).days + 1 in (365, 366)


def test_a_leap_february_belongs_to_the_fiscal_year_that_ends_that_september():
    assert periods.fiscal_year(date(2024, 2, 29)) == 2567
    start, end = periods.fiscal_year_bounds(2567)
    assert (end - start).days + 1 == 366


def test_the_monthly_report_is_due_on_the_20th_of_the_following_month():
    assert periods.monthly_report_due(date(2023, 10, 1)) == date(2023, 11, 20)
    assert periods.monthly_report_due(date(2023, 12, 1)) == date(2024, 1, 20)
    assert not periods.is_late(date(2023, 10, 1), date(2023, 11, 20))
    assert periods.is_late(date(2023, 10, 1), date(2023, 11, 21))
    assert periods.reported_on_time(date(2024, 1, 1), date(2024, 2, 20))
    assert not periods.reported_on_time(date(2024, 1, 1), date(2024, 2, 21))


@given(days)
def test_the_last_due_month_is_late_today_and_the_month_after_it_is_not(today):
    month = periods.last_due_month(today)
    assert month.day == 1
    assert periods.is_late(month, today)
    assert not periods.is_late(periods.add_months(month, 1), today)


def test_attainment_is_cut_to_two_decimals_as_the_province_report_prints_it():
    members = periods.attainment(12206, 12032)
    assert members.percent == Decimal("101.44") and members.met
    groups = periods.attainment(35, 31)
    assert periods.format_percent(groups.percent) == "112.9" and groups.met
    assert periods.format_percent(periods.percent_cut(281, 508)) == "55.31"
    short = periods.attainment(9, 10)
    assert short.percent == Decimal("90.00") and short.met is False and short.bar_percent == Decimal("90.00")
    assert periods.attainment(5, None).met is None
    assert periods.attainment(5, 0).percent is None


@given(st.integers(min_value=0, max_value=10**7), st.integers(min_value=1, max_value=10**7))
def test_attainment_never_exceeds_the_exact_ratio_and_is_met_exactly_when_reached(actual, target):
    a = periods.attainment(actual, target)
    exact = Decimal(actual) * 100 / Decimal(target)
    assert a.percent <= exact < a.percent + Decimal("0.01")
    assert a.met == (actual >= target)


def test_month_labels_are_thai_with_the_buddhist_era_year():
    assert periods.month_label_th(date(2023, 10, 1)) == "ตุลาคม 2566"
    assert periods.month_label_en(date(2023, 10, 1)) == "Oct 2023"


def test_short_thai_month_labels_for_table_headers():
    assert periods.month_label_th_short(date(2023, 10, 1)) == "ต.ค. 66"
    assert periods.month_label_th_short(date(2024, 9, 1)) == "ก.ย. 67"
