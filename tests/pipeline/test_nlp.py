"""The model is loaded once per process and can be switched off; parses are the same whatever runs beside them."""
import random
import threading

from factcheck.pipeline import analyse_text
from factcheck.pipeline import nlp as nlp_module
from factcheck.pipeline.nlp import get_nlp, load_nlp
from factcheck.pipeline.sentences import split_sentences


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


# ---------------------------------------------------------------------------------------------
# parse_texts holds OpenBLAS to one thread for the parse; requests parsing at once must get
# exactly what each would get alone, and the thread count must come back afterwards.


def parse_signature(docs):
    """Everything the pipeline reads from a parse, plus the tok2vec output bit for bit."""
    return [([(t.text, t.tag_, t.dep_, t.head.i) for t in doc], doc.tensor.tobytes()) for doc in docs]


def fixture_sentences(tools):
    sentences = []
    for path in sorted(tools.fixtures.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        sentences += [text[s:e] for s, e in split_sentences(text)]
    return sentences


def invented_words(rng, n):
    """Words no vocabulary has seen, so tokenizing them adds lexemes and strings."""
    return " ".join("".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(rng.randint(4, 11)))
                    for _ in range(n))


def test_concurrent_parses_match_each_parse_alone(tools):
    nlp = load_nlp()
    base = fixture_sentences(tools)
    assert len(base) > 100
    jobs = []
    for seed in range(6):
        rng = random.Random(seed)
        jobs.append([f"{s} {invented_words(rng, 3)}" for s in rng.sample(base, 50)])
    results: dict[int, list] = {}
    errors = []

    def work(k):
        try:
            for _ in range(3):
                results.setdefault(k, []).append(parse_signature(nlp_module.parse_texts(nlp, jobs[k])))
        except Exception as error:  # reported below: a thread's exception does not fail the test by itself
            errors.append(error)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for k, job in enumerate(jobs):
        alone = parse_signature(nlp_module.parse_texts(nlp, job))
        assert results[k] == [alone] * 3


def test_blas_limit_holds_in_any_thread_and_is_restored():
    threads = nlp_module.openblas_threads()
    if threads is None:
        return  # no OpenBLAS with a process-wide pool: the model keeps BLIS and nothing is limited
    get, _put = threads
    before = get()
    seen = []
    entered, release = threading.Event(), threading.Event()

    def other():
        with nlp_module.single_threaded_blas():
            seen.append(get())
            entered.set()
            release.wait(5)
        seen.append(get())

    with nlp_module.single_threaded_blas():
        helper = threading.Thread(target=other)
        helper.start()
        assert entered.wait(5)
        seen.append(get())
    release.set()  # the other thread leaves last and must put the count back
    helper.join()
    assert seen == [1, 1, before]
    assert get() == before


def test_model_uses_numpy_products_when_the_thread_count_can_be_held():
    ops = load_nlp().get_pipe("tok2vec").model.ops
    assert ops.use_blis == (nlp_module.openblas_threads() is None)
