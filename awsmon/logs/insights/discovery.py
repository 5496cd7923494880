"""Fields Logs Insights discovers in an event's message.

- JSON events (the message, trimmed, is a JSON object): every leaf, nested
  keys joined with dots and array items by index
  (``requestParameters.items.0.instanceId``); a key starting with ``@`` gets
  another ``@`` (``@example.com`` → ``@@example.com``); at most
  `MAX_JSON_FIELDS` fields per event (AWS's discoverable-fields page).
- Lambda platform lines: ``START``/``END``/``REPORT RequestId: ...`` give
  ``@type`` and ``@requestId``; REPORT adds ``@duration``, ``@billedDuration``
  and ``@initDuration`` (ms) and ``@memorySize``, ``@maxMemoryUsed`` (bytes:
  AWS converts the MB of the line, as its sample query
  ``max(@memorySize / 1000 / 1000)`` relies on), and ``@xrayTraceId`` /
  ``@xraySegmentId`` when present.
- VPC flow log records in the default version-2 format (14 fields, the
  third an ``eni-`` interface): ``version``, ``accountId``, ``interfaceId``,
  ``srcAddr``, ``dstAddr``, ``srcPort``, ``dstPort``, ``protocol``,
  ``packets``, ``bytes``, ``start``, ``end``, ``action``, ``logStatus``.

- Route 53 public DNS query logs (``1.0 <time> <zone> <name> <type> <rcode>
  <protocol> <edge> <resolver ip> <subnet>``): ``version``,
  ``queryTimestamp``, ``hostZoneId``, ``queryName``, ``queryType``,
  ``responseCode``, ``protocol``, ``edgeLocation``, ``resolverIp``,
  ``ednsClientSubnet``. (Resolver query logs are JSON: see above.)

Simulation notes: discovery goes by the shape of the message, whatever the
log group (AWS keys Lambda, VPC and Route 53 discovery on the log source).
"""

from __future__ import annotations

from typing import Any

from awsmon import jsondoc

__all__ = ["MAX_JSON_FIELDS", "discover"]

MAX_JSON_FIELDS = 1000
_VPC_FIELDS = ("version", "accountId", "interfaceId", "srcAddr", "dstAddr", "srcPort", "dstPort",
               "protocol", "packets", "bytes", "start", "end", "action", "logStatus")  # fmt: skip
_ROUTE53_FIELDS = ("version", "queryTimestamp", "hostZoneId", "queryName", "queryType",
                   "responseCode", "protocol", "edgeLocation", "resolverIp",
                   "ednsClientSubnet")  # fmt: skip
_LAMBDA_KEYS = {
    "Duration": ("@duration", 1.0),
    "Billed Duration": ("@billedDuration", 1.0),
    "Init Duration": ("@initDuration", 1.0),
    "Memory Size": ("@memorySize", 1_000_000.0),
    "Max Memory Used": ("@maxMemoryUsed", 1_000_000.0),
}


def discover(message: str) -> dict[str, Any]:
    """The fields discovered in `message` (empty when it has no known shape)."""
    head = message[:1]
    if head == "{" or (head.isspace() and message.lstrip()[:1] == "{"):
        return _json_fields(message)
    if head in "SER" and message.startswith(("REPORT RequestId:", "START RequestId:",
                                             "END RequestId:")):  # fmt: skip
        return _lambda_fields(message)
    if head == "2" and message.count(" ") == 13:
        return _vpc_fields(message)
    if head == "1" and message.startswith("1.0 ") and message.count(" ") == 9:
        return dict(zip(_ROUTE53_FIELDS, message.split(" "), strict=True))
    return {}


def _json_fields(message: str) -> dict[str, Any]:
    try:
        document = jsondoc.loads(message)
    except (ValueError, RecursionError):
        return {}
    if not isinstance(document, dict):
        return {}
    out: dict[str, Any] = {}
    stack: list[tuple[str, Any]] = [("", document)]
    while stack and len(out) < MAX_JSON_FIELDS:
        prefix, node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        pending = []
        for key, value in items:
            name = str(key)
            if not prefix and name.startswith("@"):
                name = "@" + name
            path = f"{prefix}.{name}" if prefix else name
            if isinstance(value, dict | list):
                pending.append((path, value))
            elif value is not None and len(out) < MAX_JSON_FIELDS:
                out[path] = value
        stack.extend(reversed(pending))
    return out


def _lambda_fields(message: str) -> dict[str, Any]:
    kind, _, rest = message.partition(" RequestId: ")
    parts = rest.replace("\t", "  ").split("  ")
    head = parts[0].split()
    out: dict[str, Any] = {"@type": kind, "@requestId": head[0] if head else ""}
    if kind != "REPORT":
        return out
    for part in parts[1:]:
        label, sep, value = part.strip().partition(":")
        if not sep:
            continue
        if label == "XRAY TraceId":
            trace, _, segment = value.strip().partition(" SegmentId: ")
            out["@xrayTraceId"] = trace.strip()
            if segment:
                out["@xraySegmentId"] = segment.split()[0]
            continue
        if label == "SegmentId":
            out["@xraySegmentId"] = value.strip()
            continue
        known = _LAMBDA_KEYS.get(label)
        if known is None:
            continue
        amount = value.split()
        try:
            number = float(amount[0])
        except (IndexError, ValueError):
            continue
        scaled = number * known[1]
        out[known[0]] = int(scaled) if scaled.is_integer() else scaled
    return out


def _vpc_fields(message: str) -> dict[str, Any]:
    values = message.split(" ")
    if len(values) != 14 or not values[2].startswith("eni-"):
        return {}
    return dict(zip(_VPC_FIELDS, values, strict=True))
