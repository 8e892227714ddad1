"""scikit-learn's estimator checks over every public estimator, with no expected failures."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_seq2seq import Seq2SeqRegressor, Seq2SeqTransformer, SequenceScaler

# Small networks keep the ~50 fits per estimator fast; training length is the default
# (max_epochs="auto"), which the checks' learning test (a regressor must reach R^2 > 0.5 on its
# training data) needs.
ESTIMATORS = [
    Seq2SeqTransformer(n_components=4, hidden_size=16, random_state=0),
    Seq2SeqRegressor(n_components=8, hidden_size=16, random_state=0),
    SequenceScaler(),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
