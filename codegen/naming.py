"""Name rules borrowed from protobuf-go and gnostic, so that names match theirs."""

from __future__ import annotations

# Go's strings.TrimSpace trims Unicode White_Space; Python's str.strip() trims a
# slightly larger set (it includes \x1c-\x1f), so name Go's set explicitly.
GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def go_trim_space(text: str) -> str:
    return text.strip(GO_SPACE)


def go_camel_case(name: str) -> str:
    """protobuf-go's strs.GoCamelCase: the GoName of a service or method."""
    out: list[str] = []
    i = 0
    while i < len(name):
        c = name[i]
        nxt = name[i + 1] if i + 1 < len(name) else ""
        if c == "." and nxt.islower() and nxt.isascii():
            pass  # skip '.' in ".{{lowercase}}"
        elif c == ".":
            out.append("_")
        elif c == "_" and (i == 0 or name[i - 1] == "."):
            out.append("X")
        elif c == "_" and nxt.isascii() and nxt.islower():
            pass  # skip '_' in "_{{lowercase}}"
        elif c.isascii() and c.isdigit():
            out.append(c)
        else:
            out.append(c.upper() if c.isascii() and c.islower() else c)
            while i + 1 < len(name) and name[i + 1].isascii() and name[i + 1].islower():
                i += 1
                out.append(name[i])
        i += 1
    return "".join(out)


def json_name(name: str) -> str:
    """protoc's default json_name (protoc always sends it; this is a fallback)."""
    out: list[str] = []
    upper_next = False
    for c in name:
        if c == "_":
            upper_next = True
        elif upper_next:
            out.append(c.upper())
            upper_next = False
        else:
            out.append(c)
    return "".join(out)


def singular(plural: str) -> str:
    """gnostic's singular(): the path parameter named after a collection segment."""
    if plural.endswith("ves"):
        return plural[: -len("ves")] + "f"
    if plural.endswith("ies"):
        return plural[: -len("ies")] + "y"
    if plural.endswith("s"):
        return plural[:-1]
    return plural
