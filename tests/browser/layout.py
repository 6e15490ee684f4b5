"""What axe cannot see: pages that scroll sideways, text that spills or is cut off, hidden focus.

Each check runs in the page as loaded (no reload), so the sweep stays quick: shrink the viewport,
measure, add a style sheet, measure again, put things back.
"""

from playwright.sync_api import Page

# 320 CSS px is a 1280 px wide window at 400% zoom (WCAG 2.2, 1.4.10 Reflow).
NARROW = {"width": 320, "height": 640}
WIDE = {"width": 1280, "height": 720}

# WCAG 1.4.12 Text Spacing: the smallest spacing a page must survive without losing content.
TEXT_SPACING_CSS = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""
# Text-only zoom to 200% (WCAG 1.4.4): GOV.UK Frontend sizes text in rem, so doubling the root
# font size is what a browser's "text only" zoom does.
TEXT_ZOOM_CSS = "html { font-size: 200% !important; }"

# How far the page scrolls sideways, and the innermost elements poking out past the window's
# right edge (to say what to fix). Elements inside a scrolling region do not count.
_WIDER_THAN_THE_WINDOW = """() => {
    const extra = document.documentElement.scrollWidth - window.innerWidth;
    if (extra <= 0) return null;
    const scrolls = e => ["auto", "scroll"].includes(getComputedStyle(e).overflowX);
    const culprits = [...document.body.querySelectorAll("*")].filter(e => {
        if (e.getBoundingClientRect().right <= window.innerWidth + 1) return false;
        // Absolutely positioned text escapes a scrolling ancestor that is not its containing block.
        const escapes = getComputedStyle(e).position === "absolute";
        for (let a = e.parentElement; a && a !== document.body && !escapes; a = a.parentElement) if (scrolls(a)) return false;
        return scrolls(e) || ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1);
    });
    const names = culprits.slice(0, 3).map(e => e.tagName.toLowerCase()
        + (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\\s+/).join(".") : "")
        + ` "${(e.textContent || "").trim().slice(0, 30)}"`);
    return `${extra} px (past the edge: ${names.join("; ")})`;
}"""

# Content that scrolls inside the page (a wide table's region) must be reachable by keyboard
# and say what it is: tabindex="0" and a name, as GOV.UK and WCAG 2.1.1 ask.
_UNLABELLED_SCROLLING = """() => [...document.body.querySelectorAll("*")].filter(e =>
        ["auto", "scroll"].includes(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1
        && !(e.getAttribute("tabindex") === "0" && e.getAttribute("role") === "region"
             && (e.getAttribute("aria-label") || e.getAttribute("aria-labelledby"))))
    .map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")} scrolls sideways but is not `
              + "a labelled region with tabindex=0")"""

_ADD_STYLE = """css => {
    const sheet = new CSSStyleSheet();  // a constructed sheet: the page's CSP allows it
    sheet.replaceSync(css);
    window.layoutCheckSheets = [...(window.layoutCheckSheets || []), sheet];
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}"""
_REMOVE_STYLES = """() => {
    const ours = window.layoutCheckSheets || [];
    document.adoptedStyleSheets = document.adoptedStyleSheets.filter(sheet => !ours.includes(sheet));
    window.layoutCheckSheets = [];
}"""

# Every piece of visible text must stay inside the box it belongs to (its nearest block, not
# an inline span) and inside every ancestor that clips (overflow hidden or clip). Ancestors that
# scroll (overflow auto or scroll, like a wide table's region) are fine: text there can be
# reached by scrolling. Visually hidden text (clipped on purpose for screen readers) is skipped.
_TEXT_OUTSIDE_ITS_BOX = """() => {
    const INLINE = new Set(["inline", "contents"]);
    const SKIP = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "OPTION", "TITLE"]);
    const describe = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
        + (el.classList.length ? "." + [...el.classList].join(".") : "");
    const hiddenOnPurpose = el => {
        for (let e = el; e && e !== document.body; e = e.parentElement) {
            const style = getComputedStyle(e);
            if (style.visibility === "hidden" || style.display === "none") return true;
            if (style.clipPath !== "none" || (style.clip && style.clip !== "auto")) return true;
        }
        return false;
    };
    const problems = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (!parent || !node.textContent.trim() || SKIP.has(parent.tagName) || parent.closest("svg")) continue;
        if (hiddenOnPurpose(parent)) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        const rects = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
        if (!rects.length) continue;
        let box = parent;
        while (box.parentElement && INLINE.has(getComputedStyle(box).display)) box = box.parentElement;
        const fontSize = parseFloat(getComputedStyle(parent).fontSize);
        const slack = {x: 2, y: Math.max(2, fontSize * 0.3)};  // glyphs may overhang a tight line box
        const outside = (r, b) => r.left < b.left - slack.x || r.right > b.right + slack.x
            || r.top < b.top - slack.y || r.bottom > b.bottom + slack.y;
        const text = node.textContent.trim().replace(/\\s+/g, " ").slice(0, 40);
        const visible = ["visible", "visible"].join() === [getComputedStyle(box).overflowX, getComputedStyle(box).overflowY].join();
        if (visible && rects.some(r => outside(r, box.getBoundingClientRect()))) {
            problems.push(`"${text}" spills out of ${describe(box)}`);
            continue;
        }
        for (let e = box; e && e !== document.documentElement; e = e.parentElement) {
            const style = getComputedStyle(e);
            const overflows = [style.overflowX, style.overflowY];
            if (overflows.some(o => o === "auto" || o === "scroll")) break;  // reachable by scrolling
            if (overflows.some(o => o === "hidden" || o === "clip")
                    && rects.some(r => outside(r, e.getBoundingClientRect()))) {
                problems.push(`"${text}" is cut off by ${describe(e)}`);
                break;
            }
        }
    }
    return problems;
}"""

# WCAG 2.4.11 Focus Not Obscured: focus each control in turn; what is at its centre must be the
# control itself (or its label), not a sticky header, banner or anything else drawn on top.
_FOCUS_HIDDEN = """() => {
    const controls = document.querySelectorAll(
        "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex='-1'])");
    const problems = [];
    for (const control of controls) {
        if (control.disabled || !control.getClientRects().length) continue;
        control.focus({preventScroll: false});
        if (document.activeElement !== control) continue;
        const r = control.getClientRects()[0];  // a link over two lines: its first line
        if (r.width < 1 || r.height < 1) continue;
        const x = Math.min(Math.max(r.left + r.width / 2, 0), window.innerWidth - 1);
        const y = Math.min(Math.max(r.top + Math.min(r.height, 8) / 2, 0), window.innerHeight - 1);
        const top = document.elementFromPoint(x, y);
        const labels = control.labels ? [...control.labels] : [];
        if (top && !control.contains(top) && !top.contains(control) && !labels.some(l => l.contains(top))) {
            problems.push(`focus on ${control.outerHTML.slice(0, 80)} is hidden under ${top.tagName.toLowerCase()}.${[...top.classList].join(".")}`);
        }
    }
    document.activeElement && document.activeElement.blur();
    window.scrollTo(0, 0);
    return problems;
}"""


def layout_problems(page: Page, run_axe_rule) -> list[str]:
    """Problems with this page at 320 px, with text spacing, and with text at 200%.

    Leaves the page at the usual wide viewport with its own styles only.
    `run_axe_rule(page, rule_id)` runs one axe rule (target size is checked again when narrow).
    """
    problems = []
    try:
        page.set_viewport_size(NARROW)
        if extra := page.evaluate(_WIDER_THAN_THE_WINDOW):
            problems.append(f"at 320 px wide the page scrolls sideways by {extra}")
        problems += [f"at 320 px wide: {p}" for p in page.evaluate(_UNLABELLED_SCROLLING)]
        problems += [f"at 320 px wide: {p}" for p in run_axe_rule(page, "target-size")]
        problems += [f"at 320 px wide: {p}" for p in page.evaluate(_FOCUS_HIDDEN)]
        page.evaluate(_ADD_STYLE, TEXT_SPACING_CSS)
        if extra := page.evaluate(_WIDER_THAN_THE_WINDOW):
            problems.append(f"at 320 px wide with text spacing the page scrolls sideways by {extra}")
        problems += [f"at 320 px wide with text spacing: {p}" for p in page.evaluate(_TEXT_OUTSIDE_ITS_BOX)]
        page.evaluate(_REMOVE_STYLES)
        page.set_viewport_size(WIDE)
        page.evaluate(_ADD_STYLE, TEXT_ZOOM_CSS)
        if extra := page.evaluate(_WIDER_THAN_THE_WINDOW):
            problems.append(f"with text at 200% the page scrolls sideways by {extra}")
        problems += [f"with text at 200%: {p}" for p in page.evaluate(_TEXT_OUTSIDE_ITS_BOX)]
    finally:
        page.evaluate(_REMOVE_STYLES)
        page.set_viewport_size(WIDE)
    return problems
