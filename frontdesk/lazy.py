"""Imports that wait until first use, so a simple command or the desk's first paint does not pay for them.

``httpx`` (and, through its command-line extra, ``rich``) is needed only when the desk talks to dispatch,
which happens after the window is up or not at all (``frontdesk onsite``). Not for packages whose users
import their submodules first and compare classes (``keyring``: a backend class loaded twice is not the
same class).
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_import(name: str) -> ModuleType:
    """``name`` as a module that is loaded on its first attribute access (the stdlib's ``LazyLoader``).

    Already imported: the real module. Not installed: ImportError now, as a plain import would.
    """
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"No module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
