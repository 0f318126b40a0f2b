"""Everything around the real gateway on loopback, started once per session, and gateways booted inside it.

The lab holds the services a gateway reaches: the OIDC issuer (registered with the config's `oidc.client_id`),
PostgreSQL, the metadata server its Vertex upstreams' ADC reads, and the egress trap every process is proxied to.
`lab.boot(config, name, base_urls)` writes the config with the loopback overrides and the secrets' environment into
a directory of its own, with a database of its own, and yields the running gateway.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.claude_client.vertex_server import EgressTrap
from tests.support.gateway import config as gateway_config
from tests.support.gateway.metadata_server import MetadataServer
from tests.support.gateway.oidc_issuer import OidcIssuer
from tests.support.gateway.postgres import LocalPostgres, free_port
from tests.support.gateway.process import Gateway, gateway_environment

VERTEX_ANSWER = "Pong from Vertex, through the gateway."
GATEWAY_SERVICE_ACCOUNT = "claude-gateway@claude-gateway-prod.iam.gserviceaccount.com"


@dataclass(frozen=True)
class RunningGateway:
    """A booted gateway: where it listens, the config it runs (overrides applied), the deploy job's admin key."""

    url: str
    config: dict[str, Any]
    admin_key: str
    process: Gateway


class Lab:
    def __init__(self, binary: Path, root: Path, client_id: str) -> None:
        self.binary = binary
        self.root = root
        self._stack = contextlib.ExitStack()
        self.issuer = OidcIssuer(client_id, client_secret=f"idp-secret-{free_port()}-for-the-loopback-proof")
        self.postgres = LocalPostgres(root / "postgres")
        self.metadata = MetadataServer(GATEWAY_SERVICE_ACCOUNT)
        self.trap = EgressTrap()

    def __enter__(self) -> Lab:
        with contextlib.ExitStack() as stack:
            for service in (self.issuer, self.postgres, self.metadata, self.trap):
                stack.enter_context(service)  # type: ignore[arg-type]
            self._stack = stack.pop_all()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    @contextlib.contextmanager
    def boot(self, config: Mapping[str, Any], name: str, base_url: Callable[[str], str]) -> Iterator[RunningGateway]:
        """Boot `config`, loopback overrides applied on top, as gateway `name`; each upstream at `base_url(name)`."""
        workdir = self.root / name
        (workdir / "home").mkdir(parents=True)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        database = self.postgres.create_database(f"gateway_{name}")
        loopback = gateway_config.Loopback(
            port=port,
            issuer=self.issuer.url,
            postgres_url=database.url,
            upstream_base_urls={upstream["name"]: base_url(upstream["name"]) for upstream in config["upstreams"]},
        )
        final = gateway_config.for_loopback(config, loopback)
        secrets = gateway_config.secret_environment(
            final, oidc_client_secret=self.issuer.client.client_secret, database_password=database.password
        )
        config_path = workdir / "gateway.yaml"
        config_path.write_text(gateway_config.dump(final))
        self.issuer.register_redirect_uri(f"{url}/oauth/callback")
        env = gateway_environment(workdir / "home", {**secrets, **self.metadata.environment, **self.proxy_environment})
        with Gateway(self.binary, config_path, env, url, workdir) as process:
            yield RunningGateway(url, final, gateway_config.admin_write_key(final, env), process)

    @property
    def proxy_environment(self) -> dict[str, str]:
        env = {name: self.trap.url for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")}
        return {**env, "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}

    def config_path_for_boot_failure(self, text: str, name: str) -> tuple[Path, dict[str, str]]:
        """A config file the gateway must refuse, and an environment in which only the config can be at fault."""
        workdir = self.root / name
        (workdir / "home").mkdir(parents=True)
        path = workdir / "gateway.yaml"
        path.write_text(text)
        parsed = gateway_config.parse(text)
        secrets = gateway_config.secret_environment(
            parsed,
            oidc_client_secret=self.issuer.client.client_secret,
            database_password=self.postgres.gateway_password,
        )
        return path, gateway_environment(
            workdir / "home", {**secrets, **self.metadata.environment, **self.proxy_environment}
        )


@contextlib.contextmanager
def dead_upstream() -> Iterator[str]:
    """A loopback base URL where every connection is refused at once, as to a region that is down.

    The port stays bound (never listening) while the block runs, so nothing else can take it meanwhile.
    """
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{held.getsockname()[1]}/v1"
