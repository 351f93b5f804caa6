"""Operator switches of the API and operations: a bad value stops every command with a German
one-line reason that names the variable and what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.cli.helpers import run_schule


@pytest.mark.parametrize(
    ("variable", "value", "reason"),
    [
        ("SCHULE_INTROSPECTION", "ja", "erlaubt sind 1 (an) und 0 (aus)"),
        ("SCHULE_LOG_FORMAT", "xml", "erlaubt: text, json"),
        ("SCHULE_METRICS_ALLOW", "127.0.0.1,prometheus", "keine IP-Adresse und kein Netz in CIDR-Schreibweise"),
    ],
)
def test_a_bad_operator_setting_is_refused_with_a_reason(
    tmp_path: Path, variable: str, value: str, reason: str
) -> None:
    done = run_schule("stats", data_dir=tmp_path, env={variable: value})

    assert done.returncode == 1
    assert variable in done.stderr and reason in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
