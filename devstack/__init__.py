"""Evently dev stack: Kafka (KRaft) and Cassandra as plain local JVMs, no Docker.

Run `python -m devstack up`, or from Python: `devstack.stack.ensure_up()`.
"""

SERVICES: tuple[str, ...] = ("kafka", "cassandra")
