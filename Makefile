# One entry point for people and pipelines. `make preview` and `make test` work on a fresh clone:
# both create .venv from requirements.txt first (and again whenever a requirements file changes).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STACK  ?= dev
STAMP  := $(VENV)/.installed

.PHONY: venv preview env gateway-secrets test test-bounds test-install test-sdks test-dates calendar claude-client policy-bundle engine e2e test-gateway test-gateway-login lint format bench clean

venv: $(STAMP)

$(STAMP): requirements.txt policies/requirements.txt components/pyproject.toml doctor/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r policies/requirements.txt
	touch $(STAMP)

## Render STACK offline (mocks, no credentials) and run the policy pack over it.
preview: venv
	$(BIN)/python -m tools.preview --stack $(STACK) $(ARGS)

## Write .env, env.sh and settings.json for STACK into out/STACK/.
env: venv
	$(BIN)/python -m tools.preview --stack $(STACK) --write-env out/$(STACK) > /dev/null

## Put the gateway stack STACK's credentials in place outside Pulumi state, with your own ADC, after `pulumi up` made
## its secrets and database: generates the JWT secret, the admin write key and the database password (and sets that
## on the Cloud SQL user) where no version is enabled yet; asks for the OIDC client secret without echo (or
## ARGS='--oidc-client-secret-file PATH'). ARGS='--rotate jwt-secret' replaces one (and prints how to roll it out).
gateway-secrets: venv
	$(BIN)/python -m tools.gateway_secrets --stack $(STACK) $(ARGS)

## The fast suite, on every core (pytest-xdist; at most four workers: each imports Pulumi and the pack).
test: venv
	$(BIN)/python -m pytest -n auto --maxprocesses=4

## The pulumi and pulumi-gcp ranges of components/pyproject.toml at both ends: a virtualenv at the lowest versions
## they allow and one at the newest on PyPI, each rendering examples/python with the policy pack (PyPI; caches in
## .cache/uv; about 20 s warm). Prints the versions and times.
test-bounds: venv
	$(BIN)/python -m pytest -m venvs -rP tests/test_dependency_bounds.py

## The issue's "Done when": a fresh virtualenv, pip install ./components (pip's cache), two teams rendered under the
## mocks with the policy pack passing (about a minute). Prints the times.
test-install: venv
	$(BIN)/python -m pytest -m venvs -rP tests/test_fresh_install.py

## examples/go compiles and examples/typescript type-checks against the SDKs `pulumi package add` would generate,
## written by Pulumi's own code generators (tests/sdkgen; needs Go 1.24+ and npm; a few minutes cold).
test-sdks: venv
	$(BIN)/python -m pytest -m sdks tests/test_example_sdks.py

## `make test` as of three dates under Debian's faketime (`apt-get install faketime`): the suite judges stacks
## as of one fixed date, so no verdict may move with the calendar. Only the wall clock is faked (monotonic clocks
## stay real, so timeouts still time out); tests/faketime/clock_nanosleep.c works around libfaketime 0.9.10's
## Python 3.11 sleep bug. The client is installed first, at the real date. Debian's libfaketime 0.9.10 is not
## thread-safe (data races fixed upstream after it: libfaketime #488, #547) and a multithreaded process under it can
## die at random (measured: `tools.preview` died of SIGSEGV once in about 1,000 runs under faketime, never in 500
## without; the `-m` build deadlocks the plugins' signal stops instead). So a date whose run fails reruns its failures
## once, at that date: a verdict that moves with the calendar fails both times, and the date fails.
TEST_DATES ?= 2026-06-01 $(shell date +%F) 2027-09-01
SHIM := .cache/faketime/clock_nanosleep.so
$(SHIM): tests/faketime/clock_nanosleep.c
	@mkdir -p $(dir $@)
	$(CC) -shared -fPIC -O2 -o $@ $<
test-dates: claude-client $(SHIM)
	@command -v faketime >/dev/null || { echo "test-dates needs faketime (apt-get install faketime)" >&2; exit 2; }
	@for day in $(TEST_DATES); do \
	  echo "== make test as of $$day"; \
	  as_of() { LD_PRELOAD=$(CURDIR)/$(SHIM) faketime --exclude-monotonic "$$day 12:00:00" \
	    $(BIN)/python -m pytest -q -o cache_dir=$(CURDIR)/.cache/test-dates "$$@"; }; \
	  as_of --cache-clear && continue; \
	  echo "== make test as of $$day: rerunning what failed, once (libfaketime's races, see the Makefile)"; \
	  as_of --last-failed || exit 1; \
	done

## The repository's stacks against the real calendar: fails 90 days before a pinned model retires.
calendar: venv
	$(BIN)/python -m pytest -m calendar

## The Pulumi CLI and the YAML language host, built from their Go modules into .cache/engine/bin at the one release
## tools/engine/release.toml pins (Go 1.24+ and the Go module proxy; module and build caches in .cache/engine, so a
## second run is a no-op and a bump rebuilds only what changed).
engine: venv
	$(BIN)/python -m tools.engine

## Every stack under the real engine on a local file backend, against the stand-in gcp provider, with the policy pack
## (tests/e2e; see README "The real engine"). Runs in a network namespace of its own, where only loopback exists:
## nothing can leave 127.0.0.1. Fails, never skips, when `make engine` has not been run.
E2E_NETNS ?= unshare --net --map-root-user -- sh -c 'ip link set lo up && exec "$$0" "$$@"'
e2e: engine
	CLAUDE_VERTEX_E2E=required $(E2E_NETNS) $(BIN)/python -m pytest -m e2e -p no:cacheprovider -rs tests/e2e

## The real Claude apps gateway (`claude gateway` from the pinned client) booted from the gateway.yaml under test, with
## PostgreSQL (Debian's package: `apt-get install postgresql`), a small OIDC issuer, the metadata server and the fake
## Vertex all on loopback, in a network namespace of its own like `make e2e`: a scripted device-flow sign-in, the real
## `claude -p` landing on each team's project and pinned model, 400 outside a group's models, 429 at a spend cap of 0,
## failover to a second region, a typo in gateway.yaml refused (tests/gateway). Fails, never skips, when PostgreSQL or
## the client is missing.
test-gateway: claude-client
	CLAUDE_VERTEX_GATEWAY=required $(E2E_NETNS) $(BIN)/python -m pytest -m gateway -p no:cacheprovider -rs tests/gateway

## The real client's /login to the gateway, driven in a pseudo-terminal (theme, trust prompt, device code, the
## scripted browser), stores the sign-in exactly as `make test-gateway`'s harness does; then `claude -p` runs on it.
test-gateway-login: claude-client
	CLAUDE_VERTEX_GATEWAY=required $(E2E_NETNS) $(BIN)/python -m pytest -m gateway_login -p no:cacheprovider -rs tests/gateway

## Install the pinned Claude Code client from the npm registry into .cache/claude-code/<version>/ (needs npm).
## tests/test_real_client.py does the same on first use; this is for warming the cache ahead of a run.
claude-client: venv
	$(BIN)/python -m tests.claude_client.install

## The policy pack with the GCP facts it imports, in out/policy-pack: what `pulumi policy publish` uploads.
policy-bundle: venv
	$(BIN)/python -m tools.policy_bundle out/policy-pack

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: venv
	$(BIN)/python benchmarks/bench_preview.py
	$(BIN)/python benchmarks/bench_policy.py
	$(BIN)/python benchmarks/bench_fleet.py

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache .cache/claude-code .cache/bounds .cache/uv .cache/uv-tool .cache/sdkgen
