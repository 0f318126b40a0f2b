"""Read CI files the way GitHub and GitLab do: YAML 1.2 booleans only, so `on:` stays a string key."""

from __future__ import annotations

import re
from typing import Any

import yaml


class Yaml12Loader(yaml.SafeLoader):
    """A SafeLoader (no arbitrary objects) whose only booleans are `true` and `false`."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))


def load_yaml12(text: str) -> Any:
    return yaml.load(text, Loader=Yaml12Loader)
