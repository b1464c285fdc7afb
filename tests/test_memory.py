"""Memory sizes, budgets, and handing LLVM's code pages back after the kernels load."""
import os
import sys

import numpy as np
import pytest

from embkit._memory import check_budget, format_size, parse_size, release_library_pages
from embkit.exceptions import EmbkitError, MemoryBudgetError


@pytest.mark.parametrize("text, expected", [
    ("512M", 512 * 10**6), ("2G", 2 * 10**9), ("1GiB", 2**30), ("1.5 KiB", 1536), ("1000000", 10**6),
    ("3mb", 3 * 10**6), (4096, 4096), ("143Mi", 143 * 2**20), ("2Gi", 2 * 2**30),
])
def test_parse_size(text, expected):
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "12 parsecs", "G", "-1M", "1..2G"])
def test_parse_size_rejects(text):
    with pytest.raises(EmbkitError, match="not a memory size"):
        parse_size(text)


def test_format_size():
    assert format_size(1536) == "1.5 KiB"
    assert format_size(3 * 2**20) == "3.0 MiB"
    assert format_size(2**31) == "2.00 GiB"


def test_check_budget_names_every_part():
    assert check_budget({"a": 10, "b": 20}, max_memory="1K") == 30
    with pytest.raises(MemoryBudgetError) as err:
        check_budget({"input vectors": 2 * 2**20, "output vectors": 2**20}, max_memory="1MiB")
    msg = str(err.value)
    assert "3.0 MiB" in msg and "input vectors 2.0 MiB" in msg and "--max-memory 1.0 MiB" in msg


def _library_mapped(name):
    try:
        with open("/proc/self/maps") as f:
            return any(name in line for line in f)
    except OSError:
        return False


def test_release_library_pages_of_an_unloaded_library_does_nothing():
    assert release_library_pages("no-such-library-1f3a") == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="madvise(MADV_PAGEOUT) is Linux-only")
def test_release_llvm_pages_keeps_kernels_working():
    import numba

    from embkit.kernels.sampling import build_alias

    probs = np.array([0.5, 0.25, 0.25])
    before = build_alias(probs)

    @numba.njit
    def twice(x):
        return 2 * x

    assert twice(21) == 42                              # compiling runs LLVM: its code pages are resident
    freed = release_library_pages("libllvmlite")
    assert freed >= 0
    release = tuple(int(x) for x in os.uname().release.split(".")[:2] if x.isdigit())
    lib = next(line.split()[-1] for line in open("/proc/self/maps") if "libllvmlite" in line)
    if release >= (5, 4) and os.access(lib, os.W_OK):
        assert freed > 2**20, "MADV_PAGEOUT should reclaim at least 1 MiB of LLVM's code"
    after = build_alias(probs)                          # loaded kernels still run ...
    np.testing.assert_array_equal(before[0], after[0])
    np.testing.assert_array_equal(before[1], after[1])

    @numba.njit
    def thrice(x):
        return 3 * x

    assert thrice(14) == 42                             # ... and LLVM still compiles
