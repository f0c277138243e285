"""Start the Streamlit server for app.py: `python -m ui.launch run app.py [options]`.

`make run`, the tests and the Dockerfile all start the app through here. Streamlit treats a
folder named pages/ beside the entry script as a legacy multipage app until the entry script
first calls st.navigation; on a freshly started server, a shared link to a page would then run
that page without app.py (no navigation sections, no seed, no presenter mode). app.py always
calls st.navigation, so the legacy mode is switched off before the server starts.
"""

import sys

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli


def main() -> int:
    """Run Streamlit's own command line with the legacy pages/ mode switched off."""
    PagesManager.uses_pages_directory = False
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
