"""The console script prints an error the engine raises on purpose as one line, exit code 2."""

from __future__ import annotations

import pytest

from matching.errors import SpecError
from regmod.cli import app as cli


def test_a_matching_error_is_one_line_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse() -> None:
        raise SpecError("comparison 'surname': the last level must be 'else'\nsecond line")

    monkeypatch.setattr(cli, "app", refuse)
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert err.strip() == "error: comparison 'surname': the last level must be 'else'"
