"""Sparse-times-dense products for the truncated SVD of PPMI matrices.

Pure functions on arrays.  Rows of the result are computed in parallel
(``prange``), each by one thread in a fixed order, so the result does not
depend on the number of threads.
"""
from numba import njit, prange

from ._jit import FASTMATH


@njit(cache=True, parallel=True, fastmath=FASTMATH)
def csr_dense(indptr, indices, data, x, out):
    """``out = A @ x`` for a CSR matrix ``A``.

    Parameters
    ----------
    indptr : int32 or int64 ndarray, shape (n_rows + 1,)
    indices : int32 ndarray, shape (nnz,)
    data : float32 ndarray, shape (nnz,)
        The CSR matrix ``A`` of shape (n_rows, x.shape[0]).
    x : float32 ndarray, shape (n_cols, k)
        C-contiguous.
    out : float32 ndarray, shape (n_rows, k)
        Filled.
    """
    k = x.shape[1]
    for i in prange(out.shape[0]):
        for t in range(k):
            out[i, t] = 0.0
        for p in range(indptr[i], indptr[i + 1]):
            j = indices[p]
            v = data[p]
            for t in range(k):
                out[i, t] += v * x[j, t]
