"""Every Kafka topic, key and message schema: the one source of truth."""
