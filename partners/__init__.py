"""Partners on Kafka: provisioning (POST /partners) and the gateway (`python -m partners`)."""
