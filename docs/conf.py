"""Sphinx configuration of the sklearn_seq2seq documentation (built by ``bash scripts/docs.sh``)."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent / "_ext"))
os.environ.setdefault("MPLBACKEND", "Agg")

from sklearn_seq2seq import __version__  # noqa: E402

project = "sklearn_seq2seq"
author = "the sklearn_seq2seq developers"
copyright = "2026, the sklearn_seq2seq developers"
release = version = __version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "_ext", "_inventories", "Thumbs.db", ".DS_Store"]
root_doc = "index"

autosummary_generate = True
# members of our own base class are documented; those of scikit-learn's mixins are not (their docstrings
# cross-reference scikit-learn's own user guide)
autodoc_default_options = {
    "members": True,
    "inherited-members": "BaseEstimator,TransformerMixin,RegressorMixin,ClassNamePrefixFeaturesOutMixin,"
                         "OneToOneFeatureMixin,_SetOutputMixin,_MetadataRequester,object",
    "show-inheritance": False,
    # scikit-learn's generated metadata-routing setters (documented by scikit-learn itself)
    "exclude-members": "set_fit_request,set_partial_fit_request,set_score_request,set_predict_request,"
                       "set_transform_request,set_inverse_transform_request",
}
autodoc_typehints = "none"  # the numpydoc sections carry the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
myst_heading_anchors = 3

# Intersphinx inventories are read from files kept in the repository (docs/_inventories), so that the
# build needs no network; `python docs/_ext/refresh_inventories.py` re-downloads them where the sites
# are reachable.
INVENTORIES = Path(__file__).parent / "_inventories"
intersphinx_mapping = {
    "python": ("https://docs.python.org/3", str(INVENTORIES / "python.inv")),
    "numpy": ("https://numpy.org/doc/stable", str(INVENTORIES / "numpy.inv")),
    "sklearn": ("https://scikit-learn.org/stable", str(INVENTORIES / "sklearn.inv")),
    "torch": ("https://docs.pytorch.org/docs/stable", str(INVENTORIES / "torch.inv")),
    "skorch": ("https://skorch.readthedocs.io/en/stable", str(INVENTORIES / "skorch.inv")),
}

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r".*\.py$",  # run every example (they finish in seconds to a minute on 2 cores)
    "ignore_pattern": r"__init__\.py",
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "within_subsection_order": "FileNameSortKey",
}

html_theme = "pydata_sphinx_theme"
html_title = f"sklearn_seq2seq {version}"
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
}
html_static_path = []
