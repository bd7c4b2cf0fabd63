"""The planner's stations: checks in the spec model, OS package managers, phases, run policy."""

from __future__ import annotations

import pytest

from dockgen.spec import Refusal, Spec

S6 = {"name": "demo", "language": "none", "base": "debian:12-slim", "processes": {"web": {"command": ["web"]}}}


@pytest.mark.parametrize("extra, field", [
    ({"stop_signal": "SIGHUP"}, ("stop_signal",)),
    ({"stop_grace_period": "1999ms"}, ("stop_grace_period",)),
])
def test_r11_s6_stop_checks_need_the_spec_alone(extra: dict, field: tuple):
    """The s6 refusals are the spec model's: validating the mapping raises them, no plan needed."""
    with pytest.raises(Refusal) as caught:
        Spec.model_validate({**S6, **extra})
    assert caught.value.field == field and caught.value.rule == "R11"


def test_r11_a_grace_period_of_exactly_two_seconds_is_enough_for_s6():
    assert Spec.model_validate({**S6, "stop_grace_period": "2s"}).stop_grace_period == "2s"


def test_go_binary_name_is_checked_by_the_spec_model():
    go = {"name": "g", "language": "go", "version": "1.23"}
    with pytest.raises(Refusal) as caught:
        Spec.model_validate({**go, "entrypoint": ["x y"]})
    assert caught.value.field == ("entrypoint", 0) and "binary's name or absolute path" in caught.value.message
    assert Spec.model_validate({**go, "entrypoint": ["/usr/local/bin/pinger", "-v"]}).entrypoint[0] == "/usr/local/bin/pinger"
