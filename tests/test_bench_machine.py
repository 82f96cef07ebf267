"""Every benchmark names its machine (bench/machine.py): the CPU's model, not just 'x86_64', and
whether it computes bf16 natively, which decides what a timing means."""
import torch

from bench.machine import cpu_name, describe_machine
from process.device import cpu_has_bf16


def test_the_line_names_the_cpu_and_its_bf16():
    line = describe_machine()
    assert line.startswith(cpu_name()) or "host: " + cpu_name() in line
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
