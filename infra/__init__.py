"""Adapters and plumbing shared by the ingress, the workers and analytics."""
