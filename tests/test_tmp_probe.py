from django.template import engines
def test_probe(db):
    e = engines["django"]
    for src in ["[{{ missing }}]", "[{{ missing|default:'x' }}]", "[{% if missing %}y{% endif %}]", "[{{ none.attr }}]"]:
        try:
            print(repr(src), "->", repr(e.from_string(src).render({"none": None})))
        except AssertionError as err:
            print(repr(src), "ERR", err)
