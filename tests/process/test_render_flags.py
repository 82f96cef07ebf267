"""The shared rendering flags: a flag left out takes its default, and the flags given that set how the
network runs are known by name, so a render that runs no network refuses them instead of ignoring them."""
import argparse

import pytest

from config.defaults import CONTEXT, MIRROR_AVERAGE, OVERLAP, TILE, ModelConfig
from process.preflight import check_render_request
from process.render_flags import add_render_flags, add_tiling_flags, render_config
from utils.errors import InputError

BW = ModelConfig(use_luminance=True, color_space="lab", use_depth=False)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser()
    add_tiling_flags(p)
    add_render_flags(p)
    return p


def test_flags_left_out_take_their_defaults_and_are_not_counted_as_given():
    cfg = render_config(_parser().parse_args([]))
    assert (cfg.tile, cfg.overlap, cfg.bf16, cfg.mirror_average, cfg.context) == (TILE, OVERLAP, False,
                                                                                 MIRROR_AVERAGE, CONTEXT)
    assert cfg.network_flags == ()
    assert render_config(_parser().parse_args([]), tile=512).tile == 512      # a script's own default tile


def test_flags_given_are_parsed_and_named():
    cfg = render_config(_parser().parse_args(["--tile", "256", "--overlap", "16", "--bf16", "--mirror-average",
                                              "off", "--context", "local"]))
    assert (cfg.tile, cfg.overlap, cfg.bf16, cfg.mirror_average, cfg.context) == (256, 16, True, False, "local")
    assert cfg.network_flags == ("--bf16", "--tile", "--overlap", "--mirror-average", "--context")
    # a flag given with its default value is given all the same: it asks for the network
    assert render_config(_parser().parse_args(["--mirror-average", "on"])).network_flags == ("--mirror-average",)


def test_a_black_and_white_render_from_the_training_photo_refuses_them_and_the_network_s_takes_them():
    given = render_config(_parser().parse_args(["--bf16"]))
    with pytest.raises(InputError, match="--bf16 sets how the network runs.*--bw-colour network or both"):
        check_render_request(BW, given, outputs=[])
    for source in ("network", "both"):
        check_render_request(BW, render_config(_parser().parse_args(["--bf16", "--bw-colour", source])), outputs=[])
    check_render_request(ModelConfig(), given, outputs=[], check_files=False)  # a colour model always runs it
    check_render_request(BW, render_config(_parser().parse_args([])), outputs=[])
