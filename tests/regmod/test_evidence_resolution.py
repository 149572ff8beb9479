"""Subject resolution fails closed, and preview tokens bind tenant, request and expiry."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from regmod.evidence import Candidate, PreviewSigner, RefusalReason, ResolutionPolicy, decide

POLICY = ResolutionPolicy(min_probability=0.99, min_margin=6.0)

weights = st.floats(min_value=-50, max_value=50, allow_nan=False)
probabilities = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@given(st.lists(st.tuples(weights, probabilities), min_size=1, max_size=6))
def test_an_accepted_subject_is_confident_and_clearly_ahead(
    scored: list[tuple[float, float]],
) -> None:
    ranked = sorted(scored, reverse=True)
    candidates = [Candidate(f"id{i}", w, p) for i, (w, p) in enumerate(ranked)]
    resolution = decide(candidates, POLICY)
    if resolution.idnr is not None:
        assert resolution.idnr == "id0"
        assert candidates[0].match_probability >= POLICY.min_probability
        if len(candidates) > 1:
            assert candidates[0].match_weight - candidates[1].match_weight >= POLICY.min_margin
    else:
        assert resolution.reason is RefusalReason.SUBJECT_AMBIGUOUS
        assert "IDNr" in resolution.detail


def test_no_candidate_is_not_found() -> None:
    assert decide([], POLICY).reason is RefusalReason.SUBJECT_NOT_FOUND


def test_a_runner_up_just_behind_makes_the_subject_ambiguous() -> None:
    close = [Candidate("a", 30.0, 0.99999), Candidate("b", 25.0, 0.9999)]
    assert decide(close, POLICY).reason is RefusalReason.SUBJECT_AMBIGUOUS


@given(st.text(min_size=1, max_size=20), st.text(min_size=1, max_size=20))
def test_a_preview_token_holds_only_for_its_own_request(tenant: str, request_id: str) -> None:
    signer = PreviewSigner(b"k" * 32)
    token = signer.issue(tenant, request_id, expires_at=2_000)
    assert signer.check(token, tenant, request_id, now=1_000)
    assert not signer.check(token, tenant, request_id, now=2_001)
    assert not signer.check(token, tenant + "x", request_id, now=1_000)
    assert not signer.check(token, tenant, request_id + "x", now=1_000)
    assert not PreviewSigner(b"j" * 32).check(token, tenant, request_id, now=1_000)
