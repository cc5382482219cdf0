"""Calculations that depend on each other in a circle are refused at publish, at their cells."""
from __future__ import annotations

import pytest

from app.xlsform.convert import convert_workbook
from app.xlsform.lint import _cycles
from app.xlsform.problems import WorkbookRejected
from tests.xlsform.xlsx_builder import make_xlsx

HEADER = ["type", "name", "label::Thai (th)", "label::English (en)", "required", "relevant", "calculation",
          "constraint"]


def workbook(*calcs: tuple[str, str]) -> bytes:
    survey = [HEADER, ["integer", "a", "ก", "A", "", "", "", ""]]
    survey += [["calculate", name, "", "", "", "", expr, ""] for name, expr in calcs]
    return make_xlsx(survey, [["list_name", "name", "label::Thai (th)", "label::English (en)"]],
                     [["form_id", "version", "form_title", "default_language"], ["cyc", "1", "c", "Thai (th)"]])


@pytest.mark.parametrize("calcs, circle", [
    ([("c0", "${c1} + 1"), ("c1", "${c0} + 1")], ["c0", "c1"]),
    ([("c0", "${a} + ${c2}"), ("c1", "${c0} * 2"), ("c2", "if(${c1} > 3, 1, 0)"), ("ok", "${c0} + 1")],
     ["c0", "c1", "c2"]),
])
def test_a_circle_of_calculations_is_refused_naming_every_cell(calcs, circle):
    with pytest.raises(WorkbookRejected) as e:
        convert_workbook("cyc.xlsx", workbook(*calcs))
    found = [p for p in e.value.problems if p.code == "calculation_cycle"]
    assert len(found) == 1
    p = found[0]
    assert (p.sheet, p.row, p.column) == ("survey", 3, "calculation")
    for i, name in enumerate(circle):
        assert f"{name} (row {3 + i})" in p.message_en and f"{name} (แถว {3 + i})" in p.message_th
    assert "ok" not in p.message_en


def test_calculations_that_only_chain_publish():
    convert_workbook("chain.xlsx", workbook(("c0", "${a} + 1"), ("c1", "${c0} + 1"), ("c2", "${c1} + ${c0}")))


def test_cycles_finds_every_circle_and_no_chain():
    edges = {"a": ["b"], "b": ["a"], "c": ["c"], "d": ["e"], "e": [], "f": ["g"], "g": ["h"], "h": ["f", "d"]}
    assert sorted(sorted(c) for c in _cycles(list(edges), edges)) == [["a", "b"], ["c"], ["f", "g", "h"]]
    long_chain = {str(i): [str(i + 1)] for i in range(5000)}  # deep: no recursion limit is hit
    assert _cycles(list(long_chain), long_chain) == []
