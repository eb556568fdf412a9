"""Every test runs with the `local` stage's settings, as `chalice local` and the CLI do.

Set before any test module imports `app`, which validates its settings at import.
"""

import os

from chalicelib.stage_config import stage_environment

os.environ.pop("AWS_ENDPOINT_URL", None)  # API tests talk to moto's in-process mock, never a server
os.environ.update(stage_environment("local", environ={}))
os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
os.environ.setdefault("PUBLIC_API_URL", "https://api.example.org/api")
