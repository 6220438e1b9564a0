"""Seed the demo clinic (idempotent) and print what a newcomer needs: the key, the URLs, one curl line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    seeded = subprocess.run(
        [sys.executable, "manage.py", "seed_demo"], cwd=ROOT, check=True, capture_output=True, text=True
    )
    demo = json.loads(seeded.stdout.strip().splitlines()[-1])
    base = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
    database = os.environ.get("DATABASE_URL", "SQLite file var/sessionguard.sqlite3").split("@")[-1]
    broker = os.environ.get("CELERY_BROKER_URL", "filesystem broker in var/broker")
    print(
        f"""
SessionGuard is starting (web, worker and beat; Ctrl-C stops all three).
  database: {database}
  broker:   {broker}

  API key (demo clinic):  {demo["api_key"]}
  Swagger UI:             {base}/api/docs/
  Health:                 {base}/health/
  Staff sign-in:          {base}/admin/   user {demo["username"]}, password {demo["password"]}

Try:
  curl -s -H "Authorization: Bearer {demo["api_key"]}" {base}/api/v1/therapists
""",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
