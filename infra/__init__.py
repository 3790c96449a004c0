"""Ground-level plumbing shared by every service: settings, logs, Cassandra and Kafka adapters,
migrations, bootstrap. Of the project's packages it imports only topics/
(tests/unit/test_layers.py); running the system lives in system/."""
