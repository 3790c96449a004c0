"""The HTTP ingress: validates, authenticates, sends seat commands and maps outcomes."""
