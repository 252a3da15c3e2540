"""Numba's compiler, as the compiled epoch uses it: cached on disk where it may be.

Numba is imported here (it takes about a second, so only a run that may use the compiled
epoch imports this module); without it, ``numba`` is None and training takes NumPy's step.
"""
try:
    import numba
except ImportError:  # NumPy's step does the same work, more slowly
    numba = None

CACHE_PROBLEM = ""   # why Numba could not cache on disk ("" while it can)


def compile_or_why(fn, **options):
    """(``fn`` compiled by Numba, cached on disk if it may; "" or why it could not be cached)."""
    if numba is None:
        return fn, ""
    # "contract" lets a * b + c be one fused multiply-add; no flag that assumes finite numbers,
    # so a diverging run still produces the inf and NaN that training.train detects.
    options.update(fastmath={"contract", "reassoc", "nsz", "arcp"})
    try:
        return numba.njit(cache=True, **options)(fn), ""
    except RuntimeError as exc:  # "cannot cache function ...: no locator available ..."
        return numba.njit(cache=False, **options)(fn), str(exc)


def jit(fn, **options):
    """``fn`` compiled (``numba.njit``); why it could not be cached goes to CACHE_PROBLEM."""
    global CACHE_PROBLEM
    compiled, why = compile_or_why(fn, **options)
    CACHE_PROBLEM = CACHE_PROBLEM or why
    return compiled


def inline(fn):
    """``jit``, and Numba pastes ``fn`` into the compiled function that calls it."""
    return jit(fn, inline="always")
