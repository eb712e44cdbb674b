"""The report as one self-contained HTML file (styles, scripts and data inline: it opens
offline) and as PDF, printed by headless Chromium."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from cxlens.errors import ConfigError
from cxlens.present.render import env
from cxlens.reports.model import Report

STATIC = Path(__file__).resolve().parents[1] / "web" / "static"
#: As root in a container: no sandbox, and /dev/shm is often too small for Chromium.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage"]
#: Chromium's page footer: the document's title (report, scope, period) and "Page 3 of 19" on
#: every page, so a printed page found alone still says what and where it is. (Header and
#: footer templates get no styles of the page: the font size must be set here.)
FOOTER = ('<div style="font: 8px sans-serif; color: #555; width: 100%; margin: 0 12mm; '
          'display: flex; justify-content: space-between"><span class="title"></span>'
          '<span>Page <span class="pageNumber"></span> of <span class="totalPages"></span>'
          '</span></div>')
SCRIPTS = ("vendor/vega.min.js", "vendor/vega-lite.min.js", "vendor/vega-embed.min.js",
           "localtime.js")


def _inline_js(text: str) -> str:
    return text.replace("</script", "<\\/script")


def render_html(report: Report) -> str:
    css = (STATIC / "app.css").read_text("utf-8")
    scripts = [_inline_js((STATIC / s).read_text("utf-8")) for s in SCRIPTS]
    return env.get_template("report.html").render(report=report, css=css, scripts=scripts)


def chromium() -> str:
    path = os.environ.get("CXLENS_CHROMIUM") or shutil.which("chromium") or \
        shutil.which("chromium-browser")
    if not path:
        raise ConfigError("no Chromium to print the PDF with",
                          "install it (Debian: apt-get install chromium) or set "
                          "CXLENS_CHROMIUM to its executable")
    return path


def write_pdf(html_file: Path, pdf_file: Path, numbered: bool = False) -> int:
    """Print ``html_file`` to ``pdf_file`` once every chart is drawn; returns the bytes.
    ``numbered``: the :data:`FOOTER` (title and "Page N of M") on every page."""
    from cxlens.extras import require

    require("pdf")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.route("**/*", lambda route: route.continue_()
                       if route.request.url.startswith("file:") else route.abort())
            page.goto(html_file.resolve().as_uri())
            page.wait_for_selector("body[data-charts-ready]", timeout=60_000)
            pdf = page.pdf(format="A4", print_background=True,
                           display_header_footer=numbered, header_template="<span></span>",
                           footer_template=FOOTER,
                           margin={"top": "14mm", "bottom": "16mm" if numbered else "14mm",
                                   "left": "12mm", "right": "12mm"})
        finally:
            browser.close()
    pdf_file.write_bytes(pdf)
    return len(pdf)
