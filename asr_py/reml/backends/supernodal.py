"""CHOLMOD's supernodal factor read in place (no ``getfactor``), and its values dropped.

cvxopt's ``cholmod.getfactor`` turns the supernodal factor into a simplicial one and copies
it into an spmatrix: at its peak the supernodal values, the simplicial L and the copy
(8 + 2·16 bytes per entry of L) are alive together, and the factor object is consumed, so
the next solve needs a new symbolic analysis and numeric factorization. Its supernodal
layout is the one :class:`asr_py.reml.selinv.SelInvPlan` works in: supernode k has columns
``super[k]..super[k+1]-1``, row list ``s[pi[k]:pi[k+1]]`` (its own columns first) and its
values at ``x[px[k]:px[k+1]]``, a column-major (rows x columns) block. So L's values are
copied from ``x`` in one piece, and then dropped (``cholmod_l_change_factor`` to a supernodal
symbolic factor, which keeps the analysis: the next solve is one numeric factorization).

The factor is read through ctypes from the capsule cvxopt returns (``cholmod_factor`` of
CHOLMOD 3, long integers); :func:`view` checks what it reads (supernodal LL', long
integers, real double values, a consistent layout) and returns None otherwise, and the
caller then uses ``getfactor``.
"""

from __future__ import annotations

import ctypes
import functools
import glob
import os
from typing import NamedTuple

import numpy as np

_NAME = b"CHOLMOD FACTOR D L"
_c = ctypes.c_void_p
_z = ctypes.c_size_t
_i = ctypes.c_int


class _Factor(ctypes.Structure):
    """``cholmod_factor`` (CHOLMOD 3.0, cholmod_core.h)."""

    _fields_ = [("n", _z), ("minor", _z), ("Perm", _c), ("ColCount", _c), ("IPerm", _c),
                ("nzmax", _z), ("p", _c), ("i", _c), ("x", _c), ("z", _c), ("nz", _c),
                ("next", _c), ("prev", _c), ("nsuper", _z), ("ssize", _z), ("xsize", _z),
                ("maxcsize", _z), ("maxesize", _z), ("super", _c), ("pi", _c), ("px", _c),
                ("s", _c), ("ordering", _i), ("is_ll", _i), ("is_super", _i),
                ("is_monotonic", _i), ("itype", _i), ("xtype", _i), ("dtype", _i),
                ("useGPU", _i)]


CHOLMOD_LONG, CHOLMOD_REAL, CHOLMOD_DOUBLE, CHOLMOD_PATTERN = 2, 1, 0, 0


class Supernodal(NamedTuple):
    """Views (not copies) of a supernodal factor's arrays; valid while it is unchanged."""

    super: np.ndarray  # nsuper + 1 first columns
    pi: np.ndarray     # nsuper + 1 offsets into s
    px: np.ndarray     # nsuper + 1 offsets into x
    s: np.ndarray      # row lists
    x: np.ndarray      # values


def _pointer(factor: object) -> int | None:
    api = ctypes.pythonapi
    api.PyCapsule_IsValid.restype = ctypes.c_int
    api.PyCapsule_IsValid.argtypes = [ctypes.py_object, ctypes.c_char_p]
    if not api.PyCapsule_IsValid(factor, _NAME):
        return None
    api.PyCapsule_GetPointer.restype = ctypes.c_void_p
    api.PyCapsule_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    return api.PyCapsule_GetPointer(factor, _NAME)


def _array(ptr: int | None, size: int, ctype: type) -> np.ndarray:
    return np.ctypeslib.as_array(ctypes.cast(ptr, ctypes.POINTER(ctype)), shape=(size,))


def view(factor: object, n: int) -> Supernodal | None:
    """The supernodal arrays of a numeric CHOLMOD factor of an n x n matrix, or None when it
    is not one this module can read (then use ``getfactor``)."""
    ptr = _pointer(factor)
    if not ptr:
        return None
    f = _Factor.from_address(ptr)
    if not (f.n == n and f.is_super == 1 and f.is_ll == 1 and f.itype == CHOLMOD_LONG
            and f.xtype == CHOLMOD_REAL and f.dtype == CHOLMOD_DOUBLE and f.x and f.s
            and 0 < f.nsuper <= n):
        return None
    ns = int(f.nsuper)
    sup = _array(f.super, ns + 1, ctypes.c_int64)
    pi = _array(f.pi, ns + 1, ctypes.c_int64)
    px = _array(f.px, ns + 1, ctypes.c_int64)
    ncol, nrow = np.diff(sup), np.diff(pi)
    if not (sup[0] == 0 and sup[-1] == n and pi[0] == 0 and px[0] == 0 and np.all(ncol > 0)
            and np.all(nrow >= ncol) and pi[-1] <= f.ssize and px[-1] <= f.xsize
            and np.array_equal(np.diff(px), nrow * ncol)):
        return None
    s = _array(f.s, int(pi[-1]), ctypes.c_int64)
    x = _array(f.x, int(px[-1]), ctypes.c_double)
    return Supernodal(sup, pi, px, s, x)


def lower_pattern(sn: Supernodal) -> tuple[np.ndarray, np.ndarray]:
    """L's CSC pattern (indptr, int64 rows) as the supernodes store it: column super[k] + c
    holds rows ``s[pi[k] + c : pi[k+1]]`` (CHOLMOD's explicit zeros of relaxed supernodes
    included, as in ``getfactor``'s L)."""
    ncol, nrow = np.diff(sup := sn.super), np.diff(sn.pi)
    k = np.repeat(np.arange(ncol.size), ncol)  # supernode of each column
    c = np.arange(int(sup[-1])) - sup[k]  # column within its supernode
    cnt = nrow[k] - c
    indptr = np.r_[0, np.cumsum(cnt)].astype(np.int64)
    src = np.repeat(sn.pi[k] + c - indptr[:-1], cnt)
    src += np.arange(int(indptr[-1]))
    return indptr, np.asarray(sn.s[src], dtype=np.int64)


@functools.cache
def _library() -> tuple[ctypes.CDLL, ctypes.Array] | None:
    """cvxopt's own CHOLMOD library and a cholmod_common started for it (None if absent)."""
    try:
        import cvxopt

        libdir = os.path.join(os.path.dirname(cvxopt.__file__), os.pardir, "cvxopt.libs")
        found = glob.glob(os.path.join(libdir, "libcholmod*.so*"))
        if len(found) != 1:
            return None
        lib = ctypes.CDLL(found[0])
        common = ctypes.create_string_buffer(1 << 18)  # cholmod_common is a few kB
        lib.cholmod_l_start.argtypes = [ctypes.c_void_p]
        lib.cholmod_l_change_factor.argtypes = [_i] * 5 + [_c, _c]
        if not lib.cholmod_l_start(common):
            return None
        return lib, common
    except (OSError, AttributeError):
        return None


def drop_values(factor: object) -> bool:
    """Free a supernodal factor's numeric values, keeping its symbolic analysis (the next
    ``cholmod.numeric`` on it refactors without a new analysis). False when not done."""
    lib = _library()
    ptr = _pointer(factor)
    if lib is None or not ptr:
        return False
    f = _Factor.from_address(ptr)
    if not (f.is_super == 1 and f.itype == CHOLMOD_LONG):
        return False
    ok = lib[0].cholmod_l_change_factor(CHOLMOD_PATTERN, 1, 1, 1, 1, ctypes.c_void_p(ptr),
                                        lib[1])
    return bool(ok) and f.xtype == CHOLMOD_PATTERN and not f.x


class _Dense(ctypes.Structure):
    """``cholmod_dense`` (CHOLMOD 3.0, cholmod_core.h)."""

    _fields_ = [("nrow", _z), ("ncol", _z), ("nzmax", _z), ("d", _z), ("x", _c), ("z", _c),
                ("xtype", _i), ("dtype", _i)]


#: CHOLMOD's solve systems: x = A⁻¹b (CHOLMOD_A), x = L'⁻¹b (CHOLMOD_Lt)
SYS_A, SYS_LT = 0, 5


def solve_block(factor: object, b: np.ndarray, sys: int, out: np.ndarray) -> bool:
    """``out`` = CHOLMOD's ``cholmod_l_solve(sys, L, B)`` for all columns of ``b`` (n x k) in
    one call (the supernodal solve is blocked over the columns; cvxopt's ``cholmod.solve``
    loops over them one by one). False when the library or the factor cannot be used here."""
    lib = _library()
    ptr = _pointer(factor)
    if lib is None or not ptr:
        return False
    f = _Factor.from_address(ptr)
    if not (f.is_super == 1 and f.itype == CHOLMOD_LONG and f.xtype == CHOLMOD_REAL
            and f.dtype == CHOLMOD_DOUBLE and f.x):
        return False
    bf = np.asfortranarray(b, dtype=float)
    n, k = bf.shape
    dense = _Dense(n, k, n * k, n, bf.ctypes.data, None, CHOLMOD_REAL, CHOLMOD_DOUBLE)
    cl = lib[0]
    cl.cholmod_l_solve.restype = ctypes.POINTER(_Dense)
    cl.cholmod_l_solve.argtypes = [_i, _c, _c, _c]
    cl.cholmod_l_free_dense.argtypes = [ctypes.POINTER(ctypes.POINTER(_Dense)), _c]
    res = cl.cholmod_l_solve(sys, ctypes.c_void_p(ptr), ctypes.byref(dense), lib[1])
    if not res:
        return False
    try:
        x = res.contents
        if not (x.nrow == n and x.ncol == k and x.d == n and x.x):
            return False
        out[...] = np.ctypeslib.as_array(ctypes.cast(x.x, ctypes.POINTER(ctypes.c_double)),
                                         shape=(k, n)).T
    finally:
        cl.cholmod_l_free_dense(ctypes.byref(res), lib[1])
    return True
