"""Seq2SeqClassifier on the development suite, with all labels and with few, beside the references.

For every classification set of the suite (``_real_datasets.SUITE``) and digits, in one run, each on
the set's own train/test split (accuracy on the test split, fit seconds):

- **all labels**: ``classifier``, ``Seq2SeqClassifier(random_state=0)``; ``encodings``,
  ``Seq2SeqTransformer(n_components=32, random_state=0)`` + ``StandardScaler`` +
  ``LogisticRegression``; ``minirocket``, aeon's MiniRocket + the same head; ``vote_of_2``, the user
  guide's way to buy accuracy with fit time: one pretraining
  (``Seq2SeqClassifier(random_state=0).pretrain_autoencoder``), then a soft ``VotingClassifier`` of
  ``Seq2SeqClassifier`` of seeds 0 and 1 started from it;
- **few labels**: a stratified 10% of the training labels (on digits: the first 60 training images,
  as in the issue), the other training sequences unlabelled (``-1``): ``classifier`` fitted on all
  training sequences; ``minirocket``, ``raw`` (flattened values, standardised) + ``LogisticRegression``
  and ``1-NN`` on raw values, fitted on the labelled ones only (they cannot use the others);
  ``encodings``, the same ``Seq2SeqTransformer`` fitted on every training sequence, then
  ``StandardScaler`` + ``LogisticRegression`` fitted on the labelled ones' encodings;
  ``label_spreading``, :class:`~sklearn.semi_supervised.LabelSpreading` (k-NN kernel) on standardised
  raw values with every training sequence.

Variable-length series are zero-padded to the longest training series for the contenders that need
one length (ours reads them as they are). MiniRocket is timed after a first call that compiles it.
With ``--seeds N`` the contenders that have a ``random_state`` (ours and MiniRocket) run with seeds 0
to N - 1 (raw values, 1-NN and ``LabelSpreading`` once; the labelled 10% stay the same), and a table
of each one's mean over the seeds follows (in the JSON: ``summary``).

    pip install -e '.[bench]' -c constraints.txt
    python benchmarks/classification.py                  # everything (about 15 minutes on 2 cores)
    python benchmarks/classification.py --data digits --regime few
    python benchmarks/classification.py --regime few --only encodings --out results/classification_few_encodings.json
    python benchmarks/classification.py --quick          # Coffee, 3 epochs
    python benchmarks/classification.py --regime all --only classifier --seeds 3   # mean over seeds 0-2
"""

from __future__ import annotations

import json
import time

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.ensemble import VotingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.semi_supervised import LabelSpreading

from _cli import add_seeds, machine_line, make_parser, over_seeds, print_over_seeds, write_result
from _datasets import split
from _real_datasets import SUITE
from encoding_quality import data_set, flatten, minirocket, padded
from sklearn_seq2seq import Seq2SeqClassifier, Seq2SeqTransformer

SETS = [name for name, (task, *_) in SUITE.items() if task == "classification"] + ["digits"]
REGIMES = ("all", "few")
#: Contenders without a ``random_state``: run once, whatever ``--seeds`` says.
SEEDLESS = ("raw", "1-NN", "label_spreading")
#: The fraction of training labels kept in the few-labels regime (digits: the first 60 images).
FEW_FRACTION = 0.1


def few_labels(name: str, y_train: np.ndarray) -> np.ndarray:
    """Which training sequences keep their label in the few-labels regime."""
    keep = np.zeros(len(y_train), dtype=bool)
    if name == "digits":
        keep[:60] = True
        return keep
    n_classes = len(np.unique(y_train))
    n_keep = max(int(round(FEW_FRACTION * len(y_train))), n_classes)
    index, _ = train_test_split(np.arange(len(y_train)), train_size=n_keep, stratify=y_train, random_state=0)
    keep[index] = True
    return keep


def linear(*steps):
    return make_pipeline(*steps, StandardScaler(), LogisticRegression(max_iter=5000))


class LabelledHead(ClassifierMixin, BaseEstimator):
    """An encoder fitted on every training sequence, and ``linear`` fitted on the encodings of the
    labelled ones (``-1`` marks the others): the two-step alternative to a semi-supervised classifier."""

    def __init__(self, encoder):
        self.encoder = encoder

    def fit(self, X, y):
        y = np.asarray(y)
        labelled = y >= 0
        self.encoder_ = clone(self.encoder).fit(X)
        self.head_ = linear().fit(self.encoder_.transform(X)[labelled], y[labelled])
        return self

    def predict(self, X):
        return self.head_.predict(self.encoder_.transform(X))


class VoteFromOnePretraining(ClassifierMixin, BaseEstimator):
    """The user guide's recipe: one pretraining, then a soft vote of ``n_members`` classifiers of seeds
    ``random_state``, ``random_state + 1``, ... started from it (fully labelled data only)."""

    def __init__(self, params: dict, n_members: int = 2):
        self.params = params
        self.n_members = n_members

    def fit(self, X, y):
        seed = self.params["random_state"]
        pretraining = FrozenEstimator(Seq2SeqClassifier(**self.params).pretrain_autoencoder(X))
        members = [(f"seed{seed + i}", Seq2SeqClassifier(**{**self.params, "random_state": seed + i},
                                                         pretrained=pretraining)) for i in range(self.n_members)]
        self.vote_ = VotingClassifier(members, voting="soft").fit(X, y)
        return self

    def predict(self, X):
        return self.vote_.predict(X)


def contenders(regime: str, params: dict, seed: int = 0) -> dict:
    """name -> (estimator, needs one length, trains on unlabelled sequences too), with ``random_state=seed``"""
    ours = {"random_state": seed, **params}
    # the encodings are the pipeline (32 components) unless params name another size
    transformer_params = {"n_components": 32,
                          **{name: value for name, value in ours.items() if name in Seq2SeqTransformer().get_params()}}
    if regime == "all":
        return {"classifier": (Seq2SeqClassifier(**ours), False, False),
                "encodings": (linear(Seq2SeqTransformer(**transformer_params)), False, False),
                "minirocket": (linear(*minirocket(seed)), True, False),
                "vote_of_2": (VoteFromOnePretraining(ours), False, False)}
    return {"classifier": (Seq2SeqClassifier(**ours), False, True),
            "minirocket": (linear(*minirocket(seed)), True, False),
            "encodings": (LabelledHead(Seq2SeqTransformer(**transformer_params)), False, True),
            "raw": (linear(FunctionTransformer(flatten)), True, False),
            "1-NN": (make_pipeline(FunctionTransformer(flatten), KNeighborsClassifier(1)), True, False),
            "label_spreading": (make_pipeline(FunctionTransformer(flatten), StandardScaler(),
                                              LabelSpreading(kernel="knn", n_neighbors=7)), True, True)}


def run(estimator, data, keep: np.ndarray | None, fixed: bool, unlabelled: bool) -> tuple[float, float]:
    """Fit on the training split (all of it with ``-1`` for the sequences not kept when ``unlabelled``,
    else only those kept): (test accuracy, fit seconds)."""
    X_train, X_test, y_train, y_test = data
    if fixed:
        n_steps = max(len(x) for x in X_train) if isinstance(X_train, list) else None
        X_train, X_test = padded(X_train, n_steps), padded(X_test, n_steps)
    classes, y_index = np.unique(y_train, return_inverse=True)  # -1 needs numeric labels
    y_fit = y_index
    if keep is not None and unlabelled:
        y_fit = np.where(keep, y_index, -1)
    elif keep is not None:
        X_train = [x for x, k in zip(X_train, keep) if k] if isinstance(X_train, list) else X_train[keep]
        y_fit = y_index[keep]
    start = time.perf_counter()
    estimator.fit(X_train, y_fit)
    seconds = time.perf_counter() - start
    return float(np.mean(classes[estimator.predict(X_test)] == y_test)), seconds


def main() -> None:
    parser = make_parser(__doc__, "classification", quick_help="Coffee, 3 epochs")
    parser.add_argument("--data", action="append", default=[], help=f"data set (repeatable): {', '.join(SETS)}")
    parser.add_argument("--regime", action="append", default=[], choices=REGIMES, help="all or few (repeatable)")
    parser.add_argument("--params", default="{}",
                        help="JSON dict of parameters for our estimators (the transformer takes those it has)")
    parser.add_argument("--only", action="append", default=[], help="contender (repeatable): only these")
    add_seeds(parser)
    args = parser.parse_args()
    params = json.loads(args.params)
    names, regimes = args.data or SETS, args.regime or list(REGIMES)
    if args.quick:
        names, params = ["Coffee"], {**params, "max_epochs": 3}
    # MiniRocket compiles on its first call, for uni- and multivariate series apart (--quick runs Coffee only)
    for warm_up in ("Coffee",) if args.quick else ("Coffee", "digits60"):
        data = data_set(warm_up)[:4]
        run(linear(*minirocket()), data, None, True, False)
    print(machine_line(), "params", params)
    rows = []
    for name in names:
        data = split("digits") if name == "digits" else data_set(name)[:4]
        for regime in regimes:
            keep = None if regime == "all" else few_labels(name, np.asarray(data[2]))
            for seed in range(args.seeds):
                for contender, (estimator, fixed, unlabelled) in contenders(regime, params, seed).items():
                    if (args.only and contender not in args.only) or (seed > 0 and contender in SEEDLESS):
                        continue
                    accuracy, seconds = run(estimator, data, keep, fixed, unlabelled)
                    rows.append({"data": name, "regime": regime, "contender": contender, "seed": seed,
                                 "n_labelled": int(len(data[2]) if keep is None else keep.sum()),
                                 "accuracy": round(accuracy, 4), "fit_s": round(seconds, 2)})
                    print(f"{name:9s} {regime:4s} {contender:16s} accuracy {accuracy:.4f}  fit {seconds:7.1f} s  "
                          f"seed {seed}", flush=True)
    summary = over_seeds(rows, ("data", "regime", "contender"), "accuracy")
    if args.seeds > 1:
        print_over_seeds(summary, ("data", "regime", "contender"), "accuracy")
    write_result(args.out, {"params": params, "seeds": args.seeds, "rows": rows, "summary": summary})


if __name__ == "__main__":
    main()
