"""Scale-out: hyper-parameter search on a real Dask cluster (processes) through joblib's dask backend."""

import time

import joblib
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.pipeline import make_pipeline

from sklearn_seq2seq import Seq2SeqRegressor, Seq2SeqTransformer

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    # two worker processes of one thread each, started here and shut down after the module's tests;
    # a real cluster is used the same way: Client("tcp://scheduler:8786") instead of the LocalCluster
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=50) as cluster, distributed.Client(cluster) as dask_client:
        yield dask_client


def _search(X, y):
    pipe = make_pipeline(Seq2SeqTransformer(hidden_size=16, max_epochs=5, random_state=0),
                         LogisticRegression(max_iter=1000))
    grid = {"seq2seqtransformer__n_components": [4, 8], "seq2seqtransformer__readout": ["pool", "last"]}
    return GridSearchCV(pipe, grid, cv=2)


def test_grid_search_on_a_dask_cluster_matches_the_local_run(client, digits):
    X, y = digits[0][:200], digits[1][:200]
    start = time.perf_counter()
    local = _search(X, y).fit(X, y)
    local_s = time.perf_counter() - start
    start = time.perf_counter()
    with joblib.parallel_backend("dask"):
        on_dask = _search(X, y).set_params(n_jobs=-1).fit(X, y)
    dask_s = time.perf_counter() - start
    print(f"GridSearchCV, 8 fits: local {local_s:.1f} s, Dask (2 worker processes) {dask_s:.1f} s")
    assert on_dask.best_params_ == local.best_params_
    np.testing.assert_allclose(on_dask.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"], atol=1e-9)
    # the fits ran in the cluster's worker processes
    assert len(client.scheduler_info()["workers"]) == 2


def test_randomized_search_of_a_regressor_on_dask(client, waves):
    y = waves[:, -3:, 0]
    search = RandomizedSearchCV(Seq2SeqRegressor(hidden_size=8, max_epochs=3, random_state=0),
                                {"n_components": [2, 4, 8], "lr": [1e-3, 3e-3]}, n_iter=3, cv=2, random_state=0)
    with joblib.parallel_backend("dask"):
        search.fit(waves, y)
    assert np.isfinite(search.best_score_) and search.best_estimator_.predict(waves[:2]).shape == (2, 3)
