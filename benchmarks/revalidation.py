"""Time the server's check of one submission in-process (no HTTP, no database): what `_check` in
app/forms/receiving.py runs for every POST /submission, on the largest corpus form.

    .venv/bin/python benchmarks/revalidation.py [--count 500] [--form PATH.xlsx]

Prints p50 / p95 / max per submission and how many submissions had blocking errors.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.submissions import DEFAULT_FORM, make_instance  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=500)
    ap.add_argument("--form", type=Path, default=DEFAULT_FORM)
    ap.add_argument("--plain", action="store_true", help="time the checks without the form's logic (before)")
    args = ap.parse_args()

    from app.xlsform.convert import convert_workbook
    from app.xlsform.definition import FormDefinition
    from app.xlsform.submission import parse_submission

    conv = convert_workbook(args.form.name, args.form.read_bytes())
    # As the server holds it: rebuilt from the stored JSON.
    definition = FormDefinition.from_dict(conv.definition.to_dict())
    rng = random.Random(2566)
    payloads = [make_instance(definition, conv.xform, rng) for _ in range(args.count)]
    try:
        from app.xlsform.revalidate import revalidate
    except ImportError:
        revalidate = None
    if args.plain:
        revalidate = None

    def check(xml: bytes):
        parsed = parse_submission(xml)
        if revalidate is not None:
            r = revalidate(parsed, definition, set())
            return r.errors
        from app.xlsform.submission import check_submission, extract_answers
        extract_answers(parsed, definition)
        return check_submission(parsed, definition, set())

    t0 = time.perf_counter()
    check(payloads[0])  # first one compiles the form's expressions
    first = time.perf_counter() - t0
    times, cpu, blocked = [], [], 0
    for xml in payloads:
        t, c = time.perf_counter(), time.process_time()
        errors = check(xml)
        cpu.append(time.process_time() - c)
        times.append(time.perf_counter() - t)
        blocked += any(e.get("level", "error") == "error" for e in errors)
    times.sort()
    q = statistics.quantiles(times, n=100)
    n_fields = sum(1 for n in definition.nodes() if n.kind == "field")
    print(f"form                {args.form.name} ({n_fields} fields)")
    print(f"checker             {'revalidate (form logic)' if revalidate else 'check_submission (no logic)'}")
    print(f"first submission    {first * 1000:.1f} ms (compiles the expressions)")
    print(f"per submission      p50 {q[49] * 1000:.1f} ms / p95 {q[94] * 1000:.1f} ms / max {times[-1] * 1000:.1f} ms")
    print(f"CPU per submission  mean {statistics.mean(cpu) * 1000:.1f} ms (process time; steadier on a busy machine)")
    print(f"needs correction    {blocked} of {len(times)}")


if __name__ == "__main__":
    main()
