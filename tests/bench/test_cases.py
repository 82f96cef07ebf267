"""bench/cases.py: the benches' --cases flag."""
import argparse

import pytest

from bench.cases import CASES, add_cases_flag, chosen_cases


def _parser():
    p = argparse.ArgumentParser()
    add_cases_flag(p)
    return p


def test_all_means_every_case_and_named_cases_are_kept_in_order():
    p = _parser()
    assert chosen_cases(p, p.parse_args([]).cases) == list(CASES)
    assert chosen_cases(p, ["china", "aero"]) == ["china", "aero"]
    assert chosen_cases(p, ["aero", "all"]) == list(CASES)


def test_an_unknown_case_gets_one_line_and_exit_2(capsys):
    p = _parser()
    with pytest.raises(SystemExit) as stop:
        chosen_cases(p, ["aero", "nowhere"])
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert "unknown nowhere" in err and "choose from motorcycle" in err
