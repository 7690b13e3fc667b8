"""The sandbox: local stand-ins for the clouds and SaaS APIs, seeded with one fictional
company (Driftwood Labs), so the demo, the tests and the benchmarks run with no account.

- ``company.py``: the AWS side of the company as data (the one source of truth tests read).
- ``aws.py``: seeds that data into moto through boto3 (and the moto backend where boto3
  cannot express it, e.g. backdated access keys).
- ``cost_explorer.py``: a Cost Explorer stand-in speaking the JSON 1.1 wire protocol,
  mounted in front of moto so one ``AWS_ENDPOINT_URL`` serves every AWS client.
- ``server.py``: ``Sandbox`` (start/seed/env/stop) and ``guardian sandbox``.
- ``saas_company.py``, ``github_api.py``, ``pagerduty_api.py``: the GitHub and PagerDuty side.
- ``http_standin.py``: the HTTP(S) framework those two stand-ins share (Starlette routing,
  served by uvicorn on a loopback port, every request recorded).

A top-level package beside ``bot/`` (shipped in the wheel for ``guardian sandbox``): it
depends on nothing of Guardian's, so the tests of ``tools/`` use it without importing ``bot``.
"""
