"""The entry script: navigation, sidebar and the home page, through AppTest."""

import json

from harness.apptest import app_test, assert_no_exception
from ui.registry import PAGES, QUESTIONS


def test_home_renders_derivation_and_questions():
    at = app_test("app.py")
    at.run()
    assert_no_exception(at)
    assert at.title[0].value == "Policy Gradient, Seen"
    assert len(at.latex) >= 6
    text = " ".join(m.value for m in at.markdown)
    for question, _answer in QUESTIONS.values():
        assert question in text
    assert at.number_input(key="seed").value == 0


def test_sidebar_extremes_keep_home_working():
    # Fresh runs: AppTest drops the sidebar of an st.navigation app on reruns, so each
    # setting is applied through session state before a first run.
    for key, value in (("seed", 0), ("seed", 2**31 - 1), ("present", True)):
        at = app_test("app.py")
        at.session_state[key] = value
        at.run()
        assert_no_exception(at)
        assert at.session_state[key] == value


def test_every_registered_page_runs_through_navigation():
    at = app_test("app.py", timeout=120)
    at.run()
    for entry in PAGES:
        at.switch_page(entry.path).run()
        assert_no_exception(at)


def _image_formats(at) -> set[str]:
    """The camera-button format of every chart on the page (from plotly's config)."""
    return {json.loads(chart.proto.config)["toImageButtonOptions"]["format"]
            for chart in at.get("plotly_chart")}


def test_chart_downloads_follow_the_sidebar_format():
    for chosen in ("PNG", "SVG"):
        at = app_test("app.py")
        at.session_state["img"] = chosen
        at.switch_page(PAGES[0].path).run()
        assert_no_exception(at)
        assert at.get("plotly_chart"), "the first page draws charts"
        assert _image_formats(at) == {chosen.lower()}
