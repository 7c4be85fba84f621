"""Sizes as text: one function, `fmt`, that every message and table prints sizes with.

JAX prints a symbolic size as it stores it: `- 2*floordiv(floordiv(- h, 2), 2)`
for the height a U-Net's decoder computes from a free `h`. `fmt` reads that
text back and prints the same function of the symbols, simplified: a floor
division by a constant as `//` (`(h - 4) // 2 + 1`), a remainder as `%`,
nested divisions by constants merged (`h // 4`), the negated floor of a
negated sum as a ceiling (`2*ceil(h / 4)`), no space after a unary minus, and
terms in a fixed order (positive first, the constant last). The printed form
is Python arithmetic over the symbols (`^` is a power, as JAX writes it), so
a reader, or a test, can evaluate it. Text it cannot read is printed as JAX
wrote it.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from jax import export

__all__ = ["fmt"]


@dataclasses.dataclass(frozen=True)
class _Call:
    """A function of sums: `floordiv`, `mod`, `ceil` (`ceil(n / d)`), or one this
    module only prints (`max`, `min`, `non_negative`, ...)."""

    name: str
    args: tuple[_Sum, ...]


@dataclasses.dataclass(frozen=True)
class _Power:
    """A symbol to a positive integer power (`h^2`)."""

    name: str
    power: int


_Factor = _Call | _Power
_Monomial = tuple[_Factor, ...]


@dataclasses.dataclass(frozen=True)
class _Sum:
    """`sum(coefficient * product(factors)) + constant`."""

    terms: tuple[tuple[int, _Monomial], ...]
    constant: int = 0

    def as_constant(self) -> int | None:
        return None if self.terms else self.constant


class _Unreadable(Exception):
    """Text that is not JAX's printing of a symbolic size."""


_TOKEN = re.compile(r"\s*(?:(\d+)|([A-Za-z_]\w*)|(.))")


def _tokens(text: str) -> list[str]:
    out = []
    for number, name, other in _TOKEN.findall(text):
        token = number or name or other
        if token.strip():
            out.append(token)
    return out


class _Parser:
    """JAX's grammar of printed sizes: `[-] term ((+|-) term)*`, a term a product
    of integers, `name` or `name^k`, and calls `name(sum, ...)`."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise _Unreadable(f"expected {expected or 'more'} at token {self.at}")
        self.at += 1
        return token

    def whole(self) -> _Sum:
        out = self.sum()
        if self.peek() is not None:
            raise _Unreadable(f"unexpected {self.peek()!r}")
        return out

    def sum(self) -> _Sum:
        sign = -1 if self.peek() == "-" else 1
        if sign < 0:
            self.take()
        parts = [self.term(sign)]
        while self.peek() in ("+", "-"):
            sign = 1 if self.take() == "+" else -1
            parts.append(self.term(sign))
        return _add(parts)

    def power(self) -> int:
        """The power `^k` after a factor, 1 when there is none."""
        if self.peek() != "^":
            return 1
        self.take("^")
        power = self.take()
        if not power.isdigit():
            raise _Unreadable(f"power {power!r}")
        return int(power)

    def term(self, sign: int) -> _Sum:
        coefficient, factors = sign, []
        while True:
            token = self.take()
            if token.isdigit():
                coefficient *= int(token)
            elif token.isidentifier():
                if self.peek() == "(":
                    self.take("(")
                    args = [self.sum()]
                    while self.peek() == ",":
                        self.take(",")
                        args.append(self.sum())
                    self.take(")")
                    factors += [_Call(token, tuple(args))] * self.power()
                else:
                    factors.append(_Power(token, self.power()))
            else:
                raise _Unreadable(f"unexpected {token!r}")
            if self.peek() != "*":
                break
            self.take("*")
        if not factors:
            return _Sum((), coefficient)
        return _Sum(((coefficient, tuple(factors)),))


def _add(parts: list[_Sum]) -> _Sum:
    """The sum of `parts`, like monomials merged (coefficients of zero dropped)."""
    coefficients: dict[_Monomial, int] = {}
    constant = 0
    for part in parts:
        constant += part.constant
        for coefficient, monomial in part.terms:
            coefficients[monomial] = coefficients.get(monomial, 0) + coefficient
    return _Sum(tuple((c, m) for m, c in coefficients.items() if c), constant)


def _negated(s: _Sum) -> _Sum:
    return _Sum(tuple((-c, m) for c, m in s.terms), -s.constant)


def _divisor(s: _Sum) -> int | None:
    """`s` as a positive constant, or None."""
    value = s.as_constant()
    return value if value is not None and value > 0 else None


def _simplified(s: _Sum) -> _Sum:
    """`s` with its calls simplified, each rewrite an identity over the integers:
    `floordiv(floordiv(n, a), b)` is `floordiv(n, a*b)` (likewise for `ceil`) and
    `c*floordiv(n, d)` with every term of `n` negative is `-c*ceil(-n / d)`,
    and `c*floordiv(n, d) + c*k` is `c*floordiv(n + k*d, d)`, taken where it
    cancels the constant of `n` (for positive constants `a`, `b`, `d`)."""
    parts = []
    for coefficient, monomial in s.terms:
        factors = tuple(_factor(f) for f in monomial)
        if len(factors) == 1 and isinstance(factors[0], _Call):
            call = factors[0]
            if call.name == "floordiv" and _divisor(call.args[1]) and _all_negative(call.args[0]):
                coefficient = -coefficient
                factors = (_ceiling(_negated(call.args[0]), call.args[1]),)
        parts.append(_Sum(((coefficient, factors),)))
    return _absorbed(_add([*parts, _Sum((), s.constant)]), always=False)


def _absorbed(s: _Sum, *, always: bool) -> _Sum:
    """`c*floordiv(n, d) + c*k` as `c*floordiv(n + k*d, d)` (an identity for a
    constant `d` > 0 and integer `k`), when `always` or when that cancels the
    constant of `n`; `s` itself otherwise."""
    if len(s.terms) != 1 or not s.constant:
        return s
    c, monomial = s.terms[0]
    if len(monomial) != 1 or not isinstance(monomial[0], _Call) or s.constant % c:
        return s
    call = monomial[0]
    d = _divisor(call.args[1]) if call.name == "floordiv" and len(call.args) == 2 else None
    if d is None:
        return s
    numerator = _add([call.args[0], _Sum((), (s.constant // c) * d)])
    if not always and numerator.constant:
        return s
    return _Sum(((c, (_Call("floordiv", (numerator, call.args[1])),)),))


def _all_negative(s: _Sum) -> bool:
    return bool(s.terms) and all(c < 0 for c, _ in s.terms) and s.constant <= 0


def _ceiling(numerator: _Sum, denominator: _Sum) -> _Call:
    inner = _lone_call(numerator, "ceil")
    d = _divisor(denominator)
    if inner is not None and d is not None and (e := _divisor(inner.args[1])) is not None:
        return _Call("ceil", (inner.args[0], _Sum((), d * e)))
    return _Call("ceil", (numerator, denominator))


def _lone_call(s: _Sum, name: str) -> _Call | None:
    """The call `name(...)` when `s` is exactly that call, else None."""
    if s.constant == 0 and len(s.terms) == 1:
        coefficient, monomial = s.terms[0]
        if coefficient == 1 and len(monomial) == 1 and isinstance(monomial[0], _Call):
            return monomial[0] if monomial[0].name == name else None
    return None


def _factor(f: _Factor) -> _Factor:
    if not isinstance(f, _Call):
        return f
    args = tuple(_simplified(a) for a in f.args)
    if f.name == "floordiv" and len(args) == 2:
        inner = _lone_call(_absorbed(args[0], always=True), "floordiv")
        d = _divisor(args[1])
        if inner is not None and d is not None and (e := _divisor(inner.args[1])) is not None:
            return _Call("floordiv", (inner.args[0], _Sum((), d * e)))
    return _Call(f.name, args)


def _atomic(s: _Sum) -> bool:
    """Whether `s` prints as one symbol, one number or one call (no operator)."""
    if not s.terms:
        return s.constant >= 0
    if s.constant or len(s.terms) != 1:
        return False
    coefficient, monomial = s.terms[0]
    if coefficient != 1 or len(monomial) != 1:
        return False
    f = monomial[0]
    return (isinstance(f, _Power) and f.power == 1) or (
        isinstance(f, _Call) and f.name not in ("floordiv", "mod")
    )


def _operand(s: _Sum, *, left: bool) -> str:
    """`s` as an operand of `//`, `%` or `/`: the left one parenthesised unless a
    single term with no sign (`2*h // 4`), the right one unless it has no
    operator at all (`h // (2*w)`)."""
    text = _show(s)
    if _atomic(s):
        return text
    single = not s.constant and len(s.terms) == 1 and s.terms[0][0] > 0
    return text if left and single else f"({text})"


def _show_factor(f: _Factor, alone: bool) -> str:
    """`f` as text; a `//` or `%` in parentheses unless `alone` (the whole term)."""
    if isinstance(f, _Power):
        return f.name if f.power == 1 else f"{f.name}^{f.power}"
    if f.name in ("floordiv", "mod") and len(f.args) == 2:
        symbol = "//" if f.name == "floordiv" else "%"
        text = f"{_operand(f.args[0], left=True)} {symbol} {_operand(f.args[1], left=False)}"
        return text if alone else f"({text})"
    if f.name == "ceil" and len(f.args) == 2:
        return f"ceil({_operand(f.args[0], left=True)} / {_operand(f.args[1], left=False)})"
    return f"{f.name}({', '.join(_show(a) for a in f.args)})"


def _show_term(coefficient: int, monomial: _Monomial) -> str:
    """A term without its sign."""
    magnitude = abs(coefficient)
    alone = magnitude == 1 and len(monomial) == 1 and coefficient > 0
    counts: dict[_Factor, int] = {}
    for f in monomial:  # a call repeated is a power of it
        counts[f] = counts.get(f, 0) + 1
    factors = [
        _show_factor(f, alone) if k == 1 else f"{_show_factor(f, False)}^{k}"
        for f, k in counts.items()
    ]
    return "*".join(([str(magnitude)] if magnitude != 1 else []) + factors)


def _order(term: tuple[int, _Monomial]) -> tuple[bool, int, str]:
    coefficient, monomial = term
    degree = sum(f.power if isinstance(f, _Power) else 1 for f in monomial)
    return (coefficient < 0, -degree, _show_term(*term))


def _show(s: _Sum) -> str:
    pieces = []
    if s.constant > 0 and s.terms and all(c < 0 for c, _ in s.terms):
        pieces.append(str(s.constant))  # `3 - h`, not `-h + 3`
        s = _Sum(s.terms)
    for coefficient, monomial in sorted(s.terms, key=_order):
        text = _show_term(coefficient, monomial)
        if not pieces:
            pieces.append(f"-{text}" if coefficient < 0 else text)
        else:
            pieces.append(f" - {text}" if coefficient < 0 else f" + {text}")
    if s.constant or not pieces:
        if not pieces:
            pieces.append(str(s.constant))
        else:
            pieces.append(f" - {-s.constant}" if s.constant < 0 else f" + {s.constant}")
    return "".join(pieces)


def _readable(text: str) -> tuple[str, bool]:
    """`text` (JAX's printing of a size) simplified, and whether it is one atom."""
    try:
        parsed = _simplified(_Parser(text).whole())
    except (_Unreadable, RecursionError):
        plain = re.sub(r"(^|[(,]\s*)- ", r"\1-", text)
        return plain, plain.isidentifier() or plain.isdigit()
    return _show(parsed), _atomic(parsed)


def fmt(value: Any, *, grouped: bool = True) -> str:
    """A size as text: an integer as such, a symbolic size simplified
    (`2*ceil(h / 4)` for JAX's `- 2*floordiv(floordiv(- h, 2), 2)`).

    With `grouped` (the default) a symbolic size that is not a single symbol or
    call is parenthesised (`(2*m - 3)`), so that it reads correctly inside a
    larger expression; `grouped=False` prints it bare, as in `height:h - 4`.
    """
    if not export.is_symbolic_dim(value):
        return str(value)
    text, atom = _readable(str(value))
    return f"({text})" if grouped and not atom else text
