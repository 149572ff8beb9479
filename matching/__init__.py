"""A domain-free record-linkage engine on Polars: blocking, comparisons, Fellegi–Sunter, assignment."""

from matching.blocking import (
    BlockingReport,
    RuleCount,
    analyse_blocking,
    block,
    block_partition,
    iter_partitions,
    rule_agreement,
)
from matching.comparisons import compare, compute_levels
from matching.errors import BlockingExplosionError, MatchingError, SpecError
from matching.explain import explain_row, waterfall
from matching.gamma import NULL_LEVEL, gamma_column, tf_column
from matching.levels import (
    DateColumns,
    DateLevel,
    ElseLevel,
    ExactLevel,
    LevelKind,
    ListOverlapLevel,
    NullLevel,
    NumericLevel,
    SimilarityLevel,
    register_level,
)
from matching.linker import Linker
from matching.model import ComparisonParameters, Parameters, TrainedModel
from matching.preparation import PreparedFrames, prepare
from matching.scoring import match_probability, predict, score, weight_components
from matching.spec import (
    BlockingRule,
    Comparison,
    LinkageSpec,
    TermFrequencyAdjustment,
    Thresholds,
    Training,
    block_on,
    date_comparison,
    exact_comparison,
    string_comparison,
)
from matching.term_frequencies import add_term_frequencies, attach_term_frequencies
from matching.training import train, train_from_labels

__all__ = [
    "NULL_LEVEL",
    "BlockingExplosionError",
    "BlockingReport",
    "BlockingRule",
    "Comparison",
    "ComparisonParameters",
    "DateColumns",
    "DateLevel",
    "ElseLevel",
    "ExactLevel",
    "LevelKind",
    "LinkageSpec",
    "Linker",
    "ListOverlapLevel",
    "MatchingError",
    "NullLevel",
    "NumericLevel",
    "Parameters",
    "PreparedFrames",
    "RuleCount",
    "SimilarityLevel",
    "SpecError",
    "TermFrequencyAdjustment",
    "Thresholds",
    "TrainedModel",
    "Training",
    "add_term_frequencies",
    "analyse_blocking",
    "attach_term_frequencies",
    "block",
    "block_on",
    "block_partition",
    "compare",
    "compute_levels",
    "date_comparison",
    "exact_comparison",
    "explain_row",
    "gamma_column",
    "iter_partitions",
    "match_probability",
    "predict",
    "prepare",
    "register_level",
    "rule_agreement",
    "score",
    "string_comparison",
    "tf_column",
    "train",
    "train_from_labels",
    "waterfall",
    "weight_components",
]
