"""``frontdesk.lazy.lazy_import``: an import statement loads nothing, the first use loads the module once through
the import system, and a second thread that uses it meanwhile waits for the whole module.

The modules are real files in the test's folder (each test its own names), imported for real.
"""

from __future__ import annotations

import sys
import threading

import pytest

from frontdesk.lazy import is_loaded, lazy_import


@pytest.fixture
def modules(tmp_path, monkeypatch, request):
    """Write modules (name -> source) under a prefix of this test's own; each records its runs in ``runs``."""
    prefix = f"lazyprobe_{request.node.name.replace('[', '_').replace(']', '_')}"
    runs: list[str] = []
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(sys.modules, f"{prefix}_runs", runs)  # the modules' bodies append their names here

    def write(name: str, body: str = "") -> str:
        full = f"{prefix}{name}"
        path = tmp_path.joinpath(*full.split("."))
        if "." in full:
            path.parent.mkdir(parents=True, exist_ok=True)
            init = path.parent / "__init__.py"
            if not init.exists():
                init.write_text("")
        path.with_suffix(".py").write_text(
            f"import sys\nsys.modules[{prefix + '_runs'!r}].append(__name__)\n{body}"
        )
        return full

    yield write, runs
    for name in [m for m in sys.modules if m.startswith(prefix)]:
        del sys.modules[name]


def test_an_import_statement_loads_nothing_and_the_first_use_loads_it_once(modules):
    write, runs = modules
    name = write("plain", "VALUE = 42\n")
    lazy = lazy_import(name)
    import PySide6.QtCore  # noqa: F401 - its import hook looks at each module named in an import statement

    exec(f"import {name}\nimport {name} as again")  # what keyring's modules do with the modules put off
    assert runs == [] and not is_loaded(name)
    assert lazy.VALUE == 42
    assert runs == [name] and is_loaded(name) and sys.modules[name].VALUE == 42
    exec(f"from {name} import VALUE")
    lazy.OTHER = 1  # handed on to the real module, as a plain module would keep it
    assert sys.modules[name].OTHER == 1 and runs == [name]
    assert lazy_import(name) is sys.modules[name]  # already imported: the real module


def test_a_submodule_put_off_is_its_packages_attribute(modules):
    write, runs = modules
    name = write(".sub", "VALUE = 'sub'\n")
    package = name.rpartition(".")[0]
    lazy_import(name)
    namespace: dict = {}
    exec(f"import {name}\nresult = {name}.VALUE", namespace)  # ``import a.b`` then ``a.b.x``: jaraco.context's way
    assert namespace["result"] == "sub"
    assert runs == [name] and sys.modules[package].sub is sys.modules[name]


def test_not_installed_fails_at_once():
    with pytest.raises(ImportError):
        lazy_import("frontdesk_no_such_module_anywhere")


def test_a_second_thread_waits_for_the_whole_module(modules):
    # The first user's thread is held inside the module's body (before VALUE is defined) until the second
    # thread has asked for VALUE too: with Python 3.11's LazyLoader the second found the module half-executed.
    write, runs = modules
    gate = write("gate", "import threading\nentered = threading.Event()\nrelease = threading.Event()\n")
    name = write("slow", f"import {gate} as gate\ngate.entered.set()\ngate.release.wait(30)\nVALUE = 'whole'\n")
    lazy = lazy_import(name)
    gate_module = __import__(gate)
    seen: dict[str, object] = {}
    asking = threading.Event()

    def use(key: str) -> None:
        if key == "second":
            asking.set()
        try:
            seen[key] = lazy.VALUE
        except BaseException as exc:  # noqa: BLE001 - what the thread saw is the result
            seen[key] = exc

    first = threading.Thread(target=use, args=("first",))
    first.start()
    assert gate_module.entered.wait(30)
    second = threading.Thread(target=use, args=("second",))
    second.start()
    assert asking.wait(30)
    gate_module.release.set()
    first.join(30)
    second.join(30)
    assert seen == {"first": "whole", "second": "whole"}
    assert runs.count(name) == 1
