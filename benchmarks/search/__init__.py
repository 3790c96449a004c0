"""Discovery benchmark: 100,000 events, 1,000 mixed filter-and-search queries over HTTP."""
