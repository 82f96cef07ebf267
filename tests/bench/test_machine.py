"""Every benchmark names its machine (bench/machine.py): the CPU's model, not just 'x86_64', whether
it computes bf16 natively, which decides what a timing means, and the GPU when the run used one."""
import torch

from bench.machine import cpu_name, describe_machine
from process.device import cpu_has_bf16


def test_the_line_names_the_cpu_and_its_bf16():
    line = describe_machine(gpu=False)
    assert line.startswith(cpu_name())
    assert f"native bf16: {'yes' if cpu_has_bf16() else 'no'}" in line
    assert f"torch {torch.__version__}" in line


def test_the_cpu_name_comes_from_proc_cpuinfo_where_there_is_one():
    try:
        text = open("/proc/cpuinfo").read()
    except OSError:
        return
    names = [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("model name")]
    if names:
        assert cpu_name() == names[0]


def test_a_gpu_run_leads_with_the_gpu_and_a_cpu_run_does_not(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda *a: "Test GPU 80GB")
    assert describe_machine().startswith("Test GPU 80GB (CUDA ")          # the default device: the GPU
    assert describe_machine(gpu=True).endswith(describe_machine(gpu=False))
    assert "Test GPU" not in describe_machine(gpu=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert "Test GPU" not in describe_machine()
