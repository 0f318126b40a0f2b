"""The offline proof's harness: the real Claude apps gateway (`claude gateway`, the pinned client) on loopback.

What the gateway does, read from its source and checked by running it here (the renderer must produce this):

Config (`gateway.yaml`; zod schema, strict objects): unknown keys fail boot in well under a second with exit 1 and
a JSON list of issues on stderr (`"code": "unrecognized_keys"`, `"path"`, `"keys"`). Required: `listen`,
`upstreams`, `session`, `store`, and `oidc` (unless `cri.enabled`). `${VAR}` is replaced from the environment
anywhere in a string (an unset one fails boot); `${file:/abs}` must be the whole value. `listen.public_url` is
required unless `listen.host` is loopback (the IdP redirect URI is `<public_url>/oauth/callback`).
- Upstream: `{name, provider: vertex, region, project_id, auth: {}, base_url?, groups?, models?}`. `auth: {}` is
  Google ADC (on Cloud Run: the service account through the metadata server); `base_url` includes `/v1`. `groups`:
  only members of one of them are sent to it; `models`: the only model IDs (as clients send them) it serves.
- Routing: a request's `model` is matched against each upstream the caller may use (groups), in config order; a
  top-level `models: [{id, upstream_model: {<upstream>: <vertex id>}}]` entry maps a custom ID to the Vertex model
  per upstream. Custom IDs (`payments-opus`) are what the client sends and what an upstream's `models` lists; the
  pinned Vertex ID goes only in `upstream_model`. A model no usable upstream serves: 400 `invalid_request_error`.
- Per-group allow-list, enforced server-side before routing: `managed.policies[].cli.availableModels` of the first
  policy whose `match.groups` the caller is in; another model is 400 "model X is not in your role's availableModels
  allowlist", and nothing is sent upstream. The policy's `cli` block is also what `GET /managed/settings` serves the
  client: set `model` (the start model; without it the client starts on its own default, which is then refused)
  and `modelPicker.options: [{model: <custom id>, behavesAs: <vertex id>}]` (else the client warns it does not
  know the model and guesses its context window).
- Failover: an upstream that refuses the connection, or answers 401/403/404/429/5xx, is skipped for the next one
  serving the model (config order); all failing gives 502, or the last 429/401/403/404.

Routes: `GET /healthz` 200 `ok`; `GET /readyz` 200 `ready` once PostgreSQL answers (503 otherwise);
`GET /.well-known/oauth-authorization-server`; device flow `POST /oauth/device_authorization` ->
`GET /device?user_code=` -> `POST /device` (same-origin only; sets a browser-binding cookie, 302 to the IdP's
`authorization_endpoint` with PKCE S256, nonce, state, scope `openid profile email offline_access`, query response
mode) -> IdP -> `GET /oauth/callback` (code exchanged with client_secret_post, id_token RS256 checked: iss, aud,
nonce; claims `sub`, `email`, `groups`) -> `POST /oauth/token` (`grant_type=urn:ietf:params:oauth:grant-type:
device_code`: `authorization_pending` / the session: HS256 JWT, aud `claude-gateway`, `sub`/`email`/`groups`,
`expires_in` = `session.ttl_hours`). With the session as `Authorization: Bearer`: `GET /managed/settings`,
`GET /v1/models` (the caller's models), `POST /v1/messages` (401 without a valid session). The gateway needs the
IdP's discovery document at boot (issuer down: exit 1) and reads the JWKS, authorize and token endpoints from it.

Admin API (`admin.write_keys` / `read_keys`: `{id, key}`, key at least 32 characters), header `x-api-key`:
`POST /v1/organizations/spend_limits` upserts one limit per (scope, period), answering the same `spl_...` id on a
repeat: `{"scope": {"type": "user", "user_id": <session sub, i.e. the IdP's sub unless oidc.user_id_claim>} |
{"type": "rbac_group", "rbac_group_id": <IdP group>} | {"type": "organization"}, "amount": "<whole cents, as a
decimal string>" | null (unlimited), "period": "monthly" (default) | "weekly" | "daily"}`. A read key gets 403 on
writes; no or a wrong key 401. A caller at a cap of 0 gets 429 `billing_error` "spend limit reached" on
`/v1/messages`, before anything is sent upstream. A limit keyed by e-mail does not apply to a user (the principal
is the subject).

`CLAUDE_GATEWAY_ALLOW_LOOPBACK=1` lets a loopback issuer, upstream and collector through. How the client is pointed
at the gateway and signed in: see developer.py.
"""
