"""The model is loaded once per process and can be switched off."""
from factcheck.pipeline import analyse_text
from factcheck.pipeline.nlp import get_nlp, load_nlp


def test_model_loaded_once_and_lean():
    nlp = load_nlp()
    assert nlp is not None and load_nlp() is nlp
    assert "parser" in nlp.pipe_names and "ner" not in nlp.pipe_names


def test_env_forces_rules(monkeypatch):
    monkeypatch.setenv("FACTCHECK_EXTRACTOR", "rules")
    assert get_nlp() is None
    assert analyse_text("Prices rose 3 percent in May.").extractor == "rules"
    monkeypatch.delenv("FACTCHECK_EXTRACTOR")
    assert analyse_text("Prices rose 3 percent in May.").extractor == "spacy"
