"""Write the intersphinx inventories the docs link with (docs/_inventories/*.inv), without network.

The build machines reach only package registries, not the documentation sites, so intersphinx cannot
download ``objects.inv`` files there. This script writes equivalent inventories from the installed
packages: every public class and function of the listed modules, with the URL each site uses for it
(the URL pattern each site uses for such pages). Run it after upgrading scikit-learn, torch or skorch:

    .venv/bin/python docs/_ext/make_inventories.py
"""

from __future__ import annotations

import importlib
import inspect
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "_inventories"


def _public(module_name: str):
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")]
    for name in sorted(set(names)):
        try:
            obj = getattr(module, name, None)
        except ImportError:  # experimental names (e.g. HalvingGridSearchCV) need an explicit opt-in
            continue
        if inspect.isclass(obj):
            yield f"{module_name}.{name}", "py:class"
        elif inspect.isfunction(obj) or inspect.isbuiltin(obj):
            yield f"{module_name}.{name}", "py:function"


def _write(name: str, project: str, version: str, entries: list[tuple[str, str, str]]) -> None:
    """Sphinx inventory format 2: a text header, then zlib-compressed ``name role prio uri dispname``."""
    header = f"# Sphinx inventory version 2\n# Project: {project}\n# Version: {version}\n" \
             "# The remainder of this file is compressed using zlib.\n"
    body = "".join(f"{full} {role} 1 {uri} -\n" for full, role, uri in sorted(set(entries)))
    (OUT / f"{name}.inv").write_bytes(header.encode() + zlib.compress(body.encode()))


def main() -> None:
    OUT.mkdir(exist_ok=True)
    import numpy
    import sklearn
    import skorch
    import torch

    sk = []
    for module in ("sklearn.base", "sklearn.pipeline", "sklearn.decomposition", "sklearn.linear_model",
                   "sklearn.model_selection", "sklearn.metrics", "sklearn.preprocessing", "sklearn.manifold",
                   "sklearn.datasets", "sklearn.utils", "sklearn.utils.validation", "sklearn.exceptions"):
        for full, role in _public(module):
            sk.append((full, role, f"modules/generated/{full}.html#{full}"))
    _write("sklearn", "scikit-learn", sklearn.__version__, sk)

    th = []
    for module in ("torch.nn", "torch.nn.functional", "torch.optim"):
        for full, role in _public(module):
            th.append((full, role, f"generated/{full}.html#{full}"))
    for name in ("load", "save", "compile", "inference_mode", "set_num_threads", "manual_seed"):
        th.append((f"torch.{name}", "py:function", f"generated/torch.{name}.html#torch.{name}"))
    _write("torch", "PyTorch", torch.__version__.split("+")[0], th)

    sc = [(f"skorch.net.{n}", "py:class", f"net.html#skorch.net.{n}") for n in ("NeuralNet",)]
    sc += [(f"skorch.{n}", "py:class", f"net.html#skorch.net.{n}") for n in ("NeuralNet",)]
    for full, role in _public("skorch.callbacks"):
        short = full.rsplit(".", 1)[1]
        sc.append((full, role, f"callbacks.html#skorch.callbacks.{short}"))
    sc.append(("skorch.history.History", "py:class", "history.html#skorch.history.History"))
    _write("skorch", "skorch", skorch.__version__, sc)

    np_entries = [("numpy.ndarray", "py:class", "reference/generated/numpy.ndarray.html#numpy.ndarray"),
                  ("numpy.random.RandomState", "py:class",
                   "reference/random/legacy.html#numpy.random.RandomState")]
    _write("numpy", "NumPy", numpy.__version__, np_entries)

    py = [(m, "py:module", f"library/{m}.html#module-{m}")
          for m in ("json", "datetime", "pickle", "zipfile", "warnings", "threading", "concurrent.futures")]
    py += [("json.loads", "py:function", "library/json.html#json.loads"),
           ("KeyboardInterrupt", "py:exception", "library/exceptions.html#KeyboardInterrupt"),
           ("ValueError", "py:exception", "library/exceptions.html#ValueError"),
           ("TypeError", "py:exception", "library/exceptions.html#TypeError")]
    _write("python", "Python", "3", py)
    print(f"wrote {sorted(p.name for p in OUT.glob('*.inv'))}")


if __name__ == "__main__":
    main()
