#!/bin/sh
set -e
docker compose up -d db
uvicorn ledgerly.api.routes:router --reload --port 8000
