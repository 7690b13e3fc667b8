"""A Cost Explorer stand-in speaking the real wire protocol (JSON 1.1: ``POST /`` with
``X-Amz-Target: AWSInsightsIndexService.<Operation>``), answering from the company's
deterministic daily spend (``sandbox/company.py``).

moto implements Cost Explorer but only replays results queued in advance, so a real
``boto3.client("ce")`` asking arbitrary periods gets nothing useful. ``CostExplorerMiddleware``
sits in front of moto's WSGI app: Cost Explorer operations it knows go to the stand-in,
everything else to moto, so one ``AWS_ENDPOINT_URL`` serves every AWS client unchanged.
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from sandbox.company import (
    ANOMALY_MONITORS,
    COST_LINES,
    CURRENCY,
    AnomalyMonitor,
    CostLine,
    days_between,
    forecast_line_cost,
    line_cost,
    planted_anomaly,
    utc_today,
)

TARGET_PREFIX = "AWSInsightsIndexService."
COST_METRICS = {"UnblendedCost", "BlendedCost", "AmortizedCost", "NetUnblendedCost", "NetAmortizedCost"}
USAGE_METRICS = {"UsageQuantity", "NormalizedUsageAmount"}
FORECAST_METRICS = {"UNBLENDED_COST": "UnblendedCost", "BLENDED_COST": "BlendedCost",
                    "AMORTIZED_COST": "AmortizedCost", "NET_UNBLENDED_COST": "NetUnblendedCost",
                    "NET_AMORTIZED_COST": "NetAmortizedCost"}
DIMENSIONS = {"SERVICE": "aws_service", "REGION": "region", "LINKED_ACCOUNT": "account"}
ACCOUNT = "123456789012"

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class CostExplorerError(Exception):
    """An error Cost Explorer would answer with (HTTP 400, JSON ``__type``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _validation(message: str) -> CostExplorerError:
    return CostExplorerError("ValidationException", message)


def _parse_day(text: Any, what: str) -> date:
    try:
        return date.fromisoformat(str(text)[:10])
    except ValueError:
        raise _validation(f"{what} date is not a valid date: {text}") from None


def _period(body: dict[str, Any]) -> tuple[date, date]:
    period = body.get("TimePeriod") or {}
    if "Start" not in period or "End" not in period:
        raise _validation("TimePeriod with Start and End is required")
    start, end = _parse_day(period["Start"], "Start"), _parse_day(period["End"], "End")
    if start >= end:
        raise _validation("Start date must be before end date")
    return start, end


def _line_value(line: CostLine, key: str) -> str:
    if key == "account":
        return ACCOUNT
    return str(getattr(line, key))


def _matches(line: CostLine, expression: dict[str, Any] | None) -> bool:
    """Cost Explorer's Expression: Dimensions, Tags, And, Or, Not."""
    if not expression:
        return True
    if "And" in expression:
        return all(_matches(line, item) for item in expression["And"])
    if "Or" in expression:
        return any(_matches(line, item) for item in expression["Or"])
    if "Not" in expression:
        return not _matches(line, expression["Not"])
    if "Dimensions" in expression:
        spec = expression["Dimensions"]
        key = DIMENSIONS.get(spec.get("Key", ""))
        if key is None:
            raise _validation(f"Dimension {spec.get('Key')} is not supported by this stand-in")
        return _line_value(line, key) in spec.get("Values", [])
    if "Tags" in expression:
        spec = expression["Tags"]
        value = line.tags.get(spec.get("Key", ""))
        values = spec.get("Values")
        if not values:
            return value is not None
        return (value or "") in values
    raise _validation("Filter expression must contain Dimensions, Tags, And, Or or Not")


def _group_key(line: CostLine, group_by: list[dict[str, Any]]) -> tuple[str, ...]:
    keys = []
    for group in group_by:
        kind, key = group.get("Type"), group.get("Key", "")
        if kind == "DIMENSION":
            field_name = DIMENSIONS.get(key)
            if field_name is None:
                raise _validation(f"GroupBy dimension {key} is not supported by this stand-in")
            keys.append(_line_value(line, field_name))
        elif kind == "TAG":
            keys.append(f"{key}${line.tags.get(key, '')}")
        else:
            raise _validation("GroupBy Type must be DIMENSION, TAG or COST_CATEGORY")
    return tuple(keys)


def _buckets(start: date, end: date, granularity: str) -> list[tuple[date, date]]:
    if granularity == "DAILY":
        return [(day, day + timedelta(days=1)) for day in days_between(start, end)]
    if granularity == "MONTHLY":
        spans, cursor = [], start
        while cursor < end:
            next_month = (cursor.replace(day=1) + timedelta(days=32)).replace(day=1)
            spans.append((cursor, min(next_month, end)))
            cursor = next_month
        return spans
    raise _validation(f"Granularity {granularity} is not supported (DAILY or MONTHLY)")


def _metric(amount: float, name: str) -> dict[str, str]:
    if name in USAGE_METRICS:
        return {"Amount": f"{amount / 0.1:.4f}", "Unit": "N/A"}
    return {"Amount": f"{amount:.10f}".rstrip("0").rstrip(".") or "0", "Unit": CURRENCY}


class CostExplorerStandIn:
    """Answers GetCostAndUsage, GetCostForecast and GetDimensionValues from cost lines, and
    GetAnomalyMonitors and GetAnomalies (Cost Anomaly Detection) from the company's monitors
    and its planted anomaly. ``monitors`` may be changed (``()``: an account without monitors)."""

    operations = ("GetCostAndUsage", "GetCostForecast", "GetDimensionValues", "GetAnomalyMonitors",
                  "GetAnomalies")

    def __init__(self, lines: Iterable[CostLine] = COST_LINES,
                 today: Callable[[], date] = utc_today,
                 monitors: Iterable[AnomalyMonitor] = ANOMALY_MONITORS) -> None:
        self.lines = tuple(lines)
        self.today = today
        self.monitors = tuple(monitors)
        self.denied: set[str] = set()  # operations answered AccessDeniedException (a role without them)
        self.requests: deque[tuple[str, dict[str, Any]]] = deque(maxlen=200)  # recent calls, for tests

    def handle(self, operation: str, body: dict[str, Any]) -> dict[str, Any]:
        self.requests.append((operation, body))
        if operation in self.denied:
            raise CostExplorerError("AccessDeniedException", f"User: arn:aws:iam::{ACCOUNT}:user/guardian is not "
                                    f"authorized to perform: ce:{operation} on resource: arn:aws:ce:us-east-1:"
                                    f"{ACCOUNT}:/{operation}")
        if operation == "GetCostAndUsage":
            return self.cost_and_usage(body)
        if operation == "GetCostForecast":
            return self.cost_forecast(body)
        if operation == "GetDimensionValues":
            return self.dimension_values(body)
        if operation == "GetAnomalyMonitors":
            return self.anomaly_monitors(body)
        if operation == "GetAnomalies":
            return self.anomalies(body)
        raise CostExplorerError("UnknownOperationException", f"{operation} is not served by this stand-in")

    def cost_and_usage(self, body: dict[str, Any]) -> dict[str, Any]:
        start, end = _period(body)
        metrics = body.get("Metrics") or []
        if not metrics or any(m not in COST_METRICS | USAGE_METRICS for m in metrics):
            raise _validation(f"Metrics must be some of {sorted(COST_METRICS | USAGE_METRICS)}")
        group_by = body.get("GroupBy") or []
        if len(group_by) > 2:
            raise _validation("GroupBy accepts at most two keys")
        today = self.today()
        lines = [line for line in self.lines if _matches(line, body.get("Filter"))]
        results = []
        for span_start, span_end in _buckets(start, end, str(body.get("Granularity", "DAILY"))):
            sums: dict[tuple[str, ...], float] = defaultdict(float)
            for line in lines:
                amount = sum(line_cost(line, day, today) for day in days_between(span_start, span_end))
                if amount:
                    sums[_group_key(line, group_by)] += amount
            bucket: dict[str, Any] = {"TimePeriod": {"Start": span_start.isoformat(), "End": span_end.isoformat()},
                                      "Estimated": span_end >= today}
            if group_by:
                bucket["Total"] = {}
                bucket["Groups"] = [{"Keys": list(keys), "Metrics": {m: _metric(round(v, 4), m) for m in metrics}}
                                    for keys, v in sorted(sums.items())]
            else:
                total = round(sum(sums.values()), 4)
                bucket["Total"] = {m: _metric(total, m) for m in metrics}
                bucket["Groups"] = []
            results.append(bucket)
        answer: dict[str, Any] = {"ResultsByTime": results, "DimensionValueAttributes": []}
        if group_by:
            answer["GroupDefinitions"] = [{"Type": g["Type"], "Key": g["Key"]} for g in group_by]
        return answer

    def cost_forecast(self, body: dict[str, Any]) -> dict[str, Any]:
        start, end = _period(body)
        today = self.today()
        if start < today:
            raise _validation("Start date must be equal to or later than the current date")
        metric = str(body.get("Metric", ""))
        if metric not in FORECAST_METRICS:
            raise _validation(f"Metric must be one of {sorted(FORECAST_METRICS)}")
        lines = [line for line in self.lines if _matches(line, body.get("Filter"))]
        level = body.get("PredictionIntervalLevel")
        spans = []
        for span_start, span_end in _buckets(start, end, str(body.get("Granularity", "MONTHLY"))):
            mean = sum(forecast_line_cost(line, day, today) for line in lines
                       for day in days_between(span_start, span_end))
            entry: dict[str, Any] = {"TimePeriod": {"Start": span_start.isoformat(), "End": span_end.isoformat()},
                                     "MeanValue": f"{mean:.4f}"}
            if level:
                entry["PredictionIntervalLowerBound"] = f"{mean * 0.9:.4f}"
                entry["PredictionIntervalUpperBound"] = f"{mean * 1.1:.4f}"
            spans.append(entry)
        total = sum(float(entry["MeanValue"]) for entry in spans)
        return {"Total": {"Amount": f"{total:.4f}", "Unit": CURRENCY}, "ForecastResultsByTime": spans}

    def dimension_values(self, body: dict[str, Any]) -> dict[str, Any]:
        start, end = _period(body)
        field_name = DIMENSIONS.get(str(body.get("Dimension", "")))
        if field_name is None:
            raise _validation(f"Dimension must be one of {sorted(DIMENSIONS)}")
        today = self.today()
        values = sorted({_line_value(line, field_name) for line in self.lines
                         if _matches(line, body.get("Filter"))
                         and any(line_cost(line, day, today) for day in days_between(start, end))})
        search = str(body.get("SearchString", "")).lower()
        values = [value for value in values if search in value.lower()]
        return {"DimensionValues": [{"Value": value, "Attributes": {}} for value in values],
                "ReturnSize": len(values), "TotalSize": len(values)}


    def anomaly_monitors(self, body: dict[str, Any]) -> dict[str, Any]:
        wanted = body.get("MonitorArnList") or []
        today = self.today()
        monitors = [{"MonitorArn": m.arn, "MonitorName": m.name, "MonitorType": "DIMENSIONAL",
                     "MonitorDimension": m.dimension,
                     "CreationDate": (today - timedelta(days=m.created_days_ago)).isoformat(),
                     "LastUpdatedDate": (today - timedelta(days=m.created_days_ago)).isoformat(),
                     "LastEvaluatedDate": (today - timedelta(days=1)).isoformat(), "DimensionalValueCount": 7}
                    for m in self.monitors if not wanted or m.arn in wanted]
        return {"AnomalyMonitors": monitors}

    def anomalies(self, body: dict[str, Any]) -> dict[str, Any]:
        """The planted anomaly when it overlaps DateInterval (and MonitorArn, TotalImpact match)."""
        interval = body.get("DateInterval") or {}
        if "StartDate" not in interval:
            raise _validation("DateInterval with StartDate is required")
        first = _parse_day(interval["StartDate"], "StartDate")
        last = _parse_day(interval["EndDate"], "EndDate") if interval.get("EndDate") else self.today()
        anomaly = planted_anomaly(self.today(), self.monitors)
        if anomaly is None or anomaly.end < first or anomaly.start > last:
            return {"Anomalies": []}
        if body.get("MonitorArn") not in (None, anomaly.monitor_arn):
            return {"Anomalies": []}
        impact_filter = body.get("TotalImpact")
        if impact_filter and not _impact_matches(anomaly.impact, impact_filter):
            return {"Anomalies": []}
        anomaly_id = f"{anomaly.monitor_arn.rsplit('/', 1)[1]}-{anomaly.start.isoformat()}"
        return {"Anomalies": [{
            "AnomalyId": anomaly_id, "AnomalyStartDate": anomaly.start.isoformat(),
            "AnomalyEndDate": anomaly.end.isoformat(), "DimensionValue": anomaly.aws_service,
            "RootCauses": [{"Service": anomaly.aws_service, "Region": anomaly.region, "LinkedAccount": ACCOUNT,
                            "LinkedAccountName": "driftwood-prod", "UsageType": anomaly.usage_type,
                            "Impact": {"Contribution": anomaly.impact}}],
            "AnomalyScore": {"MaxScore": 0.93, "CurrentScore": 0.88},
            "Impact": {"MaxImpact": anomaly.max_daily_impact, "TotalImpact": anomaly.impact,
                       "TotalActualSpend": anomaly.actual, "TotalExpectedSpend": anomaly.expected,
                       "TotalImpactPercentage": anomaly.impact_percent},
            "MonitorArn": anomaly.monitor_arn}]}


def _impact_matches(impact: float, spec: dict[str, Any]) -> bool:
    operator, low = str(spec.get("NumericOperator", "")), float(spec.get("StartValue", 0))
    high = float(spec.get("EndValue", low))
    checks = {"EQUAL": impact == low, "GREATER_THAN_OR_EQUAL": impact >= low, "LESS_THAN_OR_EQUAL": impact <= low,
              "GREATER_THAN": impact > low, "LESS_THAN": impact < low, "BETWEEN": low <= impact <= high}
    if operator not in checks:
        raise _validation(f"NumericOperator {operator} is not valid")
    return checks[operator]


def _json_reply(start_response: Callable[..., Any], status: str, payload: dict[str, Any],
                error: str | None = None) -> list[bytes]:
    data = json.dumps(payload).encode()
    headers = [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(data))),
               ("x-amzn-RequestId", "00000000-0000-4000-8000-000000000000")]
    if error:
        headers.append(("x-amzn-ErrorType", error))
    start_response(status, headers)
    return [data]


class CostExplorerMiddleware:
    """WSGI: Cost Explorer targets the stand-in serves go to it; everything else to ``app``."""

    def __init__(self, app: WsgiApp, standin: CostExplorerStandIn) -> None:
        self.app = app
        self.standin = standin

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
        operation = target[len(TARGET_PREFIX):] if target.startswith(TARGET_PREFIX) else ""
        if environ.get("REQUEST_METHOD") != "POST" or operation not in self.standin.operations:
            return self.app(environ, start_response)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = json.loads(environ["wsgi.input"].read(length) or b"{}")
            if not isinstance(body, dict):
                raise _validation("The request body must be a JSON object")
            return _json_reply(start_response, "200 OK", self.standin.handle(operation, body))
        except json.JSONDecodeError:
            return _json_reply(start_response, "400 Bad Request",
                               {"__type": "SerializationException", "message": "Malformed JSON body"},
                               "SerializationException")
        except CostExplorerError as exc:
            return _json_reply(start_response, "400 Bad Request", {"__type": exc.code, "message": exc.message},
                               exc.code)
