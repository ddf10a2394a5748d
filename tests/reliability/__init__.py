"""Reliability tests: real server and worker processes, killed and restarted while data flows."""
