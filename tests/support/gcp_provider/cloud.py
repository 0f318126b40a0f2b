"""The stand-in's Google Cloud: every resource it holds, live or soft-deleted, in one JSON file, and its own clock.

The file is named by `CLAUDE_VERTEX_STANDIN_GCP_STATE`, which the Pulumi CLI hands to every plugin it starts with
the rest of its environment. Several plugin processes may use it at once (the engine starts one per provider
configuration, and a test may hold it open too), so every read-modify-write holds an exclusive lock on a sidecar
file (`fcntl.flock`) and replaces the file atomically.

Time in this cloud is the file's `clock`, not the wall clock: it starts at the day the suite judges stacks on
(`CLAUDE_VERTEX_TODAY`, else today) and moves only when someone calls `advance`, so a test sees a role's 37-day
soft delete expire without sleeping. Tests and the end-to-end harness read and change the cloud through `Cloud`
(take a project ID, drift a resource, delete one behind Pulumi's back); the plugin's RPCs are logged beside it
(`calls`), as GCP keeps audit logs.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claude_vertex_gcp import resource_types as gcp_types
from claude_vertex_gcp.names import project_parent

STATE_VARIABLE = "CLAUDE_VERTEX_STANDIN_GCP_STATE"
"""The environment variable naming the JSON file the stand-in keeps its cloud in."""
TODAY_VARIABLE = "CLAUDE_VERTEX_TODAY"
"""The day a new cloud's clock starts on (`claude_vertex.config.clock.TODAY_VARIABLE`; not imported, to start fast)."""


class CloudNotConfigured(RuntimeError):
    """`CLAUDE_VERTEX_STANDIN_GCP_STATE` is not set: the stand-in has nowhere to keep its cloud."""

    def __init__(self) -> None:
        super().__init__(
            f"{STATE_VARIABLE} is not set: the stand-in gcp provider keeps its cloud in the JSON file it names "
            "(tests.support.gcp_provider.Cloud)"
        )


@dataclass
class Record:
    """One resource as GCP holds it: its properties (inputs and what GCP computed) and, once deleted, when."""

    type: str
    id: str
    properties: dict[str, Any]
    deleted_at: dt.datetime | None = None
    urn: str = ""
    """The Pulumi resource that created it; empty for what was made outside Pulumi."""

    @property
    def live(self) -> bool:
        return self.deleted_at is None


@dataclass
class CloudState:
    """The whole cloud as read under the lock; what a transaction changes is written back when it ends."""

    clock: dt.datetime
    records: dict[tuple[str, str], Record] = field(default_factory=dict)

    def record(self, type_token: str, resource_id: str) -> Record | None:
        """The resource with this ID, live or soft-deleted."""
        return self.records.get((type_token, resource_id))

    def live(self, type_token: str, resource_id: str) -> Record | None:
        record = self.record(type_token, resource_id)
        return record if record is not None and record.live else None

    def put(self, record: Record) -> None:
        self.records[(record.type, record.id)] = record

    def delete(self, type_token: str, resource_id: str, *, keep_id: bool) -> None:
        """Soft-delete (the ID stays known, stamped with the clock) or forget the resource."""
        record = self.records.get((type_token, resource_id))
        if record is None:
            return
        if keep_id:
            record.deleted_at = self.clock
        else:
            del self.records[(type_token, resource_id)]


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=dt.UTC)


def _first_day(environ: Mapping[str, str]) -> dt.date:
    text = environ.get(TODAY_VARIABLE, "")
    return dt.date.fromisoformat(text) if text else dt.date.today()


class Cloud:
    """The stand-in's cloud in `path`: transactions for the plugin, and a small API for tests and harnesses."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path).resolve()
        self._lock_path = self.path.with_name(self.path.name + ".lock")
        self._calls_path = self.path.with_name(self.path.name + ".calls.jsonl")
        self._thread_lock = threading.Lock()

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Cloud:
        path = (os.environ if environ is None else environ).get(STATE_VARIABLE, "")
        if not path:
            raise CloudNotConfigured()
        return cls(path)

    @property
    def environment(self) -> dict[str, str]:
        """What a process needs in its environment to see this cloud (the CLI passes it on to the plugin)."""
        return {STATE_VARIABLE: str(self.path)}

    @contextmanager
    def transaction(self) -> Iterator[CloudState]:
        """The cloud under an exclusive lock; written back when the block ends without an exception."""
        with self._locked():
            state = self._load()
            yield state
            self._save(state)

    def snapshot(self) -> CloudState:
        """The cloud as it is now (a copy: changing it changes nothing)."""
        with self._locked():
            return self._load()

    # -- what tests and harnesses ask of the cloud -------------------------------------------------------------

    def now(self) -> dt.datetime:
        return self.snapshot().clock

    def resources(self, type_token: str | None = None) -> dict[str, dict[str, Any]]:
        """The live resources (of one type), ID to properties."""
        return {
            record.id: record.properties
            for record in self.snapshot().records.values()
            if record.live and (type_token is None or record.type == type_token)
        }

    def get(self, type_token: str, resource_id: str) -> dict[str, Any] | None:
        """A live resource's properties, or None."""
        record = self.snapshot().live(type_token, resource_id)
        return record.properties if record is not None else None

    def take_project_id(self, project_id: str, *, deleted: bool = False) -> None:
        """Somebody else's project holds this ID (or held it: a deleted project's ID is never reusable)."""
        with self.transaction() as state:
            state.put(
                Record(
                    gcp_types.PROJECT,
                    project_parent(project_id),
                    {"projectId": project_id, "name": project_id},
                    deleted_at=state.clock if deleted else None,
                )
            )

    def drift(self, type_token: str, resource_id: str, changes: Mapping[str, Any]) -> None:
        """Change a live resource outside Pulumi (a console edit): `None` removes a property."""
        with self.transaction() as state:
            record = state.live(type_token, resource_id)
            if record is None:
                raise KeyError(f"no live {type_token} {resource_id!r} in the stand-in's cloud")
            for key, value in changes.items():
                if value is None:
                    record.properties.pop(key, None)
                else:
                    record.properties[key] = value

    def delete_outside(self, type_token: str, resource_id: str, *, keep_id: bool = True) -> None:
        """Delete a resource outside Pulumi, soft (its ID stays known, as GCP keeps it) unless `keep_id` is False."""
        with self.transaction() as state:
            if state.live(type_token, resource_id) is None:
                raise KeyError(f"no live {type_token} {resource_id!r} in the stand-in's cloud")
            state.delete(type_token, resource_id, keep_id=keep_id)

    def advance(self, *, days: float) -> dt.datetime:
        """Move the cloud's clock forward: soft deletes age, no process sleeps. Returns the new time."""
        with self.transaction() as state:
            state.clock += dt.timedelta(days=days)
            return state.clock

    def calls(self) -> list[dict[str, Any]]:
        """The RPCs the plugin served against this cloud, oldest first (`rpc`, `type`, `urn`, `preview`)."""
        with self._locked():
            if not self._calls_path.exists():
                return []
            return [json.loads(line) for line in self._calls_path.read_text().splitlines() if line]

    def log_call(self, entry: Mapping[str, Any]) -> None:
        with self._locked(), self._calls_path.open("a") as log:
            log.write(json.dumps(entry, sort_keys=True) + "\n")

    # -- the file ----------------------------------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._thread_lock, self._lock_path.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _load(self) -> CloudState:
        if not self.path.exists() or self.path.stat().st_size == 0:  # a new cloud (or a file a harness made)
            return CloudState(clock=_start_of(_first_day(os.environ)))
        data = json.loads(self.path.read_text())
        state = CloudState(clock=dt.datetime.fromisoformat(data["clock"]))
        for item in data["resources"]:
            deleted_at = item.get("deletedAt")
            state.put(
                Record(
                    type=item["type"],
                    id=item["id"],
                    properties=item["properties"],
                    deleted_at=dt.datetime.fromisoformat(deleted_at) if deleted_at else None,
                    urn=item.get("urn", ""),
                )
            )
        return state

    def _save(self, state: CloudState) -> None:
        data = {
            "clock": state.clock.isoformat(),
            "resources": [
                {
                    "type": record.type,
                    "id": record.id,
                    "urn": record.urn,
                    "deletedAt": record.deleted_at.isoformat() if record.deleted_at else None,
                    "properties": record.properties,
                }
                for _key, record in sorted(state.records.items())
            ],
        }
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name, suffix=".tmp")
        with os.fdopen(handle, "w") as out:
            json.dump(data, out, indent=1, sort_keys=True)
        os.replace(temporary, self.path)
