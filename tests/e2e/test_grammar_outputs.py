"""Structured output, checked by an independent validator: the C++ property test
(tests/unit/engine_grammar_property_test.cc) samples from a random-weight Qwen3 checkpoint
with the real vocabulary at temperature 1.5 under the grammar of each of its schemas and
writes every output here; each must be JSON that Python's jsonschema accepts for its
schema, formats included.

The driver is the GoogleTest binary built next to the qwenrt binary (QWENRT_BIN), or
QWENRT_GRAMMAR_DRIVER when set."""
import datetime
import json
import os
import pathlib
import re
import subprocess
import urllib.parse

import jsonschema
import pytest

from conftest import QWENRT

DRIVER = pathlib.Path(os.environ.get("QWENRT_GRAMMAR_DRIVER",
                                     QWENRT.parent / "tests" / "engine_grammar_property_test"))

# jsonschema checks "time", "date-time" and "uri" only when optional packages are
# installed; these stand-ins apply the RFC 3339 / RFC 3986 grammars so every format
# the grammar generates is really checked.
RFC3339_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$", re.I)
RFC3339_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:([A-Za-z0-9\-._~!$&'()*+,;=:@/?#]|%[0-9A-Fa-f]{2})*$")
FORMAT_CHECKER = jsonschema.FormatChecker()


@FORMAT_CHECKER.checks("time", raises=ValueError)
def is_time(value):
    if not isinstance(value, str):
        return True
    if not RFC3339_TIME.match(value):
        return False
    datetime.time.fromisoformat(re.sub(r"Z$", "+00:00", value, flags=re.I))
    return True


@FORMAT_CHECKER.checks("date-time", raises=ValueError)
def is_date_time(value):
    if not isinstance(value, str):
        return True
    date, sep, time = value.partition("T")
    if not sep or not RFC3339_DATE.match(date) or not is_time(time):
        return False
    datetime.datetime.fromisoformat(re.sub(r"Z$", "+00:00", value, flags=re.I))
    return True


@FORMAT_CHECKER.checks("uri", raises=ValueError)
def is_uri(value):
    if not isinstance(value, str):
        return True
    if not URI.match(value) or value.count("#") > 1:
        return False
    parts = urllib.parse.urlsplit(value)
    if parts.netloc:
        parts.port  # raises ValueError for a bad port
    return bool(parts.scheme)


def reject_constant(name):
    raise ValueError(f"not JSON: {name}")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    if not DRIVER.exists():
        pytest.fail(f"grammar property driver not built: {DRIVER} "
                    "(cmake --build <build> --target engine_grammar_property_test)")
    path = tmp_path_factory.mktemp("grammar") / "outputs.jsonl"
    run = subprocess.run([str(DRIVER)], env={**os.environ, "QWENRT_GRAMMAR_OUTPUTS": str(path)},
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_covers_at_least_fifty_schemas(outputs):
    assert len({o["schema"] for o in outputs}) >= 50


def test_every_output_is_complete_json_valid_for_its_schema(outputs):
    failures = []
    for o in outputs:
        schema = json.loads(o["schema"])
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        try:
            assert o["complete"], "generation did not complete"
            value = json.loads(o["output"], parse_constant=reject_constant)
            errors = [e.message for e in cls(schema, format_checker=FORMAT_CHECKER).iter_errors(value)]
            assert not errors, errors
        except (AssertionError, ValueError) as e:
            failures.append(f"schema {o['schema']}\n  output {o['output']!r}\n  {e}")
    assert not failures, "\n".join(failures)


def test_outputs_respect_the_whitespace_policy(outputs):
    # Compact mode: whitespace outside strings is at most one space after ':' or ','.
    for o in outputs:
        if o["flexible_whitespace"]:
            continue
        outside = re.sub(r'"(\\.|[^"\\])*"', '""', o["output"])
        assert not re.search(r"[\t\n\r]|  |[^:,] |^ ", outside), o["output"]
