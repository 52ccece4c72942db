"""Settings: app.yaml and the environment, read and validated into one model (settings.py) with
its sections.
"""
