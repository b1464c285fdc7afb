"""Numba compile settings shared by all kernels: the fastmath flags.

Kernels are compiled lazily on first call and cached on disk (``cache=True``);
fastmath leaves out ``nnan``/``ninf`` so that NaN checks keep working.
"""
FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}
