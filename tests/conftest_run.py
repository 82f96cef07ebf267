"""A tiny trained run shared by the inference-side tests (process, batch, evaluate, styles)."""
import pytest


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory):
    import train
    from utils.cli import run_cli

    out = tmp_path_factory.mktemp("tiny_run")
    args = ["--out", str(out / "run"), "--epochs1", "1", "--steps-per-epoch", "3", "--epochs2", "1",
            "--steps2-per-epoch", "1", "--patch-size", "32", "--batch-size", "2", "--full-size", "64", "--width", "8",
            "--quiet", "--device", "cpu", "--metrics-log", str(out / "training.log")]
    assert run_cli(train.main, args) == 0
    return out / "run"
