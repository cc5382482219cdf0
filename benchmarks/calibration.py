"""How fast this machine is, measured in the same run as a benchmark, so figures from different
machines (or the same machine quiet and busy) can be compared, and the emulated tablet is the same
everywhere.

A browser benchmark throttled "4x" runs at a quarter of *this* machine's speed: the same page is
interactive in ~200 ms on a fast developer machine and ~470 ms on a slower one (what issue 14
found). So the benchmarks time a fixed loop in the page (JavaScript and DOM work like the form
runtime's) and, by default, choose the CPU throttling rate that makes that loop take
TABLET_LOOP_MS: the emulated device is then the same low-end tablet on any machine. The loop is
timed again at the end: when the two differ by more than 25 %, the machine's load changed during
the run and the figures are not to be trusted (the benchmark says so).

    from calibration import Calibration
    cal = Calibration(page, cdp)            # times the loop unthrottled
    rate = cal.rate("auto")                 # or a fixed multiplier: cal.rate(4)
    cal.recalibrate("auto")                 # before each measured visit: the same tablet under any load
    ...measure...
    print(cal.report())                     # loop times, rate, and whether the load held steady
"""
from __future__ import annotations

import statistics
import time

# The emulated tablet: the loop below takes this long on it (a low-end Android tablet is ~4x slower
# than the 2-core development container, where the loop takes ~100 ms unthrottled when quiet).
TABLET_LOOP_MS = 400.0

LOOP = """() => {
    const t0 = performance.now();
    let h = 0;
    for (let i = 0; i < 2000000; i++) h = (h * 31 + (i ^ (h >>> 3))) | 0;
    const words = [];
    for (let i = 0; i < 60000; i++) words.push('w' + ((i * 7919) % 60000));
    words.sort();
    const doc = new DOMParser().parseFromString('<r>' + '<i a="1">x</i>'.repeat(20000) + '</r>', 'text/xml');
    let n = 0;
    for (const el of doc.documentElement.children) n += el.getAttribute('a').length;
    return [performance.now() - t0, h, n];
}"""


def python_loop_ms() -> float:
    """A fixed loop in Python (the server side's speed), median of 3."""
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        total = 0
        for i in range(1_000_000):
            total += (i * i) % 7
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


class Calibration:
    def __init__(self, page, cdp, runs: int = 3) -> None:  # noqa: ANN001
        self.page, self.cdp, self.runs = page, cdp, runs
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
        self.before = self.loop_ms()
        self.python = python_loop_ms()
        self.applied = 1.0
        self.rates: list[float] = []  # per visit, when recalibrated
        self.after: float | None = None
        self.throttled: float | None = None

    def loop_ms(self) -> float:
        """Median of the page loop's times (with whatever throttling is on); the spread is kept."""
        times = [self.page.evaluate(LOOP)[0] for _ in range(self.runs)]
        self.spread = (min(times), max(times))
        return statistics.median(times)

    def rate(self, wanted: str | float) -> float:
        """Applies and returns the CPU throttling rate: "auto" = the rate that makes the loop take
        TABLET_LOOP_MS here; a number = that fixed multiplier (the old "4x")."""
        rate = max(1.0, TABLET_LOOP_MS / self.before) if wanted == "auto" else float(wanted)
        self.cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})
        self.applied = rate
        self.throttled = self.loop_ms()
        return rate

    def recalibrate(self, wanted: str | float) -> float:
        """Before each measured visit: with "auto", times the loop once more, unthrottled, and sets the
        rate for the machine's speed now, so a change of load between visits (other work on a shared
        machine) does not change the emulated tablet. A fixed multiplier stays as it is."""
        if wanted != "auto":
            return self.applied
        self.cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
        loop = self.page.evaluate(LOOP)[0]
        self.applied = max(1.0, TABLET_LOOP_MS / loop)
        self.cdp.send("Emulation.setCPUThrottlingRate", {"rate": self.applied})
        self.rates.append(self.applied)
        return self.applied

    def finish(self) -> None:
        """Times the loop again, unthrottled, then puts the throttling back."""
        self.cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
        self.after = self.loop_ms()
        self.cdp.send("Emulation.setCPUThrottlingRate", {"rate": self.applied})

    @property
    def steady(self) -> bool:
        return self.after is None or abs(self.after - self.before) <= 0.25 * max(self.before, self.after)

    def report(self) -> str:
        if self.after is None:
            self.finish()
        line = (f"machine speed: calibration loop {self.before:.0f} ms in the page before, {self.after:.0f} ms after"
                f" (unthrottled; the 2-core development container: ~100 ms quiet), Python loop {self.python:.0f} ms;"
                f" CPU throttled {self.applied:.2f}x, so the loop took {self.throttled:.0f} ms"
                f" (the emulated tablet: {TABLET_LOOP_MS:.0f} ms)")
        if self.rates:
            line += (f"\n  recalibrated before each measured visit: CPU throttled {min(self.rates):.2f}x to"
                     f" {max(self.rates):.2f}x as the machine's load changed")
        if not self.steady:
            line += "\n  WARNING: the machine's load changed during the run (loop before/after differ > 25 %): rerun when quiet"
        return line
