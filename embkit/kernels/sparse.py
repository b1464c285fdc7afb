"""Sparse kernels of PPMI-SVD: the PPMI matrix from counts, and sparse-times-dense products for the SVD.

Pure functions on arrays.  Rows of the result are computed in parallel
(``prange``), each by one thread in a fixed order, so the result does not
depend on the number of threads.
"""
import numpy as np
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


@njit(cache=True, parallel=True)
def ppmi_row_sizes(indptr, indices, data, log_rows, log_cols, offset, sizes):
    """Count each row's positive entries of ``log(x_ij) - log_rows[i] - log_cols[j] + offset``.

    Parameters
    ----------
    indptr : int32 or int64 ndarray, shape (n_rows + 1,)
    indices : int32 ndarray, shape (nnz,)
    data : float64 or float32 ndarray, shape (nnz,)
        The CSR counts (stored zeros give ``-inf`` and are never positive).
    log_rows : float64 ndarray, shape (n_rows,)
    log_cols : float64 ndarray, shape (n_cols,)
    offset : float
        Added to every entry (the smoothing normaliser minus the shift).
    sizes : int64 ndarray, shape (n_rows,)
        Filled.
    """
    for i in prange(indptr.shape[0] - 1):
        n = 0
        for p in range(indptr[i], indptr[i + 1]):
            if data[p] > 0 and np.log(np.float64(data[p])) - log_rows[i] - log_cols[indices[p]] + offset > 0:
                n += 1
        sizes[i] = n


@njit(cache=True, parallel=True)
def ppmi_fill(indptr, indices, data, log_rows, log_cols, offset, out_indptr, out_indices, out_data):
    """Write the positive entries counted by :func:`ppmi_row_sizes` as a CSR matrix.

    Parameters
    ----------
    indptr, indices, data, log_rows, log_cols, offset
        As for :func:`ppmi_row_sizes`.
    out_indptr : int ndarray, shape (n_rows + 1,)
        The cumulative row sizes.
    out_indices : int32 ndarray
    out_data : float32 or float64 ndarray
        Filled, columns ascending within each row as in the input.
    """
    for i in prange(indptr.shape[0] - 1):
        q = out_indptr[i]
        for p in range(indptr[i], indptr[i + 1]):
            if data[p] > 0:
                v = np.log(np.float64(data[p])) - log_rows[i] - log_cols[indices[p]] + offset
                if v > 0:
                    out_indices[q] = indices[p]
                    out_data[q] = v
                    q += 1
