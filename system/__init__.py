"""The whole system on one machine: start the app processes (launch), keep them running
(supervise), seed demo data (demo) and `python -m system.run`, which does all of it. It sits on
top: it starts the services by module name and imports none of them; nothing but tests and
benchmarks imports it."""
