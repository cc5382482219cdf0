"""The one exception the XPath package lets out."""
from __future__ import annotations


class XPathError(Exception):
    """A problem with an expression: syntax, unknown function, wrong argument count, type error.

    `position` is the 0-based character offset in `expression` where the problem was found (None
    when it is about the whole expression or arose while evaluating).
    """

    def __init__(self, expression: str, message_th: str, message_en: str, position: int | None = None):
        self.expression = expression
        self.message_th = message_th
        self.message_en = message_en
        self.position = position
        where = f" at {position}" if position is not None else ""
        super().__init__(f"{message_en}{where}: {expression!r}")

    def to_dict(self) -> dict:
        return {"expression": self.expression, "message_th": self.message_th,
                "message_en": self.message_en, "position": self.position}


# What an evaluator bug or a pathological input can raise instead of XPathError; the callers
# (Compiled.evaluate, the revalidator, the plans) turn them into an XPathError about the expression.
EVALUATION_FAILURES = (RecursionError, ValueError, TypeError, OverflowError, ArithmeticError, KeyError, IndexError)
