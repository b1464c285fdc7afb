"""The Numba kernels: pure functions on arrays (training epochs, sampling tables, random numbers)."""
