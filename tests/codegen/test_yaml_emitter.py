"""The yaml.v3-style writer: gnostic's layout and quoting, and text any YAML reader loads back."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from codegen.yaml_emitter import Plain, dump, format_number


def value_line(value: Any) -> str:
    return dump({"k": value}).rstrip("\n")


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("plain words", "k: plain words"),
        ("3.0.3", "k: 3.0.3"),
        ("200", 'k: "200"'),
        ("", 'k: ""'),
        ("true", 'k: "true"'),
        ("null", 'k: "null"'),
        ("~", 'k: "~"'),
        ("1.5", 'k: "1.5"'),
        ("0x1F", 'k: "0x1F"'),
        ("1_000", 'k: "1_000"'),
        ("2024-01-31", 'k: "2024-01-31"'),
        ("ON", "k: ON"),  # a YAML 1.1 boolean, a string to yaml.v3: plain, as gnostic writes
        ("1:20", "k: 1:20"),  # YAML 1.1 sexagesimal, likewise
        ("#/components/schemas/X", "k: '#/components/schemas/X'"),
        ("@type", "k: '@type'"),
        ("`code` first", "k: '`code` first'"),
        ("a: b", "k: 'a: b'"),
        ("it's: here", "k: 'it''s: here'"),
        ("a # b", "k: 'a # b'"),
        ("- item", "k: '- item'"),
        ("a\tb", 'k: "a\\tb"'),
        ("trailing ", "k: 'trailing '"),
        ("^[a-z]+$", "k: ^[a-z]+$"),
        ("/v1/{name}:get", "k: /v1/{name}:get"),
        ("héllo", "k: héllo"),
        ("emoji 🙂", 'k: "emoji \\U0001F642"'),
        (True, "k: true"),
        (12, "k: 12"),
        (0.25, "k: 0.25"),
        (1000000.0, "k: 1000000"),
        (Plain("STATE_ON"), "k: STATE_ON"),
        (Plain("OFF"), "k: OFF"),
        ({}, "k: {}"),
        ([], "k: []"),
    ],
)
def test_scalar_styles(value: Any, written: str) -> None:
    assert value_line(value) == written


def test_multi_line_strings_are_literal_blocks() -> None:
    assert dump({"a": {"description": "First line.\n second line."}}) == (
        "a:\n    description: |-\n        First line.\n         second line.\n"
    )
    # A line ending in a space cannot be a literal block: double quotes instead.
    assert dump({"d": "end \nnext"}) == 'd: "end \\nnext"\n'


def test_gnostic_layout_of_sequences_and_nested_mappings() -> None:
    doc: dict[str, Any] = {
        "paths": {
            "/x": {
                "get": {
                    "tags": ["S"],
                    "parameters": [
                        {
                            "name": "p",
                            "description": "Two\n lines.",
                            "schema": {"type": "string", "enum": [Plain("A")]},
                        }
                    ],
                }
            }
        }
    }
    assert dump(doc, ["Generated", "# already a comment"]) == (
        "# Generated\n"
        "# already a comment\n"
        "\n"
        "paths:\n"
        "    /x:\n"
        "        get:\n"
        "            tags:\n"
        "                - S\n"
        "            parameters:\n"
        "                - name: p\n"
        "                  description: |-\n"
        "                    Two\n"
        "                     lines.\n"
        "                  schema:\n"
        "                    type: string\n"
        "                    enum:\n"
        "                        - A\n"
    )


def test_keys_are_quoted_like_values_but_never_literal() -> None:
    assert dump({"200": 1, "@type": 2, "a\nb": 3}) == '"200": 1\n\'@type\': 2\n"a\\nb": 3\n'


def test_number_formatting_always_reads_back_as_a_number() -> None:
    for number in (0.0, 1.0, 1e6, 1e20, 0.1, 1e-7, 2.5e-10, -3.0, 123456.789):
        text = format_number(number)
        assert yaml.safe_load(f"x: {text}")["x"] == pytest.approx(number)
        assert "e" not in text.lower()


@pytest.mark.parametrize(
    "doc",
    [
        {"a": ["x", {"b": [1, 2, {"c": "d: e"}]}, [], {}], "f": {"g": {"h": ["", "  lead"]}}},
        {
            "s": [
                "multi\nline",
                "\nleading break",
                "tab\there",
                "quote ' and \" both",
                "back\\slash",
            ]
        },
        {"nested": [["a", "b"], ["c"]], "yes": "no", "on": ["off", "y", "n"]},
        {"unicode": "Ünïcödé — “quotes” 日本語", "ctrl": "bell\x07", "nel": "a\x85b"},
        {"lines": "one\n\ntwo\n", "keep": "x\n\n"},
    ],
)
def test_round_trips_through_pyyaml(doc: dict[str, Any]) -> None:
    assert yaml.safe_load(dump(doc, quote_yaml11=True)) == doc


@pytest.mark.parametrize("value", ["ON", "OFF", "yes", "y", "n", "1:20"])
def test_quote_yaml11_quotes_what_yaml_1_1_readers_misread(value: str) -> None:
    assert dump({"k": value}, quote_yaml11=True) == f'k: "{value}"\n'
    assert dump({value: 1}, quote_yaml11=True) == f'"{value}": 1\n'
    assert dump({"k": Plain(value)}, quote_yaml11=True) == f'k: "{value}"\n'
    # Without it, gnostic's plain scalars (PyYAML then reads ON as true).
    assert dump({"k": Plain(value)}) == f"k: {value}\n"
