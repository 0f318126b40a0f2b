"""Who uses Claude, how much, and when it goes wrong: a log-based metric, a dashboard and two alert policies.

Vertex AI's built-in publisher metrics count tokens and invocations per model but carry no principal; the
Data Access audit logs (`DATA_READ`, which `guardrails.auditLogs` turns on) name the caller of every
`RawPredict` / `StreamRawPredict`. So calls per person come from a log-based metric over those logs, and tokens
and error codes from the built-in metrics. The dashboard JSON is rendered here, deterministically (sorted keys),
so two renders of one stack are byte-identical and a diff in review means a real change.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_gcp as gcp
from claude_vertex_gcp.services import LOGGING, MONITORING

PUBLISHER_MODEL = "aiplatform.googleapis.com/PublisherModel"
TOKEN_COUNT = "aiplatform.googleapis.com/publisher/online_serving/token_count"
INVOCATIONS = "aiplatform.googleapis.com/publisher/online_serving/model_invocation_count"
PREDICT_METHODS = r"PredictionService\.(Stream)?RawPredict$"
"""Claude Code calls `rawPredict` / `streamRawPredict` (v1 or v1beta1)."""
MODEL_FROM_RESOURCE = r"publishers/anthropic/models/([^/@:]+)"

SUSTAINED_429_WINDOW = "900s"
"""429s in every 5-minute window for 15 minutes: the team is at its quota cap, not having a blip."""
OUTLIER_FACTOR = 4
"""A principal is far above the norm at this many times the team's mean calls per active principal in an hour..."""
OUTLIER_FLOOR = 200
"""...and at least this many calls in that hour (so a quiet team's one busy afternoon does not page anyone)."""


def metric_name(team: str) -> str:
    """Team-scoped, so two teams sharing an adopted project keep separate metrics."""
    return f"claude-vertex/{team}/claude_calls"


def metric_type(team: str) -> str:
    return f"logging.googleapis.com/user/{metric_name(team)}"


def promql_metric(team: str) -> str:
    """The PromQL name of the log metric: first `/` becomes `:`, every other `/`, `.` and `-` becomes `_`."""
    domain, rest = metric_type(team).split("/", 1)
    return (domain + ":" + rest).replace(".", "_").replace("/", "_").replace("-", "_")


def calls_filter(project_id: str) -> str:
    """The Data Access log entries of Claude calls in the team project."""
    return "\n".join(
        [
            f'logName="projects/{project_id}/logs/cloudaudit.googleapis.com%2Fdata_access"',
            'protoPayload.serviceName="aiplatform.googleapis.com"',
            f'protoPayload.methodName=~"{PREDICT_METHODS}"',
            'protoPayload.resourceName:"/publishers/anthropic/models/"',
        ]
    )


def _chart(title: str, filter_: str, group_by: list[str], aligner: str, period: str, plot: str) -> dict[str, Any]:
    return {
        "title": title,
        "xyChart": {
            "chartOptions": {"mode": "COLOR"},
            "dataSets": [
                {
                    "plotType": plot,
                    "targetAxis": "Y1",
                    "timeSeriesQuery": {
                        "timeSeriesFilter": {
                            "aggregation": {
                                "alignmentPeriod": period,
                                "crossSeriesReducer": "REDUCE_SUM",
                                "groupByFields": group_by,
                                "perSeriesAligner": aligner,
                            },
                            "filter": filter_,
                        }
                    },
                }
            ],
        },
    }


def dashboard_document(team: str, project_id: str) -> dict[str, Any]:
    """The Cloud Monitoring dashboard: tokens by model and direction, calls per principal and model, errors."""
    anthropic = f'resource.type="{PUBLISHER_MODEL}" AND resource.labels.publisher="anthropic"'
    calls = f'metric.type="{metric_type(team)}"'
    widgets = [
        _chart(
            "Tokens per minute by model and direction",
            f'metric.type="{TOKEN_COUNT}" AND {anthropic}',
            ["resource.labels.model_user_id", "metric.labels.type"],
            "ALIGN_SUM",
            "60s",
            "STACKED_BAR",
        ),
        _chart(
            "Claude calls per principal (5 min)",
            calls,
            ["metric.labels.principal"],
            "ALIGN_SUM",
            "300s",
            "STACKED_BAR",
        ),
        _chart("Claude calls per model (5 min)", calls, ["metric.labels.model"], "ALIGN_SUM", "300s", "STACKED_BAR"),
        _chart(
            "429s and errors by response code (5 min)",
            f'metric.type="{INVOCATIONS}" AND {anthropic} AND metric.labels.response_code!="200"',
            ["metric.labels.response_code", "resource.labels.model_user_id"],
            "ALIGN_SUM",
            "300s",
            "LINE",
        ),
    ]
    tiles = [
        {"height": 4, "width": 6, "xPos": (i % 2) * 6, "yPos": (i // 2) * 4, "widget": widget}
        for i, widget in enumerate(widgets)
    ]
    return {
        "displayName": f"Claude Code usage: {team} ({project_id})",
        "labels": {"claude-vertex": "", "team": team},
        "mosaicLayout": {"columns": 12, "tiles": tiles},
    }


def dashboard_json(team: str, project_id: str) -> str:
    """Sorted keys, fixed separators: the same stack always renders the very same bytes."""
    return json.dumps(dashboard_document(team, project_id), sort_keys=True, separators=(",", ":"))


def outlier_query(team: str) -> str:
    """PromQL: a principal's calls in the last hour far above the team's mean per active principal."""
    per_principal = f"sum by (principal) (increase({promql_metric(team)}[1h]))"
    mean = f"scalar(sum(increase({promql_metric(team)}[1h])) / count({per_principal}))"
    return f"({per_principal} > {OUTLIER_FACTOR} * {mean}) and ({per_principal} > {OUTLIER_FLOOR})"


def dashboard_url(dashboard_id: str, project_id: str) -> str:
    """The console page of a dashboard; its resource ID is `projects/<number>/dashboards/<id>`."""
    return (
        f"https://console.cloud.google.com/monitoring/dashboards/builder/{dashboard_id.rsplit('/', 1)[-1]}"
        f"?project={project_id}"
    )


class Usage:
    """The log metric, the dashboard and the alert policies of one team's project (children of `parent`)."""

    def __init__(
        self,
        team: str,
        project_id: pulumi.Output[str],
        *,
        channels: list[pulumi.Output[str]],
        services: Mapping[str, pulumi.Resource],
        parent: pulumi.Resource,
    ) -> None:
        # The metric is a Logging resource, the rest Monitoring ones: each waits for both APIs, as one view.
        child = pulumi.ResourceOptions(parent=parent, depends_on=[services[MONITORING], services[LOGGING]])
        self.metric = gcp.logging.Metric(
            f"{team}-claude-calls",
            project=project_id,
            name=metric_name(team),
            description=f"Claude calls on Vertex AI by principal and model, team {team} (Data Access audit logs).",
            filter=project_id.apply(calls_filter),
            metric_descriptor={
                "metric_kind": "DELTA",
                "value_type": "INT64",
                "unit": "1",
                "display_name": f"Claude calls ({team})",
                "labels": [
                    {"key": "principal", "value_type": "STRING", "description": "Who called (principalEmail)."},
                    {"key": "model", "value_type": "STRING", "description": "The Claude model called."},
                ],
            },
            label_extractors={
                "principal": "EXTRACT(protoPayload.authenticationInfo.principalEmail)",
                "model": f'REGEXP_EXTRACT(protoPayload.resourceName, "{MODEL_FROM_RESOURCE}")',
            },
            opts=child,
        )
        self.dashboard = gcp.monitoring.Dashboard(
            f"{team}-usage-dashboard",
            project=project_id,
            dashboard_json=project_id.apply(lambda pid: dashboard_json(team, pid)),
            # The dashboard charts the metric: it must exist first or the charts start empty of a type.
            opts=child.merge(pulumi.ResourceOptions(depends_on=[self.metric])),
        )
        self.throttled = gcp.monitoring.AlertPolicy(
            f"{team}-sustained-429s",
            project=project_id,
            display_name=f"Claude Code {team}: sustained 429s (quota cap reached)",
            combiner="OR",
            conditions=[
                {
                    "display_name": "429 responses in every 5-minute window for 15 minutes",
                    "condition_threshold": {
                        "filter": f'metric.type="{INVOCATIONS}" AND resource.type="{PUBLISHER_MODEL}" '
                        'AND resource.labels.publisher="anthropic" AND metric.labels.response_code="429"',
                        "aggregations": [
                            {
                                "alignment_period": "300s",
                                "per_series_aligner": "ALIGN_SUM",
                                "cross_series_reducer": "REDUCE_SUM",
                                "group_by_fields": ["resource.labels.model_user_id"],
                            }
                        ],
                        "comparison": "COMPARISON_GT",
                        "threshold_value": 0,
                        "duration": SUSTAINED_429_WINDOW,
                        "trigger": {"count": 1},
                    },
                }
            ],
            documentation={
                "mime_type": "text/markdown",
                "content": f"Team {team} is being throttled by Vertex AI: a quota cap (guardrails.quotas) or "
                "Google's default quota is reached. Raise the cap in the stack, or ask Google for more quota.",
            },
            notification_channels=channels,
            opts=child,
        )
        self.outlier = gcp.monitoring.AlertPolicy(
            f"{team}-principal-outlier",
            project=project_id,
            display_name=f"Claude Code {team}: one principal far above the team's norm",
            combiner="OR",
            conditions=[
                {
                    "display_name": f"calls in an hour > {OUTLIER_FACTOR}x the team's mean per principal",
                    "condition_prometheus_query_language": {
                        "query": outlier_query(team),
                        "duration": "0s",
                        "evaluation_interval": "300s",
                    },
                }
            ],
            documentation={
                "mime_type": "text/markdown",
                "content": f"One principal of team {team} made far more Claude calls in the last hour than the "
                "team's norm: a runaway agent loop, a leaked credential, or a legitimate batch job.",
            },
            notification_channels=channels,
            opts=child.merge(pulumi.ResourceOptions(depends_on=[self.metric])),
        )
        self.dashboard_url = pulumi.Output.all(self.dashboard.id, project_id).apply(
            lambda args: dashboard_url(args[0], args[1])
        )
