"""One module per Cassandra table: the only code that reads and writes it."""
