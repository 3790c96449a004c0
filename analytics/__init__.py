"""Live analytics: stream tables over booking events, materialised for the ingress."""
