"""Tiny randomly initialised Depth Anything and SAM models, saved with save_pretrained.

They exercise the real loading (offline, from a folder) and post-processing code; their
outputs are meaningless, so tests check shapes, ranges and plumbing, not depth quality.
"""
import pytest


@pytest.fixture(scope="session")
def tiny_depth_anything(tmp_path_factory):
    import torch
    from transformers import DepthAnythingConfig, DepthAnythingForDepthEstimation, Dinov2Config, DPTImageProcessor

    torch.manual_seed(0)
    backbone = Dinov2Config(hidden_size=32, num_hidden_layers=4, num_attention_heads=2, intermediate_size=64,
                            image_size=56, patch_size=14, out_features=["stage1", "stage2", "stage3", "stage4"],
                            reshape_hidden_states=False)
    cfg = DepthAnythingConfig(backbone_config=backbone, neck_hidden_sizes=[8, 16, 32, 32], fusion_hidden_size=16,
                              head_hidden_size=8, reassemble_hidden_size=32, patch_size=14)
    path = tmp_path_factory.mktemp("tiny_depth_anything")
    DepthAnythingForDepthEstimation(cfg).save_pretrained(path)
    DPTImageProcessor(do_resize=True, size={"height": 56, "width": 56}, keep_aspect_ratio=True, ensure_multiple_of=14,
                      do_pad=False).save_pretrained(path)
    return str(path)


@pytest.fixture(scope="session")
def tiny_sam(tmp_path_factory):
    import torch
    from transformers import (SamConfig, SamImageProcessor, SamMaskDecoderConfig, SamModel, SamProcessor,
                              SamPromptEncoderConfig, SamVisionConfig)

    torch.manual_seed(0)
    vision = SamVisionConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, mlp_dim=64, image_size=64,
                             patch_size=8, output_channels=16, window_size=4, global_attn_indexes=[1],
                             num_pos_feats=8)
    prompt = SamPromptEncoderConfig(hidden_size=16, image_size=64, patch_size=8, mask_input_channels=4)
    decoder = SamMaskDecoderConfig(hidden_size=16, num_hidden_layers=2, num_attention_heads=2, mlp_dim=32,
                                   iou_head_hidden_dim=16)
    path = tmp_path_factory.mktemp("tiny_sam")
    SamModel(SamConfig(vision_config=vision, prompt_encoder_config=prompt, mask_decoder_config=decoder)).save_pretrained(
        path)
    proc = SamImageProcessor(size={"longest_edge": 64}, pad_size={"height": 64, "width": 64},
                             mask_size={"longest_edge": 16}, mask_pad_size={"height": 16, "width": 16})
    SamProcessor(image_processor=proc).save_pretrained(path)
    return str(path)
