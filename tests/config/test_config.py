import dataclasses

import pytest

from config.defaults import PRESETS, ModelConfig, TrainConfig, from_dict, merge, to_dict, train_config
from config.overrides import parse_overrides
from utils.errors import InputError


def test_presets_change_only_what_they_name():
    fast = train_config("fast")
    assert fast.model.width == 16 and fast.patch_size == 96
    assert fast.model.color_space == ModelConfig().color_space and fast.lr == TrainConfig().lr
    assert train_config("default") == TrainConfig()
    wide = train_config("wide")                      # the default until 2026-11-27
    assert (wide.model.width, wide.epochs1) == (32, 10) and wide.steps_per_epoch == TrainConfig().steps_per_epoch
    with pytest.raises(ValueError, match="unknown preset"):
        train_config("huge")


def test_merge_is_nested_and_leaves_the_original_alone():
    base = TrainConfig()
    new = merge(base, {"lr": 0.5, "model": {"width": 24}, "sketch": {"method": "canny"}})
    assert (new.lr, new.model.width, new.sketch.method) == (0.5, 24, "canny")
    assert new.model.color_space == base.model.color_space and new.augment == base.augment
    assert base.lr == TrainConfig().lr and base.model.width == ModelConfig().width


def test_merge_refuses_unknown_keys_naming_the_valid_ones():
    with pytest.raises(InputError, match=r"ModelConfig has no field 'widht'; valid: width, color_space"):
        merge(TrainConfig(), {"model": {"widht": 3}})
    with pytest.raises(InputError, match="TrainConfig has no field 'learning_rate'"):
        train_config("fast", learning_rate=1)


def test_from_dict_round_trip_and_unknown_keys():
    cfg = train_config("paper", seed=3, model={"palette_size": 4, "color_space": "lab"})
    data = to_dict(cfg)
    assert from_dict(TrainConfig, data) == cfg
    data["from_a_newer_version"] = 1
    data["model"]["also_new"] = True
    back = from_dict(TrainConfig, data)
    assert back == cfg and isinstance(back.model, ModelConfig)


def test_parse_overrides_converts_each_field_to_its_type():
    over = parse_overrides(["lr=2e-4", "seed=3", "model.width=24", "model.use_luminance=true",
                            "model.color_space=lab", "augment.vflip=no", "sketch.method=canny", "vgg_weights=null",
                            "depth=none"])
    assert over == {"lr": 2e-4, "seed": 3, "model": {"width": 24, "use_luminance": True, "color_space": "lab"},
                    "augment": {"vflip": False}, "sketch": {"method": "canny"}, "vgg_weights": None,
                    "depth": "none"}
    cfg = train_config("fast", **over)
    assert cfg.model.width == 24 and cfg.model.palette_size == 0 and cfg.augment.vflip is False


def test_every_field_is_reachable():
    def keys(cls, prefix=""):
        for f in dataclasses.fields(cls):
            value = getattr(cls(), f.name)
            if dataclasses.is_dataclass(value):
                yield from keys(type(value), f"{prefix}{f.name}.")
            else:
                yield f"{prefix}{f.name}", value
    for key, value in keys(TrainConfig):
        text = "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
        over = parse_overrides([f"{key}={text}"])
        cfg = merge(TrainConfig(), over)
        node = cfg
        for part in key.split("."):
            node = getattr(node, part)
        assert node == value, key


@pytest.mark.parametrize("item,match", [
    ("lr", "section.field=value"),
    ("learning_rate=1", r"unknown key learning_rate; valid: image, depth"),
    ("model.widht=3", r"unknown key model.widht; valid: model.width, model.color_space"),
    ("model=3", "model is a section; set one of its fields: model.width"),
    ("lr.x=1", "lr is a field, not a section"),
    ("model.width=wide", "model.width takes an int"),
    ("lr=fast", "lr takes a float"),
    ("precise_bn=maybe", "precise_bn takes a bool"),
])
def test_parse_overrides_refuses_with_the_way_out(item, match):
    with pytest.raises(InputError, match=match):
        parse_overrides([item])


def test_presets_only_name_real_fields():
    for name, preset in PRESETS.items():
        merge(TrainConfig(), preset)  # raises on a typo


def test_black_and_white_and_learned_palettes_need_lab():
    with pytest.raises(InputError, match="Lab"):
        train_config("fast", model={"use_luminance": True})
    with pytest.raises(InputError, match="lab"):
        train_config("fast", model={"palette_size": 4})
    assert train_config("fast", model={"use_luminance": True, "color_space": "lab"}).model.use_luminance


def test_position_is_off_unless_asked_for():
    for over in ({}, {"sketch": {"method": "lines"}}, {"model": {"use_luminance": True, "color_space": "lab"}}):
        cfg = train_config("default", **over)
        assert not cfg.model.position and cfg.augment.position_jitter == 0.0
    assert train_config("fast", sketch={"method": "lines"}, model={"position": True}).augment.position_jitter == 0.0


def test_print_ageing_range_device_sampler_and_black_and_white_default():
    import train

    with pytest.raises(InputError, match="augment.print_ageing must be 0.0 to 1.0"):
        train_config("fast", augment={"print_ageing": 1.5})
    with pytest.raises(InputError, match="sampler=device cannot age prints"):
        train_config("fast", sampler="device", augment={"print_ageing": 0.5})
    assert train_config("fast", sampler="device").augment.print_ageing == 0.0   # colour models: off
    parse = lambda *argv: train.config_from_args(train.build_parser().parse_args(list(argv)))  # noqa: E731
    bw = parse("--luminance")
    assert bw.augment.print_ageing == 0.5 and bw.model.use_luminance and bw.model.color_space == "lab"
    assert parse("--luminance", "--set", "augment.print_ageing=0").augment.print_ageing == 0.0
    assert parse("--luminance", "--set", "augment.print_ageing=0.2", "augment.vflip=true").augment.print_ageing == 0.2
    assert parse().augment.print_ageing == 0.0
