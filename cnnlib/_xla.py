"""Compiler options for cnnlib's own top-level ``jit`` calls on a CPU.

On a CPU, XLA's default fusion emitters take two to three times longer to
compile a small convolutional program than its classic loop emitters, and the
programs run about as fast (measured with ``make bench``; the results were
bit-identical for the convolutions and for 61 training steps of LeNet). A
student's first call is mostly compiling, so cnnlib compiles the functions it
calls at the top level (an eager ``conv2d(method="lax")``, one training step)
with the classic emitters.

JAX accepts compiler options only on a top-level ``jit``: inside a caller's
``jit``, ``grad``, ``scan`` or ``vmap`` the call becomes part of the enclosing
computation, and the defaults are used. On other backends nothing changes.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import jax

__all__ = ["CPU_OPTIONS", "cpu_jit", "default_is_cpu", "no_trace_active"]

#: What cnnlib's top-level jits use on a CPU.
CPU_OPTIONS = {"xla_cpu_use_fusion_emitters": False}


@cache
def default_is_cpu() -> bool:
    """Is JAX's default backend the CPU (decided once per process)?"""
    return jax.default_backend() == "cpu"


try:  # JAX has no public "is anything being traced right now?"; without this one, never use the options
    from jax._src.core import trace_state_clean as no_trace_active
except ImportError:  # pragma: no cover - a JAX without it
    def no_trace_active() -> bool:
        return False


def cpu_jit(fun: Callable[..., Any], **jit_kwargs: Any) -> Callable[..., Any]:
    """``jax.jit(fun, **jit_kwargs)``, compiled with :data:`CPU_OPTIONS` when called at the top level on a CPU.

    The returned function keeps both jitted versions: ``.default`` (any
    backend, and inside a trace) and ``.cpu``; ``._cache_size()`` counts the
    compiled programs of both, as ``jax.jit``'s does.
    """
    default = jax.jit(fun, **jit_kwargs)
    cpu = jax.jit(fun, **jit_kwargs, compiler_options=CPU_OPTIONS)

    def call(*args: Any, **kwargs: Any) -> Any:
        return (cpu if default_is_cpu() and no_trace_active() else default)(*args, **kwargs)

    call.default, call.cpu = default, cpu
    call._cache_size = lambda: default._cache_size() + cpu._cache_size()
    call.__doc__, call.__name__ = fun.__doc__, getattr(fun, "__name__", "cpu_jit")
    return call
