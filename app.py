"""Entry point: page config, navigation, and the sidebar controls every page shares."""

import os

# One torch thread per process: set before anything can import torch.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import threading

import streamlit as st

from ui import lesson, presenter, run_log, share
from ui.common import DEFAULT_SEED, IMAGE_FORMAT_KEY, IMAGE_FORMATS, SEED_KEY
from ui.entry import mark_app_ran
from ui.presenter import PRESENTER_KEY
from ui.registry import HOME, PAGES
from ui.warmup import warm_up


@st.cache_resource(show_spinner=False)
def _start_warmup() -> threading.Thread:
    """Load torch and everything else the pages use once per process, in the background (pages
    that need no torch never wait for it), then freeze those long-lived objects out of the full
    garbage collection Streamlit runs after every script run (see ui/warmup.py)."""
    thread = threading.Thread(target=warm_up, name="process-warmup", daemon=True)
    thread.start()
    return thread


# The sidebar's state is set once per run, by presenter.apply() (see there).
st.set_page_config(page_title="Policy Gradient, Seen", page_icon=":material/insights:",
                   layout="wide")
_start_warmup()


def _page(entry, *, default: bool = False) -> st.Page:
    return st.Page(entry.path, title=entry.title, icon=entry.icon,
                   url_path=entry.url_path or None, default=default)


sections: dict[str, list[st.Page]] = {HOME.section: [_page(HOME, default=True)]}
for entry in PAGES:
    sections.setdefault(entry.section, []).append(_page(entry))

page = st.navigation(sections)
mark_app_ran()  # pages run through app.py from now on (ui/entry.py)
APP_WIDE = (SEED_KEY, PRESENTER_KEY, IMAGE_FORMAT_KEY)
share.restore_app_wide()  # a page change can arrive without them (see there)
raw_params = share.snapshot()  # before any bound widget can drop a malformed value
presenter.accept_url_alias()

with st.sidebar:
    # value="min": DEFAULT_SEED is the smallest seed. A value= here would make Streamlit log a
    # warning whenever share.restore_app_wide sets the seed through session state.
    st.number_input("Seed", min_value=DEFAULT_SEED, max_value=2**31 - 1, value="min", step=1,
                    key=SEED_KEY, bind="query-params",
                    help="Every random draw on every page follows from this seed: the same "
                         "seed and settings give the same numbers and curves.")
    st.toggle("Presenter mode", key=PRESENTER_KEY, bind="query-params",
              help="Large text and charts for projectors, sidebar folded away, and on each "
                   "lab a question to answer before the chart is revealed.")
    st.radio("Chart downloads", IMAGE_FORMATS, key=IMAGE_FORMAT_KEY, horizontal=True,
             bind="query-params",
             help="What the camera button on each chart's toolbar saves: PNG for slides, "
                  "SVG (vector, scales without blur) for print. Every chart also offers its "
                  "data as CSV.")
    link_slot = st.empty()
share.remember_app_wide(APP_WIDE)

presenter.apply()
note_slot = st.empty()
with run_log.timed(page.url_path):
    page.run()
    lesson.page_end(page.url_path)
share.after_run(raw_params, page.url_path, link_slot, note_slot,
                aliases={PRESENTER_KEY: presenter.TRUTHY | presenter.FALSY})
