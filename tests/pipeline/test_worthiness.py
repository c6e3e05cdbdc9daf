"""Check-worthiness: factual, numeric claims score above opinions, questions and appeals."""
from factcheck.pipeline.worthiness import score_claim


def test_numeric_factual_claim_is_checkworthy_with_reasons():
    result = score_claim("Unemployment fell to 4.1 percent in June 2024, the lowest rate since 2001.")
    assert result.score >= 0.5
    assert "number" in result.reasons and "date" in result.reasons


def test_opinion_question_and_call_to_action_are_not():
    for text in ("I think this is a wonderful country.", "What should other farmers do?",
                 "Please join us and vote on Tuesday.", "Thank you very much."):
        assert score_claim(text).score < 0.5, text


def test_scores_rank_sensibly():
    fact = score_claim("The state spent $2.3 billion on prisons in 2019.").score
    vague = score_claim("We are going to do great things together.").score
    assert 0.0 <= vague < fact <= 1.0
