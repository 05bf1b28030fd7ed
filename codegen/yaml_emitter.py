"""A YAML writer that lays text out the way Go's gopkg.in/yaml.v3 does.

gnostic's protoc-gen-openapi builds a yaml.v3 node tree and marshals it, so
"the same document gnostic writes" means the same bytes yaml.v3 writes:
4-space indentation, sequences indented under their key, the content of a
sequence item's mapping aligned after "- " while deeper levels snap back to
multiples of four, plain scalars where possible, single quotes when an
indicator forbids plain, double quotes when a string would otherwise read as
another type (``"200"``), literal blocks (``|-``) for multi-line strings, no
line folding. PyYAML's emitter differs on several of these points, so this
module ports the relevant parts of yaml.v3's emitter (scalar analysis, style
selection, indentation) for the only shapes we emit: block mappings and
sequences of strings, numbers and booleans.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

INDENT = 4
_BREAKS = "\r\n\x85\u2028\u2029"


class Plain(str):
    """A scalar written as-is, plain: a YAML literal such as an enum value name."""


YamlValue = Mapping[str, "YamlValue"] | Sequence["YamlValue"] | str | bool | int | float | Plain


def dump(
    root: Mapping[str, YamlValue], head_comment: Sequence[str] = (), quote_yaml11: bool = False
) -> str:
    """Serialise ``root`` (a mapping) as a yaml.v3 document with a head comment.

    ``quote_yaml11`` double-quotes strings that YAML 1.1 readers (PyYAML, hence
    Connexion) load as booleans or sexagesimal numbers (``ON``, ``y``, ``1:20``);
    yaml.v3, a YAML 1.2 reader, and so gnostic, write them plain.
    """
    writer = _Writer(quote_yaml11)
    if head_comment:
        for line in head_comment:
            writer.out.append(line if line.startswith("#") else "# " + line)
            writer.out.append("\n")
        writer.out.append("\n")
    writer.mapping(root, indent=0, in_sequence=False, first_inline=False)
    writer.out.append("\n")
    return "".join(writer.out)


def _next_indent(indent: int, in_sequence: bool) -> int:
    # yaml.v3: inside a sequence item the indent skips "- "; everywhere else it
    # rounds up to the next multiple of the chosen indentation.
    if in_sequence:
        return indent + 2
    return INDENT * ((indent + INDENT) // INDENT)


@dataclass
class _Writer:
    out: list[str]
    quote_yaml11: bool

    def __init__(self, quote_yaml11: bool = False) -> None:
        self.out = []
        self.quote_yaml11 = quote_yaml11

    def mapping(
        self, node: Mapping[str, YamlValue], indent: int, in_sequence: bool, first_inline: bool
    ) -> None:
        for index, (key, value) in enumerate(node.items()):
            if not (index == 0 and first_inline):
                if self.out and not self.out[-1].endswith("\n"):
                    self.out.append("\n")
                self.out.append(" " * indent)
            self.out.append(_render_string(key, True, 0, 0, self.quote_yaml11))
            self.out.append(":")
            self.value(value, indent, parent_is_sequence=False)

    def sequence(self, node: Sequence[YamlValue], indent: int) -> None:
        for item in node:
            if self.out and not self.out[-1].endswith("\n"):
                self.out.append("\n")
            self.out.append(" " * indent + "-")
            self.value(item, indent, parent_is_sequence=True)

    def value(self, value: YamlValue, indent: int, parent_is_sequence: bool) -> None:
        if isinstance(value, Mapping):
            if not value:
                self.out.append(" {}")
            elif parent_is_sequence:
                self.out.append(" ")
                self.mapping(value, indent + 2, in_sequence=True, first_inline=True)
            else:
                self.out.append("\n")
                self.mapping(
                    value, _next_indent(indent, False), in_sequence=False, first_inline=False
                )
        elif isinstance(value, (list, tuple)):
            if not value:
                self.out.append(" []")
            elif parent_is_sequence:
                self.out.append(" ")
                inner = indent + 2
                # The first dash of a nested sequence shares the line.
                first, *rest = value
                self.out.append("-")
                self.value(first, inner, parent_is_sequence=True)
                self.sequence(rest, inner)
            else:
                self.out.append("\n")
                self.sequence(value, _next_indent(indent, False))
        else:
            self.out.append(" ")
            self.out.append(
                _scalar(value, indent, _next_indent(indent, parent_is_sequence), self.quote_yaml11)
            )


def _scalar(value: YamlValue, parent_indent: int, content_indent: int, quote_yaml11: bool) -> str:
    if isinstance(value, Plain):
        # gnostic writes enum values plain even when YAML 1.1 readers would
        # load ON/OFF/YES/NO as booleans; quote_yaml11 quotes those.
        return f'"{value}"' if quote_yaml11 and _yaml11_surprise(value) else str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, str):
        return _render_string(value, False, parent_indent, content_indent, quote_yaml11)
    raise TypeError(f"cannot write {type(value).__name__} as YAML")


def format_number(value: float) -> str:
    """Write a number so that every YAML reader (1.1 and 1.2) reads it back as a number."""
    if math.isfinite(value) and value == int(value) and abs(value) < 2**63:
        return str(int(value))
    text = repr(value)
    if "e" in text or "E" in text:
        # Positional notation: YAML 1.1 readers take "1e-07" for a string.
        text = format(Decimal(text), "f")
    return text


# --- scalar style, as yaml.v3 chooses it -----------------------------------------


@dataclass
class _Analysis:
    multiline: bool
    block_plain_allowed: bool
    single_quoted_allowed: bool
    block_allowed: bool


def _is_printable(ch: str) -> bool:
    code = ord(ch)
    return (
        code == 0x0A
        or 0x20 <= code <= 0x7E
        or 0xA0 <= code <= 0xD7FF
        or (0xE000 <= code <= 0xFFFD and code != 0xFEFF)
    )


def _analyze(value: str) -> _Analysis:
    if not value:
        return _Analysis(False, True, True, False)
    block_indicators = line_breaks = special = tabs = False
    leading_space = leading_break = trailing_space = trailing_break = False
    break_space = space_break = previous_space = previous_break = False
    if value.startswith(("---", "...")):
        block_indicators = True
    preceded_by_whitespace = True
    last = len(value) - 1
    for i, ch in enumerate(value):
        followed_by_whitespace = i == last or value[i + 1] in " \t"
        if i == 0:
            # Leading indicators. (Flow-only indicators are not tracked: we never
            # write flow collections with content.)
            if ch in "#,[]{}&*!|>'\"%@`" or (ch in "?:-" and followed_by_whitespace):
                block_indicators = True
        elif (ch == ":" and followed_by_whitespace) or (ch == "#" and preceded_by_whitespace):
            block_indicators = True
        if ch == "\t":
            tabs = True
        elif not _is_printable(ch):
            special = True
        if ch == " ":
            leading_space = leading_space or i == 0
            trailing_space = i == last
            break_space = break_space or previous_break
            previous_space, previous_break = True, False
        elif ch in _BREAKS:
            line_breaks = True
            leading_break = leading_break or i == 0
            trailing_break = i == last
            space_break = space_break or previous_space
            previous_space, previous_break = False, True
        else:
            previous_space = previous_break = False
        preceded_by_whitespace = ch in " \t\0" or ch in _BREAKS
    block_plain = single = block = True
    if leading_space or leading_break or trailing_space or trailing_break:
        block_plain = False
    if trailing_space:
        block = False
    if break_space:
        block_plain = single = False
    if space_break or tabs or special:
        block_plain = single = False
    if space_break or special:
        block = False
    if line_breaks or block_indicators:
        block_plain = False
    return _Analysis(line_breaks, block_plain, single, block)


def _render_string(
    value: str, simple_key: bool, parent_indent: int, content_indent: int, quote_yaml11: bool
) -> str:
    analysis = _analyze(value)
    if "\n" in value and not simple_key:
        style = "|"
    elif _resolves_to_non_string(value) or (quote_yaml11 and _yaml11_surprise(value)):
        style = '"'
    else:
        style = ""
    if simple_key and analysis.multiline:
        style = '"'
    if style == "":
        if not analysis.block_plain_allowed or (not value and simple_key):
            style = "'"
    if style == "'" and not analysis.single_quoted_allowed:
        style = '"'
    if style == "|" and (not analysis.block_allowed or simple_key):
        style = '"'
    if style == "":
        return value
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if style == "|":
        return _literal(value, parent_indent, content_indent)
    return _double_quoted(value)


def _literal(value: str, parent_indent: int, indent: int) -> str:
    hints = ""
    if value[0] in " " + _BREAKS:
        # yaml.v3 always writes the chosen indentation (4) here, which readers get
        # wrong wherever the content is not exactly 4 columns in (sequence items);
        # write the true offset instead. gnostic never meets this: comments are trimmed.
        hints += str(indent - parent_indent)
    if value[-1] not in _BREAKS:
        hints += "-"
    elif len(value) == 1 or value[-2] in _BREAKS:
        hints += "+"
    lines = value.split("\n")
    if value.endswith("\n"):
        lines = lines[:-1]
    body = "".join("\n" + (" " * indent + line if line else "") for line in lines)
    return "|" + hints + body


_ESCAPES = {
    "\0": "0",
    "\a": "a",
    "\b": "b",
    "\t": "t",
    "\n": "n",
    "\v": "v",
    "\f": "f",
    "\r": "r",
    "\x1b": "e",
    '"': '"',
    "\\": "\\",
    "\x85": "N",
    "\xa0": "_",
    "\u2028": "L",
    "\u2029": "P",
}


def _double_quoted(value: str) -> str:
    out = ['"']
    for ch in value:
        if not _is_printable(ch) or ch == "\ufeff" or ch in _BREAKS or ch in '"\\':
            code = ord(ch)
            if ch in _ESCAPES:
                out.append("\\" + _ESCAPES[ch])
            elif code <= 0xFF:
                out.append(f"\\x{code:02X}")
            elif code <= 0xFFFF:
                out.append(f"\\u{code:04X}")
            else:
                out.append(f"\\U{code:08X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


# --- yaml.v3's implicit typing, to know when a string must be quoted --------------

_RESOLVE_MAP = {
    "true", "True", "TRUE", "false", "False", "FALSE",
    "", "~", "null", "Null", "NULL",
    ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF",
    "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
}  # fmt: skip
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2}))"
    r"|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d{1,9})?))?$"
)
_INT_BODY = {
    "0x": re.compile(r"^[0-9a-fA-F]+$"),
    "0o": re.compile(r"^[0-7]+$"),
    "0b": re.compile(r"^[01]+$"),
}


def _is_go_int(text: str) -> bool:
    """strconv.ParseInt/ParseUint with base 0 (underscores already removed)."""
    if text[:1] in "+-":
        text = text[1:]
    if not text:
        return False
    prefix = text[:2].lower()
    if prefix in _INT_BODY:
        return bool(_INT_BODY[prefix].match(text[2:]))
    if text[0] == "0" and len(text) > 1:
        return bool(re.match(r"^[0-7]+$", text[1:]))
    return text.isascii() and text.isdigit()


def _is_timestamp(text: str) -> bool:
    match = _TIMESTAMP.match(text)
    if not match:
        return False
    month, day = int(match.group(2)), int(match.group(3))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return False
    clock = [g for g in match.groups()[3:] if g is not None]
    if clock:
        hour, minute, second = (int(g) for g in clock)
        return hour < 24 and minute < 60 and second < 60
    return True


_OLD_BOOL = {
    "y", "Y", "yes", "Yes", "YES", "on", "On", "ON",
    "n", "N", "no", "No", "NO", "off", "Off", "OFF",
}  # fmt: skip
_BASE60_FLOAT = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")


def _yaml11_surprise(value: str) -> bool:
    """Strings YAML 1.1 reads as booleans or sexagesimal numbers (yaml.v3 reads them as strings)."""
    return value in _OLD_BOOL or bool(_BASE60_FLOAT.match(value))


def _resolves_to_non_string(value: str) -> bool:
    """Whether yaml.v3 would read ``value``, written plain, as something but a string."""
    hint = value[:1]
    if value == "":
        return True
    if hint in "yYnNtTfFoO~":
        return value in _RESOLVE_MAP
    if hint == ".":
        return value in _RESOLVE_MAP or bool(_FLOAT.match(value))
    if hint in "+-0123456789":
        if value in _RESOLVE_MAP:
            return True
        if hint.isdigit() and _is_timestamp(value):
            return True
        plain = value.replace("_", "")
        return _is_go_int(plain) or bool(_FLOAT.match(plain))
    return False
