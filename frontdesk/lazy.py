"""Imports that wait until first use, so a simple command or the desk's first paint does not pay for them.

``httpx`` (and, through its command-line extra, ``rich``) is needed only when the desk talks to dispatch,
which happens after the window is up or not at all (``frontdesk onsite``). keyring's own import names modules
that reading a password never uses (:mod:`frontdesk.secrets`): they wait too.

:func:`lazy_import` puts a stand-in in ``sys.modules``. An ``import`` statement naming the module finds the
stand-in and loads nothing (the import system reads only ``__spec__`` and the like, which the stand-in has);
the first use of anything else in it (``httpx.AsyncClient``, ``from urllib.request import getproxies``)
imports the real module through the import system, once, and the stand-in hands every use on to it from
then on. Not the stdlib's ``LazyLoader``: on Python 3.11 an ``import`` statement elsewhere makes it load at
once, and two threads that first use it together can find it half-executed; through the import system, the
second thread waits for the module's import lock as with any import.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType
from typing import Any

# What the import system reads from a module it finds in sys.modules: answered by the stand-in itself (from
# the module's spec) without loading it. And what PySide6's import hook looks at in every module named in an
# import statement after PySide6 is loaded (it reads the module's source file, looking for its __feature__):
# ``__dict__``, and ``__wrapped__``, which ``inspect`` asks for first (no module has one). The rest loads it.
_OWN = frozenset(
    {
        "__spec__",
        "__name__",
        "__loader__",
        "__package__",
        "__file__",
        "__cached__",
        "__class__",
        "__dict__",
        "__wrapped__",
    }
)
_REAL = "__lazy_real__"


def _real(stand_in: ModuleType) -> ModuleType:
    """The real module behind ``stand_in``, imported now if it was not yet."""
    namespace = ModuleType.__getattribute__(stand_in, "__dict__")
    real = namespace.get(_REAL)
    if real is None:
        name = namespace["__name__"]
        if sys.modules.get(name) is stand_in:
            sys.modules.pop(name, None)  # another thread may have taken it out first: both then import it
        # Under the module's import lock: a second thread waits for the whole module, and gets the same one.
        real = importlib.import_module(name)
        namespace[_REAL] = real
    return real


class _LazyModule(ModuleType):
    """A module not loaded yet (see the module's notes)."""

    def __getattribute__(self, attr: str) -> Any:
        if attr in _OWN:
            return ModuleType.__getattribute__(self, attr)
        return getattr(_real(self), attr)

    def __setattr__(self, attr: str, value: Any) -> None:
        setattr(_real(self), attr, value)

    def __delattr__(self, attr: str) -> None:
        delattr(_real(self), attr)

    def __dir__(self) -> list[str]:
        return dir(_real(self))


def lazy_import(name: str) -> ModuleType:
    """``name`` as a module that is loaded on its first use (see the module's notes).

    Already imported: the real module. Not installed: ImportError now, as a plain import would. A package's
    submodule (``urllib.request``) is also its package's attribute, as after a plain import.
    """
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)  # imports the parent package, if any
    if spec is None or spec.loader is None:
        raise ImportError(f"No module named {name!r}", name=name)
    # Not module_from_spec: an extension module's loader would load it to create it.
    module = ModuleType(name)
    module.__spec__, module.__loader__, module.__package__ = spec, spec.loader, spec.parent
    if spec.has_location:
        module.__file__, module.__cached__ = spec.origin, spec.cached
    module.__class__ = _LazyModule
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent:
        ModuleType.__setattr__(sys.modules[parent], child, module)
    return module


def is_loaded(name: str) -> bool:
    """True if ``name`` is imported for real (not only put off by :func:`lazy_import`)."""
    return name in sys.modules and not isinstance(sys.modules[name], _LazyModule)
