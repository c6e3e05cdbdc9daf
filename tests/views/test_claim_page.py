from factcheck.templating import change


def test_history_values_read_as_words():
    assert change([None, 1], "assignee_id") == "— → 1"
    assert change(["new", "triaged"], "status") == "new → triaged"
    assert change([5, 6], "into") == "5, 6"
    assert change("The bridge cost $2.6 million.", "text") == "The bridge cost $2.6 million."
