"""The load area's parts that run outside the bench process: gunicorn's settings, the locust users and runner."""
