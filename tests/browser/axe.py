"""axe-core (vendored in tests/browser/vendor, never served) run on the page Chromium shows.

The script is evaluated through the driver, outside the page's Content-Security-Policy, which
would otherwise refuse it (script-src 'self').
"""

from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
# What the RGAA 4.1 audit covers and axe can check: WCAG 2.0/2.1, levels A and AA.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}

RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary || ""})),
  }));
}"""


def violations(page) -> list[dict]:
    """axe's violations of the page as it is now, WCAG A/AA rules only."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(RUN, TAGS)


def blocking(found: list[dict]) -> list[dict]:
    return [v for v in found if v["impact"] in BLOCKING]


def describe(url: str, found: list[dict]) -> str:
    """One readable line per element in fault: the page, the rule, the element, what to fix."""
    lines = []
    for v in found:
        for node in v["nodes"]:
            summary = " ".join(node["summary"].split())
            lines.append(f"{url} · {v['id']} ({v['impact']}) · {node['target']} · {v['help']} — {summary}")
    return "\n".join(lines)
