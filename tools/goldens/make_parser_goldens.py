#!/usr/bin/env python3
"""Regenerates tests/goldens/chat/parser_values.json from Python itself.

The chat parsers re-serialize tool-call arguments the way vLLM does
(json.dumps(value, ensure_ascii=False)) and convert Qwen3-Coder parameter
values with Python's own int(), float(), json.loads and ast.literal_eval.
Every expected string in the fixture comes from those Python functions, so the
C++ code is checked against the reference, not against hand-typed outputs.

Usage: /root/venvs/goldens/bin/python tools/goldens/make_parser_goldens.py
"""
import ast
import json
import math
import pathlib
import random
import struct

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "goldens" / "chat" / "parser_values.json"


def dumps(value):
    return json.dumps(value, ensure_ascii=False)


# --- json.loads -> json.dumps round trips -----------------------------------
JSON_TEXTS = [
    '{}', '[]', '{"a": 1}', '{"a":1,"b":[1,2,{"c":null}]}', '[true,false,null]',
    '"plain"', '""', '"quote \\" backslash \\\\ slash \\/"',
    '"ctl \\u0000 \\u0001 \\u001f \\b \\f \\n \\r \\t end"', '"del \u007f"',
    '"\\u00e9t\\u00e9 caf\u00e9"', '"\\ud83d\\ude00 emoji \U0001F389"', '"\\u2028 \\u2029"',
    '"日本語テキスト"', '{"ключ": "значение"}',
    '0', '-0', '1', '-1', '123456789', '9223372036854775807', '9223372036854775808',
    '-9223372036854775808', '-9223372036854775809', '18446744073709551615',
    '18446744073709551616', '123456789012345678901234567890', '-123456789012345678901234567890',
    '0.0', '-0.0', '1.0', '1.5', '0.1', '0.2', '0.30000000000000004', '1e0', '1E5', '1e-5',
    '1e-4', '0.0001', '0.00001', '1e15', '1e16', '1e17', '123456789012345678.0',
    '1234567890123456.7', '12345678901234567.8', '5e-324', '2.2250738585072014e-308',
    '1.7976931348623157e308', '1e308', '3.141592653589793', '100.0',
    '1e22', '1e21', '1.5e300', '-2.5e-300', '4.35', '0.000123456', '9007199254740993',
    # Not here: '1e400' (json.loads reads inf; nlohmann rejects it, so such a
    # call stays content) and lone surrogates like '"\\ud800"' (not UTF-8).
    '{"a": 1, "a": 2}', '{"a": 1, "b": 2, "a": 3}', '{"z": 1, "a": 2, "m": 3}',
    '[[[[[]]]]]', '{"nested": {"deep": {"list": [1, "two", 3.0, {"four": [4]}]}}}',
    '  {"ws" :  [ 1 ,2 ] }  ',
]
# Floats of every magnitude, so Python's repr rules (fixed vs exponent,
# shortest digits) are pinned down by many cases.
rng = random.Random(1234)
for _ in range(300):
    bits = rng.getrandbits(64)
    x = struct.unpack("<d", struct.pack("<Q", bits))[0]
    if math.isfinite(x):
        JSON_TEXTS.append(repr(x))
for e in range(-30, 31):
    JSON_TEXTS.append(repr(rng.random() * 10.0 ** e))
    JSON_TEXTS.append(repr(float(10 ** abs(e)) if e >= 0 else 10.0 ** e))

json_cases = []
for text in JSON_TEXTS:
    json_cases.append({"input": text, "expected": dumps(json.loads(text))})

# --- ast.literal_eval -> json.dumps ----------------------------------------
LITERALS = [
    "{'a': 1, 'b': [1, 2]}", "['x', 'y']", "('t', 1)", "(1,)", "()", "[]", "{}",
    "True", "False", "None", "1", "-1", "+3", "1_000", "0x1F", "0o17", "0b101", "1.5",
    "-2.5e3", "1e400", ".5", "5.", "'single \\' quote'", '"double \\" quote"',
    "'tab\\tnew\\nline'", "'\\x41\\u00e9\\U0001F600'", "'caf\u00e9'", "'a' 'b'",
    "{'nested': {'k': [None, True, 1.0]}}", "{1: 'int key', 2.5: 'float', False: 'f', None: 'n'}",
    "[1, [2, [3, [4]]]]", "  [1, 2]  ", "{'a': 1, 'a': 2}", "['trailing',]", "{'t': 1,}",
    "123456789012345678901234567890", "-(1)", "r'raw\\n'", "'''triple'''",
    # Not literals, or not JSON-serializable: conversion falls back to the raw string.
    "{1, 2}", "b'bytes'", "1+2j", "x", "[1, 2", "{'a' 1}", "'unterminated", "",
    "print(1)", "{(1, 2): 'tuple key'}", "[1, 2] [3]", "nan", "inf", "- 1",
]
literal_cases = []
for text in LITERALS:
    try:
        value = ast.literal_eval(text)
        expected = dumps(value)
    except Exception:  # SyntaxError, ValueError, TypeError (sets, bytes, complex)
        expected = None
    literal_cases.append({"input": text, "expected": expected})

# --- Qwen3-Coder parameter conversion ---------------------------------------
# The decision table vLLM's Qwen3-Coder parser applies to a raw <parameter>
# value given the JSON-schema entry of that parameter, written here with
# Python's own primitives (int, float, json.loads, ast.literal_eval).
STRING_TYPES = {"string", "str", "text", "varchar", "char", "enum"}


def primary_type(schema):
    if not isinstance(schema, dict):
        return "string", False
    if "type" in schema:
        t = schema["type"]
        if isinstance(t, list):  # qwenrt reads type lists like anyOf (documented)
            names = [str(x).strip().lower() for x in t]
            non_null = [n for n in names if n != "null"]
            return (non_null[0] if non_null else "null"), "null" in names
        t = str(t).strip().lower()
        return t, t == "null"
    if "anyOf" in schema:
        picked, nullable = None, False
        for option in schema["anyOf"]:
            if isinstance(option, dict) and "type" in option:
                t = str(option["type"]).strip().lower()
                if t == "null":
                    nullable = True
                elif picked is None:
                    picked = t
        return picked or "string", nullable
    return "string", False


def convert(raw, schema, known):
    if not known:
        return raw
    ptype, nullable = primary_type(schema)
    if nullable and raw.lower() in ("null", "none"):
        return None
    if ptype in STRING_TYPES:
        return raw
    if raw.lower() in ("null", "none"):
        return None
    if ptype.startswith(("int", "uint", "long", "short", "unsigned")):
        try:
            return int(raw)
        except ValueError:
            return raw
    if ptype.startswith(("num", "float")):
        try:
            f = float(raw)
            if not math.isfinite(f):
                return raw  # vLLM raises on inf (OverflowError); qwenrt keeps the text
            return f if f - int(f) != 0 else int(f)
        except ValueError:
            return raw
    if ptype in ("boolean", "bool", "binary"):
        return raw.lower() == "true"
    container = ptype in ("object", "array", "arr") or ptype.startswith(("dict", "list"))
    if container:
        try:
            parsed = json.loads(raw)
            if isinstance(parsed, str):
                try:
                    parsed = ast.literal_eval(parsed)
                except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                    pass
            return parsed
        except ValueError:
            pass
    try:
        value = ast.literal_eval(raw)
        if container and isinstance(value, str):
            try:
                value = ast.literal_eval(value)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                pass
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return raw
    return value


SCHEMAS = [
    None, {"type": "string"}, {"type": "integer"}, {"type": "number"}, {"type": "boolean"},
    {"type": "object"}, {"type": "array"}, {"type": "null"}, {"type": "float"}, {"type": "int64"},
    {"type": "dict"}, {"type": "list[str]"}, {"type": " Integer "}, {"type": "custom"},
    {"anyOf": [{"type": "string"}, {"type": "null"}]}, {"anyOf": [{"type": "integer"}, {"type": "null"}]},
    {"type": ["number", "null"]}, {"type": ["string", "null"]}, {"description": "no type"}, {"enum": ["a"]},
]
RAWS = [
    "hello", "", "null", "None", "NULL", "42", " 42 ", "-7", "+7", "1_000", "007", "4.0", "4.5",
    "1e3", "1e-3", "-0.0", "1e20", "1e300", "inf", "nan", "abc", "true", "True", "FALSE", "yes",
    '{"a": 1}', "{'a': 1}", '"{\'a\': 1}"', "[1, 2, 3]", "['x']", "(1, 2)", '"quoted"', "'single'",
    "123456789012345678901234567890", "0x10", "3.141592653589793", "2.5e-7", "{bad json", "[1,]",
]
conversion_cases = []
for schema in SCHEMAS:
    for raw in RAWS:
        try:
            value = convert(raw, schema, schema is not None)
            expected = dumps(value)
        except (TypeError, ValueError):
            expected = dumps(raw)  # e.g. a literal that json.dumps rejects (a set): keep text
        conversion_cases.append({"schema": schema, "raw": raw, "expected": expected})

OUT.write_text(json.dumps({
    "json_dumps": json_cases,
    "literal_eval": literal_cases,
    "qwen3_coder_values": conversion_cases,
}, ensure_ascii=False, indent=1) + "\n")
print(f"wrote {OUT}: {len(json_cases)} json, {len(literal_cases)} literal, "
      f"{len(conversion_cases)} conversion cases")
