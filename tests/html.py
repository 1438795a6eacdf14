"""Reading our pages in tests: fetch one with its status checked, find a crispy field and its value."""

import re


def page(client, url, status=200):
    """GET ``url``, check the status, return the HTML (unknown template variables raise, see conftest)."""
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def field_block(content, name):
    """The HTML of one crispy field: from its wrapper to the next field's wrapper (or the form's end)."""
    start = content.find(f'id="div_id_{name}"')
    assert start != -1, f"field {name} not rendered"
    ends = [i for i in (content.find('id="div_id_', start + 1), content.find("</form>", start)) if i != -1]
    return content[start : min(ends)]


def field_value(block, name):
    """The value an <input> or a <textarea> of a field block shows."""
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', block)
    if match:
        return match.group(1)
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', block, re.S)
    assert match, f"no value rendered for {name}"
    return match.group(1).strip()
