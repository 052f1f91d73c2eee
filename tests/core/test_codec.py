"""The XML/JSON codec: safe parsing of untrusted XML and the one XML serializer."""

import pytest

from emulator.core.codec import as_list, media_types, parse_json, parse_xml, render_xml
from emulator.core.errors import MalformedBody

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<request><x>&lol3;</x></request>"""
QUADRATIC = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "' + b"x" * 50_000 + \
    b'">]><r>' + b"&a;" * 1000 + b"</r>"
XXE = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><r>&e;</r>"""
DTD_RETRIEVAL = b"""<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><r/>"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, QUADRATIC, XXE, DTD_RETRIEVAL],
                         ids=["billion-laughs", "quadratic", "xxe", "dtd-retrieval"])
def test_entity_attacks_are_refused(body: bytes) -> None:
    with pytest.raises(MalformedBody, match="DTD or entities"):
        parse_xml(body)


@pytest.mark.parametrize("body", [b"", b"   ", b"<request>", b"<a></b>", b"\xff\xfe<r/>",
                                  b'<?xml version="1.0" encoding="UTF-16"?><r/>',
                                  b"<r>\xc3\x28</r>", b"not xml", b"<a/><b/>"])
def test_malformed_xml_is_refused(body: bytes) -> None:
    with pytest.raises(MalformedBody):
        parse_xml(body)


def test_parse_xml_returns_root_and_content() -> None:
    root, content = parse_xml(
        b'<?xml version="1.0" encoding="UTF-8"?>\r\n<request>\r\n\t<courseIds><id>a</id>'
        b"<id>b</id></courseIds><learnerIds><id>c</id></learnerIds><empty/></request>")
    assert root == "request"
    assert content == {"courseIds": {"id": ["a", "b"]}, "learnerIds": {"id": "c"}, "empty": None}
    assert as_list(content["learnerIds"]["id"]) == ["c"]
    assert as_list(None) == []


def test_render_xml_shapes() -> None:
    body = render_xml("response", {"enrollments": {"enrollment": [{"id": "1", "ok": True},
                                                                   {"id": "2", "x": None}]},
                                   "empty": {}})
    assert body == (b'<?xml version="1.0" encoding="UTF-8"?>\n<response><enrollments>'
                    b"<enrollment><id>1</id><ok>true</ok></enrollment><enrollment><id>2</id>"
                    b"</enrollment></enrollments><empty/></response>")
    assert render_xml("response", "abc", declaration=False) == b"<response>abc</response>"


def test_render_xml_escapes_text() -> None:
    assert render_xml("r", {"m": "<&>"}, declaration=False) == b"<r><m>&lt;&amp;&gt;</m></r>"


def test_parse_json_and_media_types() -> None:
    assert parse_json(b'{"a": [1]}') == {"a": [1]}
    with pytest.raises(MalformedBody, match="Malformed JSON"):
        parse_json(b'{"a": ')
    with pytest.raises(MalformedBody):
        parse_json(b"\xff")
    with pytest.raises(MalformedBody, match="nested too deeply"):
        parse_json(b"[" * 100_000)
    assert media_types("application/json; charset=utf-8 , Text/XML;q=0.1") == [
        "application/json", "text/xml"]
    assert media_types(None) == []


@pytest.mark.parametrize(("body", "message"), [
    (b"<request>" + b"<a/>" * 400_000 + b"</request>", "XML with more than 50000 elements"),
    (b"<a>" * 300_000 + b"</a>" * 300_000, "XML nested deeper than 64 levels"),
])
def test_element_floods_stop_at_the_limit(body: bytes, message: str) -> None:
    with pytest.raises(MalformedBody, match=message):
        parse_xml(body)


def test_render_xml_replaces_characters_xml_cannot_carry() -> None:
    body = render_xml("response", {"message": "bad \x08 key", "\x01x": "y"}, declaration=False)
    assert body == "<response><message>bad \ufffd key</message><\ufffdx>y</\ufffdx></response>" \
        .encode()
