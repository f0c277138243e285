"""What a reader of a projected page would see wrong: colliding chart text, text cut by a
chart's edge, metric values and code too small to read from the back of the room.

Used by tests/browser/test_chart_layout.py; kept apart so a screenshot script can reuse it.
"""

from __future__ import annotations

from typing import Any

REVEAL_LABELS = ("Reveal", "Show the answer")
"""Start of the labels of presenter mode's reveal buttons (ui.presenter)."""

# One JavaScript pass over every plotly chart on the page. Text nodes: chart title, axis
# titles, tick labels, legend entries, annotations and text traces. Two of them collide
# when their boxes overlap by more than TOL px in both directions; a text is cut when its
# box leaves the chart's own SVG by more than TOL px. Marks: a value label under an error
# bar, an annotation or the legend drawn over a curve, the legend over a label, a label or a
# bar cut by (or a bar touching) the edge of its plot area, and exponents written in ASCII.
_CHART_TEXT_JS = r"""
(tol) => {
  const kinds = [
    ['title', '.g-gtitle text'],
    ['axis title', '.g-xtitle text, .g-ytitle text, [class^="g-x"][class$="title"] text, '
                   + '[class^="g-y"][class$="title"] text'],
    ['tick', '.xtick text, .ytick text, .x2tick text, .y2tick text, .x3tick text, '
             + '.y3tick text, .atick text, .btick text, .ctick text'],
    ['legend', '.legend .legendtext, .legend .legendtitletext'],
    ['annotation', '.annotation-text'],
    ['text trace', '.textpoint text'],
    ['bar label', 'text.bartext'],
    ['ternary title', '.g-atitle text, .g-btitle text, .g-ctitle text'],
  ];
  const visible = (el) => {
    for (let node = el; node && node.nodeType === 1; node = node.parentNode) {
      const style = getComputedStyle(node);
      if (style.display === 'none' || style.visibility === 'hidden'
          || parseFloat(style.opacity) === 0) return false;
    }
    return true;
  };
  const box = (el) => { const r = el.getBoundingClientRect();
                        return {x0: r.left, y0: r.top, x1: r.right, y1: r.bottom}; };
  const overlap = (p, q) => Math.min(p.x1, q.x1) - Math.max(p.x0, q.x0) > tol
                            && Math.min(p.y1, q.y1) - Math.max(p.y0, q.y0) > tol;
  // Does any visible curve of the plot pass through the box? (sampled on a 9 x 5 grid; a
  // curve is drawn only inside its plot area, which clips the rest)
  const crossedBy = (b, lines, areas) => {
    for (let i = 0; i <= 8; i++) for (let j = 0; j <= 4; j++) {
      const x = b.x0 + (b.x1 - b.x0) * i / 8, y = b.y0 + (b.y1 - b.y0) * j / 4;
      if (!areas.some((a) => x >= a.x0 && x <= a.x1 && y >= a.y0 && y <= a.y1)) continue;
      for (const path of lines) {
        const m = path.getScreenCTM();
        if (m && path.isPointInStroke(new DOMPoint(x, y).matrixTransform(m.inverse()))) {
          return true;
        }
      }
    }
    return false;
  };
  const charts = [];
  document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot').forEach((plot, i) => {
    const frame = plot.querySelector('.main-svg').getBoundingClientRect();
    if (frame.width === 0) return;
    const seen = new Set();
    const texts = [];
    for (const [kind, selector] of kinds) {
      plot.querySelectorAll(selector).forEach((el) => {
        if (seen.has(el) || el.closest('.hoverlayer')) return;
        seen.add(el);
        const label = (el.textContent || '').trim();
        if (!label || !visible(el)) return;
        const r = el.getBoundingClientRect();
        if (r.width < 1 || r.height < 1) return;
        texts.push({kind, label, el, ...box(el),
                    size: parseFloat(getComputedStyle(el).fontSize)});
      });
    }
    const titleEl = plot.querySelector('.g-gtitle text');
    const name = titleEl ? titleEl.textContent.trim() : `chart ${i + 1}`;
    const overlaps = [];
    for (let a = 0; a < texts.length; a++) {
      for (let b = a + 1; b < texts.length; b++) {
        const p = texts[a], q = texts[b];
        if (overlap(p, q)) overlaps.push(`${p.kind} '${p.label}' / ${q.kind} '${q.label}'`);
      }
    }
    const cut = texts.filter((t) => t.x0 < frame.left - tol || t.y0 < frame.top - tol
                                    || t.x1 > frame.right + tol || t.y1 > frame.bottom + tol)
                     .map((t) => `${t.kind} '${t.label}'`);
    const marks = [];
    const errorBars = [...plot.querySelectorAll('.errorbar path')].filter(visible).map(box);
    texts.filter((t) => t.kind === 'text trace' || t.kind === 'bar label').forEach((t) => {
      if (errorBars.some((e) => overlap(t, e))) marks.push(`error bar over '${t.label}'`);
    });
    const areas = [...plot.querySelectorAll('.nsewdrag')].map(box).filter((b) => b.x1 - b.x0 > 1);
    const lines = [...plot.querySelectorAll('.scatterlayer .trace path.js-line')]
      .filter((el) => visible(el) && el.closest('.trace').style.opacity !== '0');
    texts.filter((t) => t.kind === 'annotation').forEach((t) => {
      if (crossedBy(t, lines, areas)) marks.push(`curve through annotation '${t.label}'`);
    });
    plot.querySelectorAll('.legend').forEach((legend) => {
      const bg = legend.querySelector('.bg');
      if (bg && visible(legend) && crossedBy(box(bg), lines, areas)) {
        marks.push('curve under the legend');
      }
      if (bg && visible(legend)) {
        texts.filter((t) => ['text trace', 'bar label', 'annotation'].includes(t.kind)
                            && overlap(t, box(bg)))
          .forEach((t) => marks.push(`legend over '${t.label}'`));
      }
    });
    plot.querySelectorAll('.barlayer .point path').forEach((bar) => {
      const b = box(bar);
      if (b.x1 - b.x0 < 0.5 || b.y1 - b.y0 < 0.5) return;
      const area = areas.find((a) => b.x0 >= a.x0 - 2 && b.x1 <= a.x1 + 2
                                     && b.y0 >= a.y0 - 2 && b.y1 <= a.y1 + 2)
                   || areas.find((a) => overlap(a, b));
      if (!area) return;
      // plotly clips bars to the axis range itself: a cut bar ends exactly on the edge.
      if (b.x0 <= area.x0 + tol || b.x1 >= area.x1 - tol) marks.push('bar cut by the plot edge');
      // Headroom: a bar that ends within 8 % of the plot's height of its top edge looks cut
      // by the axis (plotly's own autorange leaves 5 %).
      else if (b.y0 - area.y0 < 0.08 * (area.y1 - area.y0)) {
        marks.push('bar touching the top of its axis');
      }
    });
    // A label plotly clips at the plot area (cliponaxis): half a label is as bad as a cut one
    texts.filter((t) => t.kind === 'text trace' || t.kind === 'bar label').forEach((t) => {
      for (let n = t.el.parentNode; n && n !== plot; n = n.parentNode) {
        const url = n.getAttribute && n.getAttribute('clip-path');
        const id = url && (url.match(/#([^)"']+)/) || [])[1];
        const clip = id && document.getElementById(id);
        const rect = clip && clip.firstElementChild;
        const m = n.getScreenCTM && n.getScreenCTM();
        if (!rect || !m || rect.tagName !== 'rect') continue;
        const x = rect.x.baseVal.value, y = rect.y.baseVal.value;  // in n's own coordinates
        const c = {x0: m.e + m.a * x, y0: m.f + m.d * y,
                   x1: m.e + m.a * (x + rect.width.baseVal.value),
                   y1: m.f + m.d * (y + rect.height.baseVal.value)};
        if (t.x0 < c.x0 - tol || t.y0 < c.y0 - tol || t.x1 > c.x1 + tol || t.y1 > c.y1 + tol) {
          marks.push(`label cut by the plot edge: '${t.label}'`);
        }
        break;
      }
    });
    texts.filter((t) => /\^\s*[-+]?\d/.test(t.label))
      .forEach((t) => marks.push(`ASCII exponent in ${t.kind} '${t.label}'`));
    const smallest = texts.length ? Math.min(...texts.map((t) => t.size)) : null;
    charts.push({name, overlaps, cut, marks: [...new Set(marks)], smallest,
                 count: texts.length});
  });
  return charts;
}
"""

_TEXT_SIZES_JS = """
() => {
  const px = (el) => parseFloat(getComputedStyle(el).fontSize);
  // The element whose font the value's text is drawn in: the parent of its first non-empty
  // text node (a metric value's text sits in a <p> inside the value's own element).
  const textHolder = (el) => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT,
        {acceptNode: (n) => n.textContent.trim() ? NodeFilter.FILTER_ACCEPT
                                                 : NodeFilter.FILTER_SKIP});
    const node = walker.nextNode();
    return node ? node.parentElement : el;
  };
  const body = document.querySelector(
      '[data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] p');
  const metrics = [...document.querySelectorAll('[data-testid="stMetric"]')].map((m) => {
    const value = m.querySelector('[data-testid="stMetricValue"]');
    const label = m.querySelector('[data-testid="stMetricLabel"] p')
                  || m.querySelector('[data-testid="stMetricLabel"]');
    return {label: label ? label.textContent.trim() : '?',
            value_px: value ? px(textHolder(value)) : 0,
            label_px: label ? px(label) : 0};
  });
  const code = [...document.querySelectorAll('[data-testid="stMainBlockContainer"] pre code, '
                + '[data-testid="stMainBlockContainer"] [data-testid="stCode"] code')]
      .map((c) => ({text: c.textContent.trim().slice(0, 40), px: px(c)}));
  const root = document.scrollingElement || document.documentElement;
  const scroller = document.querySelector('[data-testid="stMain"]');
  // Text Streamlit cuts with an ellipsis (metric labels, select boxes...) where it is too long
  const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  const cut = [...(main ? main.querySelectorAll('*') : [])].filter((el) => {
    if (el.scrollWidth <= el.clientWidth + 1 || !el.textContent.trim()) return false;
    const style = getComputedStyle(el);
    return style.textOverflow === 'ellipsis' && style.overflowX !== 'visible'
           && el.getClientRects().length > 0;
  }).map((el) => el.textContent.trim().slice(0, 60));
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  return {body_px: body ? px(body) : null, metrics, code,
          cut, sidebar_open: sidebar ? sidebar.getBoundingClientRect().right > 0 : false,
          horizontal_scroll: root.scrollWidth > root.clientWidth + 1
              || (scroller ? scroller.scrollWidth > scroller.clientWidth + 1 : false)};
}
"""


def chart_text(tab: Any, tolerance_px: float = 1.0) -> list[dict[str, Any]]:
    """Every plotly chart on the page: its name, the pairs of its text elements that
    overlap, the texts its SVG cuts off, and its smallest font size in px."""
    result: list[dict[str, Any]] = tab.evaluate(_CHART_TEXT_JS, tolerance_px)
    return result


def text_sizes(tab: Any) -> dict[str, Any]:
    """Body text size, each metric's value and label size, each code block's size (px), the
    texts cut short with an ellipsis, whether the page scrolls sideways, and whether the
    sidebar is open."""
    result: dict[str, Any] = tab.evaluate(_TEXT_SIZES_JS)
    return result


def reveal_everything(tab: Any, wait: Any, limit: int = 20) -> int:
    """Click presenter mode's reveal buttons one at a time (each click reruns the page) until
    none is left; ``wait(tab)`` waits for the script to be idle. Returns how many were clicked.

    After each click, waits for events, never for a fixed time: the clicked button gone (or
    relabelled "Ask again"), the script idle again, and the page's DOM unchanged for a moment,
    so the next button is looked up on the finished page, not on one a rerun is replacing."""
    clicked = 0
    for _ in range(limit):
        button = None
        for label in REVEAL_LABELS:
            candidates = tab.locator("[data-testid='stMainBlockContainer'] button:visible",
                                     has_text=label)
            if candidates.count():
                button = candidates.first
                break
        if button is None:
            return clicked
        handle = button.element_handle()
        handle.click(timeout=10_000)
        clicked += 1
        tab.wait_for_function(
            "([el, labels]) => !el.isConnected"
            " || !labels.some((l) => el.textContent.includes(l))",
            arg=[handle, list(REVEAL_LABELS)], timeout=60_000)
        wait(tab)
        wait_for_stable_dom(tab)
        wait(tab)
    return clicked


_STABLE_DOM_JS = """
([quietMs, maxMs]) => new Promise((resolve) => {
  const root = document.querySelector("[data-testid='stMain']") || document.body;
  let timer = setTimeout(done, quietMs);
  const limit = setTimeout(done, maxMs);  // a live panel may never be quiet
  const observer = new MutationObserver(() => {
    clearTimeout(timer);
    timer = setTimeout(done, quietMs);
  });
  function done() {
    clearTimeout(timer); clearTimeout(limit); observer.disconnect(); resolve(true);
  }
  observer.observe(root, {childList: true, subtree: true, attributes: true,
                          characterData: true});
})
"""


def wait_for_stable_dom(tab: Any, quiet_ms: int = 250, max_ms: int = 10_000) -> None:
    """Wait until the main area's DOM has not changed for ``quiet_ms`` (a rerun's elements,
    charts' first draws and their automargin redraws all mutate it), at most ``max_ms``."""
    tab.evaluate(_STABLE_DOM_JS, [quiet_ms, max_ms])


_DRAWN_JS = """
() => !document.querySelector("[data-testid='stMainBlockContainer'] [data-testid='stSkeleton']")
"""


def settle(tab: Any, wait: Any) -> None:
    """Wait for the page's first full run to be drawn: its title there, the script idle again
    (the app's 'not running' marker is also set before the first run starts), no element
    still a loading skeleton, and the DOM quiet.

    Streamlit marks the script 'not running' before the browser has drawn what it sent:
    code blocks, charts, tables, even buttons first show as skeletons while their code loads,
    for a second or two on a freshly opened page. A probe (or a search for Reveal buttons)
    run then sees half a page."""
    tab.locator("[data-testid='stMainBlockContainer'] h1").first.wait_for(timeout=60_000)
    wait(tab)
    tab.wait_for_function(_DRAWN_JS, timeout=60_000)
    wait_for_stable_dom(tab)


def tab_labels(tab: Any) -> list[str]:
    """The labels of the page's st.tabs tab buttons, in order (empty without tabs)."""
    labels: list[str] = tab.locator(
        "[data-testid='stMainBlockContainer'] [data-testid='stTab']"
    ).all_inner_texts()
    return labels


def open_tab(tab: Any, index: int) -> None:
    """Click the page's ``index``-th st.tabs tab button and wait until it is the selected one
    and its panel is drawn (no skeleton, the DOM quiet)."""
    button = tab.locator("[data-testid='stMainBlockContainer'] [data-testid='stTab']").nth(index)
    button.click()
    tab.wait_for_function("(el) => el.getAttribute('aria-selected') === 'true'",
                          arg=button.element_handle(), timeout=10_000)
    tab.wait_for_function(_DRAWN_JS, timeout=60_000)
    wait_for_stable_dom(tab)


_CHARTS_FIT_JS = """
() => [...document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot")]
  .every((plot) => {
    // The chart element's width follows the page's layout at once; plotly's SVG follows it
    // when Streamlit redraws the chart.
    const width = plot.closest("[data-testid='stPlotlyChart']").getBoundingClientRect().width;
    if (width === 0) return true;  // in a hidden tab: drawn when its tab opens
    const svg = plot.querySelector('.main-svg');
    return svg !== null && Math.abs(parseFloat(svg.getAttribute('width')) - width) < 1.5;
  })
"""


def charts_drawn(tab: Any) -> None:
    """Wait until every visible plotly chart is drawn at its container's current width (after
    a first draw, a tab opened or the window resized), and then for the DOM to be quiet
    (plotly's automargin redraw follows its first draw)."""
    tab.wait_for_function(_CHARTS_FIT_JS, timeout=30_000)
    wait_for_stable_dom(tab)


_AXIS_RANGES_JS = """
() => {
  const ranges = {};
  document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot").forEach((plot, i) => {
    if (plot.getBoundingClientRect().width === 0 || !plot._fullLayout) return;
    const title = plot.querySelector('.g-gtitle text');
    const axes = {};
    for (const [key, axis] of Object.entries(plot._fullLayout)) {
      // Ranges the figure sets (an autorange follows the plot's size in px by design)
      if (/^[xy]axis[0-9]*$/.test(key) && Array.isArray(axis.range) && !axis.autorange) {
        axes[key] = axis.range.map((v) => Number(Number(v).toPrecision(6)));
      }
    }
    ranges[`${i}: ${title ? title.textContent.trim().slice(0, 60) : 'chart ' + (i + 1)}`] = axes;
  });
  return ranges;
}
"""


def axis_ranges(tab: Any) -> dict[str, dict[str, list[float]]]:
    """The ranges plotly shows on each visible chart's axes that are not autoranged (keyed by
    the chart's position and title): a window resized and resized back must leave them as
    they were."""
    result: dict[str, dict[str, list[float]]] = tab.evaluate(_AXIS_RANGES_JS)
    return result


def resize(tab: Any, width: int, height: int) -> None:
    """Resize the window and wait for every visible chart to be drawn again at its new
    width (Streamlit re-lays out its charts on a resize, no script rerun)."""
    tab.set_viewport_size({"width": width, "height": height})
    charts_drawn(tab)
