from __future__ import annotations

from lxml import etree

from app.rendering.svg import SVG, XLINK, safe_link, sanitize

EVIL = f"""<?xml version="1.0"?>
<?xml-stylesheet href="evil.css"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="{SVG}" xmlns:xlink="{XLINK}" width="10pt" height="10pt" viewBox="0 0 10 10" onload="alert(1)">
<!-- a comment -->
<script>alert(1)</script>
<g id="graph0" style="background:url(javascript:alert(1))">
<a xlink:href="javascript:alert(1)" xlink:title="t"><text onclick="x()" x="1" y="2">hi</text></a>
<a xlink:href="https://example.com/ok" target="_top"><path d="M0 0"/></a>
<a href="/graphs/acme?focus=x"><rect x="0" y="0" width="1" height="1"/></a>
<a href="//evil.example/x"><circle r="1"/></a>
<foreignObject><div>html</div></foreignObject>
<image xlink:href="/etc/hostname"/>
</g>
</svg>""".encode()


def test_sanitize_keeps_only_the_allowlist() -> None:
    out = sanitize(EVIL, "Title", "Summary")
    text = out.decode()
    for banned in ("<?", "<!", "script", "onload", "onclick", "javascript", "foreignObject", "image", "style=", "evil"):
        assert banned not in text
    root = etree.fromstring(out)
    assert root.get("role") == "img"
    assert [child.tag for child in root][:2] == [f"{{{SVG}}}title", f"{{{SVG}}}desc"]
    links = [e.get(f"{{{XLINK}}}href") or e.get("href") for e in root.iter(f"{{{SVG}}}a")]
    assert links == [None, "https://example.com/ok", "/graphs/acme?focus=x", None]


def test_sanitize_escapes_title_and_description() -> None:
    out = sanitize(EVIL, "<b>&</b>", '"quoted"')
    root = etree.fromstring(out)
    assert root[0].text == "<b>&</b>"
    assert root[1].text == '"quoted"'


def test_safe_link() -> None:
    assert safe_link("https://example.com/a")
    assert safe_link("/graphs/x")
    for bad in ("javascript:alert(1)", "data:text/html,x", "//evil.example", "vbscript:x", "https://", "/a b"):
        assert not safe_link(bad)
