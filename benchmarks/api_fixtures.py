"""Shared by the API benchmark and the API tests: a German model with fixed parameters.

Speed does not depend on the parameter values, and tests need weights they can reason about, so
neither trains: exact levels are strong evidence, ``else`` is evidence against.
"""

from __future__ import annotations

from matching.model import ComparisonParameters, Parameters, TrainedModel
from regmod.linkage import german_spec


def hand_set_model(prior: float = 1e-5) -> TrainedModel:
    """The German spec with fixed m/u: level 0 (exact) strongest, the last level (else) against."""
    spec = german_spec()
    comparisons = {}
    for comparison in spec.comparisons:
        levels = len(comparison.agreement_levels)
        m = [0.9 if i == 0 else 0.1 / levels for i in range(levels)]
        u = [10.0 ** -(levels - i) for i in range(levels - 1)] + [0.9]
        comparisons[comparison.name] = ComparisonParameters(m=m, u=u)
    return TrainedModel(spec=spec, parameters=Parameters(prior=prior, comparisons=comparisons))
