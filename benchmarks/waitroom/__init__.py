"""`python -m benchmarks.waitroom`: issue 13 item 6, the on-sale with and without a waiting room."""
