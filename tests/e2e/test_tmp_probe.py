import pytest
from tests.e2e.test_accessibility import PAGES, scene, signed_in  # noqa: F401

def test_probe(desk, scene, signed_in):
    for name, (who, address) in PAGES.items():
        page = desk.page_for(who or "visitor", storage_state=signed_in.get(who), viewport={"width": 320, "height": 800})
        page.goto(address(scene))
        print("\n==", name, page.evaluate("""() => { const W = document.documentElement.clientWidth; const out = [];
          document.querySelectorAll('body *').forEach(e => { const r = e.getBoundingClientRect();
            if (r.right > W + 1 && r.width > 0) out.push(e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className + ' ' + Math.round(r.left) + '-' + Math.round(r.right) + ' ' + (e.innerText||'').slice(0,40) + ' ws=' + getComputedStyle(e).whiteSpace); });
          return out.slice(0, 12); }"""))

def test_shots(desk, scene, signed_in):
    page = desk.page_for("editor", storage_state=signed_in["editor"], viewport={"width": 320, "height": 800})
    page.goto("/claims/")
    page.screenshot(path="/tmp/q320.png", full_page=True)
    page.goto(f"/claims/{scene['published']}")
    page.screenshot(path="/tmp/c320.png", full_page=False)
