"""The import form over HTTP: a refused import keeps the form and says where to go next."""
import re

from factcheck.models import Role
from tests.factories import make_article


def test_an_article_already_on_the_desk_is_refused_with_a_link_to_the_earlier_import(auth, session):
    earlier = make_article(session, title="Bridge story")
    earlier.url = "https://news.example.com/bridge"
    session.add(earlier)
    session.commit()
    auth.login(Role.REVIEWER)
    response = auth.post("/articles/import", {"title": "Bridge story, again", "url": "https://news.example.com/bridge",
                                              "text": "The mayor said the bridge cost $2.6 million."})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "already imported as #" in html
    assert re.search(rf'<a href="/articles/{earlier.id}">[^<]*#{earlier.id}</a>', html)
    assert 'value="Bridge story, again"' in html  # the form keeps what was typed


def test_a_refusal_that_is_not_a_duplicate_links_to_no_earlier_import(auth):
    auth.login(Role.REVIEWER)
    html = auth.post("/articles/import", {"title": "Nothing"}).get_data(as_text=True)
    assert "Paste the article text or choose a file." in html and 'id="earlier-import"' not in html
