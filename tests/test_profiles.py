"""Profiles: the built-in ones as shipped, and a user's file refused with the key named."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from jixiao.errors import ProfileError
from jixiao.profiles import BUILTIN, load_profile, load_profile_file

D = Decimal


def test_builtin_profiles_read_as_written():
    hunan = load_profile("hunan")
    assert hunan.milestones == ["3月底", "6月底", "10月底", "12月底"] and hunan.overall_form
    assert not hunan.cost_under_output and hunan.indicator_weight_total == D("90")
    assert hunan.satisfaction_bands == [(D("95"), D("1")), (D("80"), D("0.8")), (D("60"), D("0.5"))]
    assert hunan.weights.cost == D("20") and hunan.weights.output == D("40")
    assert hunan.progress["6月底"] == D("50")
    hebei = load_profile("hebei")
    assert hebei.milestones == ["3月底", "6月底", "10月底"] and not hebei.has_december
    for name in BUILTIN:
        assert load_profile(name).name == name


def test_a_loaded_profile_is_shared_and_cannot_be_changed():
    assert load_profile("hebei") is load_profile("hebei")
    with pytest.raises(dataclasses.FrozenInstanceError):
        load_profile("hebei").cost_under_output = False  # type: ignore[misc]


def test_user_profile_file(tmp_path):
    path = tmp_path / "my.toml"
    path.write_text('name = "县里的"\nunknown_key = 1\nindicator_weight_total = 100\n'
                    '[progress]\n"3月底" = 30.5\n[weights]\noutput = "45"\n', encoding="utf-8")
    profile = load_profile_file(path)
    assert profile.name == "县里的" and profile.indicator_weight_total == D("100")
    assert profile.progress == {"3月底": D("30.5")}
    assert profile.weights.output == D("45") and profile.weights.execution == D("10")


@pytest.mark.parametrize("text, named", [
    ('title = "没有名字"\n', "name"),
    ('name = "x"\noverall_form = "yes"\n', "overall_form"),
    ('name = "x"\n[progress]\n"3月底" = "二十五"\n', "progress.3月底"),
    ('name = "x"\nsatisfaction_bands = [["95"]]\n', "satisfaction_bands"),
    ('name = "x"\nmilestones = "3月底"\n', "milestones"),
    ('name = "x"\n[weights]\ncost = true\n', "weights.cost"),
    ('name = "x" = 1\n', "格式不正确"),
])
def test_bad_profile_files_are_refused_naming_the_key(tmp_path, text, named):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as err:
        load_profile_file(path)
    assert named in str(err.value) and str(path) in str(err.value)


def test_unknown_builtin_and_missing_file(tmp_path):
    with pytest.raises(ProfileError, match="未知的配置"):
        load_profile("guangdong")
    with pytest.raises(ProfileError, match="无法读取配置文件"):
        load_profile_file(tmp_path / "none.toml")
