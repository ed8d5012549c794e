"""Judgements for benchmarks/house_rules_precision.py, recorded by reading each finding and request.

JUDGEMENTS: (message-id, TYPE, line) -> ("real" | "not", why), for house-rule findings on accepted patches.
REQUEST_JUDGEMENTS: (reply message-id, TYPE) -> ("in-scope" | "out-of-scope" | "not-a-request", why),
for reviewer replies that matched a request pattern.
"""

JUDGEMENTS = {
}

REQUEST_JUDGEMENTS = {
}
