"""A parser for the CEL subset workload identity providers use in `attributeCondition`.

Regex matching on the condition string is how scanners get fooled (`... || true`, a pin inside a
negation, a prefix match that looks like equality). Parsing into a small tree lets the pinning rule
reason about `&&`, `||` and `!` the way IAM evaluates them. Anything outside the subset is a parse
error, which the rule treats as "not pinned": a condition the pack cannot read is not trusted.

Grammar (precedence low to high), a subset of https://github.com/google/cel-spec:

    expr     := or ( '?' or ':' or )?          # ternaries parse, but never count as a pin
    or       := and ( '||' and )*
    and      := unary ( '&&' unary )*
    unary    := '!' unary | relation
    relation := member ( ('==' | '!=' | '<' | '<=' | '>' | '>=' | 'in') member )?
    member   := primary ( '.' IDENT [ '(' args ')' ] | '[' expr ']' )*
    primary  := IDENT [ '(' args ')' ] | STRING | NUMBER | 'true' | 'false' | 'null'
              | '(' expr ')' | '[' [ expr ( ',' expr )* ] ']'
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class CelSyntaxError(ValueError):
    """The condition is not in the supported CEL subset (or not CEL at all)."""


@dataclass(frozen=True)
class Path:
    """A dotted name such as `assertion.repository` (also `assertion['repository']`)."""

    name: str


@dataclass(frozen=True)
class Str:
    value: str


@dataclass(frozen=True)
class Literal:
    """Numbers, `true`, `false`, `null`: kept only to explain why they do not pin anything."""

    text: str


@dataclass(frozen=True)
class ListLit:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Call:
    """A function or method call; `target` is the receiver of `x.startsWith(...)`."""

    target: Node | None
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Index:
    target: Node
    key: Node


@dataclass(frozen=True)
class Rel:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class And:
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Ternary:
    test: Node
    then: Node
    otherwise: Node


Node = Path | Str | Literal | ListLit | Call | Index | Rel | Not | And | Or | Ternary

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>[rR]?(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"))
      | (?P<number>\d+(?:\.\d+)?[uU]?)
      | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<op>==|!=|<=|>=|&&|\|\||[!<>()\[\],.?:])
    )""",
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"'}
_RELATIONS = {"==", "!=", "<", "<=", ">", ">=", "in"}


def _unquote(token: str) -> str:
    raw = token[0] in "rR"
    body = token[2:-1] if raw else token[1:-1]
    if raw:
        return body
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)


def tokenize(text: str) -> list[tuple[str, str]]:
    """Split into (kind, text) tokens; kinds are string, number, ident, op, end."""
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise CelSyntaxError(f"unexpected character {text[position:].strip()[0]!r} at offset {position}")
        kind = match.lastgroup or "op"
        tokens.append((kind, match.group(kind)))
        position = match.end()
    tokens.append(("end", ""))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.position = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.position]

    def take(self, expected: str | None = None) -> tuple[str, str]:
        token = self.tokens[self.position]
        if expected is not None and token[1] != expected:
            found = token[1] or "end of condition"
            raise CelSyntaxError(f"expected {expected!r} but found {found!r}")
        self.position += 1
        return token

    def at(self, text: str) -> bool:
        kind, value = self.peek()
        return kind in {"op", "ident"} and value == text

    def parse(self) -> Node:
        node = self.expr()
        if self.peek()[0] != "end":
            raise CelSyntaxError(f"unexpected {self.peek()[1]!r} after a complete expression")
        return node

    def expr(self) -> Node:
        node = self.disjunction()
        if self.at("?"):
            self.take("?")
            then = self.disjunction()
            self.take(":")
            return Ternary(node, then, self.disjunction())
        return node

    def disjunction(self) -> Node:
        operands = [self.conjunction()]
        while self.at("||"):
            self.take()
            operands.append(self.conjunction())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def conjunction(self) -> Node:
        operands = [self.unary()]
        while self.at("&&"):
            self.take()
            operands.append(self.unary())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def unary(self) -> Node:
        if self.at("!"):
            self.take()
            return Not(self.unary())
        return self.relation()

    def relation(self) -> Node:
        left = self.member()
        if self.peek()[1] in _RELATIONS and self.peek()[0] in {"op", "ident"}:
            op = self.take()[1]
            return Rel(op, left, self.member())
        return left

    def member(self) -> Node:
        node = self.primary()
        while True:
            if self.at("."):
                self.take()
                kind, name = self.take()
                if kind != "ident":
                    raise CelSyntaxError(f"expected a name after '.', found {name!r}")
                if self.at("("):
                    node = Call(node, name, self.arguments())
                elif isinstance(node, Path):
                    node = Path(f"{node.name}.{name}")
                else:
                    node = Index(node, Str(name))
            elif self.at("["):
                self.take()
                key = self.expr()
                self.take("]")
                node = (
                    Path(f"{node.name}.{key.value}")
                    if isinstance(node, Path) and isinstance(key, Str)
                    else Index(node, key)
                )
            else:
                return node

    def arguments(self) -> tuple[Node, ...]:
        self.take("(")
        args: list[Node] = []
        if not self.at(")"):
            args.append(self.expr())
            while self.at(","):
                self.take()
                args.append(self.expr())
        self.take(")")
        return tuple(args)

    def primary(self) -> Node:
        kind, value = self.take()
        if kind == "string":
            return Str(_unquote(value))
        if kind == "number":
            return Literal(value)
        if kind == "ident":
            if value in {"true", "false", "null"}:
                return Literal(value)
            if self.at("("):
                return Call(None, value, self.arguments())
            return Path(value)
        if value == "(":
            node = self.expr()
            self.take(")")
            return node
        if value == "[":
            items: list[Node] = []
            if not self.at("]"):
                items.append(self.expr())
                while self.at(","):
                    self.take()
                    if self.at("]"):
                        break  # CEL allows a trailing comma
                    items.append(self.expr())
            self.take("]")
            return ListLit(tuple(items))
        raise CelSyntaxError(f"unexpected {value or 'end of condition'!r}")


def parse(text: str) -> Node:
    """Parse a condition into a tree, or raise CelSyntaxError naming the first problem."""
    return _Parser(text).parse()


def to_text(node: Node) -> str:
    """Compact CEL text for messages (not byte-identical to the input, but readable)."""
    match node:
        case Path(name):
            return name
        case Str(value):
            return repr(value)
        case Literal(text):
            return text
        case ListLit(items):
            return "[" + ", ".join(to_text(i) for i in items) + "]"
        case Call(target, name, args):
            prefix = f"{to_text(target)}." if target is not None else ""
            return f"{prefix}{name}({', '.join(to_text(a) for a in args)})"
        case Index(target, key):
            return f"{to_text(target)}[{to_text(key)}]"
        case Rel(op, left, right):
            return f"{to_text(left)} {op} {to_text(right)}"
        case Not(operand):
            return f"!{to_text(operand)}"
        case And(operands):
            return " && ".join(to_text(o) for o in operands)
        case Or(operands):
            return "(" + " || ".join(to_text(o) for o in operands) + ")"
        case Ternary(test, then, otherwise):
            return f"{to_text(test)} ? {to_text(then)} : {to_text(otherwise)}"
    raise TypeError(f"not a CEL node: {node!r}")
