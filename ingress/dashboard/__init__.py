"""The live dashboard in one place: its page (index.html, dashboard.js, dashboard.css) and the
routes that serve it and stream its figures (routes.py). The figures come from analytics/read.py,
the analytics read side it shares with the /analytics endpoints."""
