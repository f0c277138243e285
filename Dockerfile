# Policy Gradient, Seen: the app alone (no browser, no model, nothing downloaded at run time).
# Build:  docker build -t policy-gradient-seen .
# Run:    docker run --rm -p 8501:8501 policy-gradient-seen   -> http://localhost:8501
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    OMP_NUM_THREADS=1 \
    MKL_NUM_THREADS=1 \
    STREAMLIT_SERVER_PORT=8501 \
    STREAMLIT_SERVER_ADDRESS=0.0.0.0 \
    STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_SERVER_FILE_WATCHER_TYPE=none \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false

RUN useradd --create-home --uid 1000 --shell /usr/sbin/nologin app
WORKDIR /home/app/app

# Dependencies first (cached layer). torch comes from PyTorch's CPU-only index: the default
# index would pull a multi-GB CUDA build.
COPY requirements.txt ./
RUN pip install --extra-index-url https://download.pytorch.org/whl/cpu -r requirements.txt

# Only what the app runs: no tests, benchmarks, docs or git history (see .dockerignore).
COPY --chown=root:root app.py ./
COPY --chown=root:root .streamlit ./.streamlit
COPY --chown=root:root core ./core
COPY --chown=root:root ui ./ui
COPY --chown=root:root pages ./pages

# The app never writes files; running as a user that owns nothing it serves.
USER app
EXPOSE 8501

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/_stcore/health' % os.environ.get('STREAMLIT_SERVER_PORT', '8501'), timeout=4)"]

# Plain `streamlit run app.py`, as every host starts it (ui/entry.py makes deep links work).
CMD ["python", "-m", "streamlit", "run", "app.py"]
